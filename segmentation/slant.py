"""Slant of handwriting: how far the strokes of a line lean from upright, and a crop sheared upright.

The slant is the horizontal shear (x' = x + s (y - middle)) that makes the line's column profile of ink
sharpest (the sum of its squares largest): upright strokes stack their ink in few columns.
"""

from __future__ import annotations

import cv2
import numpy as np

#: Shears tried, in x-pixels per y-pixel (0.6 leans about 31 degrees).
MAX_SLANT = 0.6
SLANT_STEP = 0.05
#: Crops taller than this many pixels are shrunk to it before the slant is measured.
MEASURE_HEIGHT = 32


def estimate_slant(ink: np.ndarray) -> float:
    """The shear that sets the strokes of a line's ink mask (True = ink) upright; 0 for no ink."""
    if not ink.any():
        return 0.0
    mask: np.ndarray = ink.astype(np.float32)
    if mask.shape[0] > MEASURE_HEIGHT:  # measured small: a shear is the same at any scale
        factor = MEASURE_HEIGHT / mask.shape[0]
        mask = cv2.resize(mask, (max(1, round(mask.shape[1] * factor)), MEASURE_HEIGHT), interpolation=cv2.INTER_AREA)
    height, width = mask.shape
    best, best_score = 0.0, -1.0
    for slant in np.arange(-MAX_SLANT, MAX_SLANT + SLANT_STEP / 2, SLANT_STEP):
        profile = cv2.warpAffine(mask, _shear_matrix(float(slant), height), (width, height),
                                 flags=cv2.INTER_LINEAR, borderValue=0).sum(axis=0)
        score = float(np.square(profile).sum())
        if score > best_score:
            best, best_score = float(slant), score
    return round(best, 2)


def deslant(image: np.ndarray, slant: float) -> np.ndarray:
    """A grey crop (dark ink on light paper) sheared by ``slant`` about its middle row, paper-white outside."""
    height, width = image.shape
    return cv2.warpAffine(image, _shear_matrix(slant, height), (width, height), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def _shear_matrix(slant: float, height: int) -> np.ndarray:
    return np.array([[1.0, slant, -slant * height / 2], [0.0, 1.0, 0.0]], np.float32)
