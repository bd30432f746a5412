"""Input normalisation shared by training and the predictor."""

from __future__ import annotations

import numpy as np
import torch

#: Mean and standard deviation of EMNIST pixels scaled to [0, 1] (measured on the train split).
PIXEL_MEAN = 0.1736
PIXEL_STD = 0.3316


def check_glyphs(images: np.ndarray) -> np.ndarray:
    """Validate a batch of EMNIST-style glyphs and return it as (N, 28, 28) uint8."""
    array = np.asarray(images)
    if array.ndim == 2:
        array = array[None]
    if array.ndim != 3 or array.shape[1:] != (28, 28):
        raise ValueError(f"glyphs must have shape (N, 28, 28), got {array.shape}")
    if array.dtype != np.uint8:
        raise ValueError(f"glyphs must be uint8 (white ink on black), got {array.dtype}")
    return array


def unit_tensor(images: np.ndarray | torch.Tensor) -> torch.Tensor:
    """uint8 (N, 28, 28) -> float (N, 1, 28, 28) in [0, 1]."""
    tensor = torch.as_tensor(images)
    return tensor.unsqueeze(1).float().div_(255.0)


def standardize(x: torch.Tensor, mean: float = PIXEL_MEAN, std: float = PIXEL_STD) -> torch.Tensor:
    """[0, 1] pixels -> zero-mean, unit-variance model input."""
    return (x - mean) / std
