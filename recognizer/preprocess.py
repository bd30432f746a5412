"""Input normalisation shared by training and the predictor (numpy only: no torch here)."""

from __future__ import annotations

import numpy as np

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


def model_input(images: np.ndarray, mean: float = PIXEL_MEAN, std: float = PIXEL_STD) -> np.ndarray:
    """uint8 glyphs (N, 28, 28) -> standardised float32 model input (N, 1, 28, 28)."""
    x = np.asarray(images, dtype=np.float32)[:, None] * np.float32(1 / 255)
    return (x - np.float32(mean)) / np.float32(std)
