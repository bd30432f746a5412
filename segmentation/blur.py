"""Blurred pages: how soft the strokes' edges are, and sharpening them before binarisation.

On a blurred scan or photo each stroke has a halo. Otsu's threshold sits near the paper when ink
covers a small part of the page, so it takes the halos for ink: neighbouring letters touch ("tt"
reads "n", "ol" reads "d") and glyphs come out bold ("r" reads "n"). An unsharp mask as wide as the
measured blur restores the edges. Used only on blurred pages: sharp scans are left as they are.
"""

from __future__ import annotations

import cv2
import numpy as np

#: Gaussian sigma (pixels) of the stroke edges from which a page counts as blurred. Sharp 300 dpi scans
#: measure 0.6-1.0 px, the benchmark's degraded print and handwriting 1.2-1.3; a blur of 1.5 px measures 1.44-1.58.
BLURRED_SIGMA = 1.4
#: Rows sampled for the edge measurement (every n-th).
ROW_STEP = 8
#: Strength of the unsharp mask (its width is the measured blur). Blurred pages written with held-out fonts
#: (seed 11) and a blurred paragraph: 0.5 / 1.0 / 1.5 / 2.0 measured, 1.5 the best over both.
SHARPEN_AMOUNT = 1.5


def stroke_level(ink: np.ndarray, binary: np.ndarray) -> float:
    """The ink level of the strokes' cores (90th percentile of the ink pixels of every fourth row), 0 without ink."""
    strokes = ink[::4][binary[::4] > 0]
    return float(np.percentile(strokes, 90)) if strokes.size else 0.0


def edge_sigma(ink: np.ndarray, level: float) -> float:
    """Gaussian sigma (pixels) of the edges of strokes whose cores reach ``level``.

    A step edge of contrast C blurred by sigma rises at most C / (sigma * sqrt(2 pi)) per pixel; the
    rise is taken where the ink is near half the level (the upper quartile of the gradient there).
    """
    if level <= 0 or ink.shape[0] < 3 or ink.shape[1] < 3:
        return 0.0
    inner = ink[1:-1:ROW_STEP, 1:-1]
    rows, cols = np.nonzero((inner > 0.35 * level) & (inner < 0.65 * level))
    if not rows.size:
        return 0.0
    y, x = 1 + ROW_STEP * rows, 1 + cols
    gx = ink[y, x + 1].astype(np.float32) - ink[y, x - 1]
    gy = ink[y + 1, x].astype(np.float32) - ink[y - 1, x]
    steepest = float(np.percentile(0.5 * np.hypot(gx, gy), 75))
    return level / (np.sqrt(2 * np.pi) * steepest) if steepest > 0 else 0.0


def sharpen(ink: np.ndarray, sigma: float, amount: float) -> np.ndarray:
    """Unsharp mask: ``ink`` plus ``amount`` times its difference from a Gaussian blur of ``sigma``
    (in 8 bits, clipped to 0-255: no float copy of a large page)."""
    soft = cv2.GaussianBlur(ink, (0, 0), sigma)
    return cv2.addWeighted(ink, 1.0 + amount, soft, -amount, 0.0)


def unblur(ink: np.ndarray, binary: np.ndarray) -> np.ndarray:
    """``ink`` sharpened when its edges are softer than ``BLURRED_SIGMA`` (``binary``: Otsu's ink mask,
    for the strokes' level); any other page's ``ink`` is returned as it is."""
    sigma = edge_sigma(ink, stroke_level(ink, binary))
    if sigma < BLURRED_SIGMA:
        return ink
    return sharpen(ink, sigma, SHARPEN_AMOUNT)
