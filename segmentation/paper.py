"""The paper of a scan: its local brightness divided out, and an ink threshold that stays out of its texture.

Shared by the line engine's line finder (:mod:`segmentation.textlines`) and the glyph engine's
binarisation (:func:`segmentation.preprocess.binarize_page`, for textured paper).
"""

from __future__ import annotations

import cv2
import numpy as np

#: Pages wider than this are shrunk to it for measuring the paper (and for finding lines).
WORK_WIDTH = 1600
#: A threshold at least this many robust standard deviations of the paper below the paper's median.
PAPER_SIGMAS = 6.0


def work_scale(grey: np.ndarray) -> float:
    """The scale (working pixels per page pixel) at which a page is measured."""
    return min(1.0, WORK_WIDTH / max(grey.shape[1], 1))


def working_scale(grey: np.ndarray, scale: float) -> np.ndarray:
    """``grey`` shrunk by ``scale`` (itself when ``scale`` is 1)."""
    size = (max(1, round(grey.shape[1] * scale)), max(1, round(grey.shape[0] * scale)))
    return cv2.resize(grey, size, interpolation=cv2.INTER_AREA) if scale < 1 else grey


def flatten(grey: np.ndarray, small: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The page divided by its local paper brightness at full scale, and at the working scale smoothed
    a little (``small`` is ``grey`` at the working scale)."""
    size = max(3, round(small.shape[1] / 80)) | 1
    paper_light = cv2.blur(cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))),
                           (2 * size + 1, 2 * size + 1))
    flat_small = _divide(small, paper_light)
    light = cv2.resize(paper_light, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_LINEAR)
    return _divide(grey, light), cv2.GaussianBlur(flat_small, (0, 0), 1.0)


def _divide(image: np.ndarray, light: np.ndarray) -> np.ndarray:
    return cv2.divide(image, np.maximum(light, 1), scale=255)


def ink_thresholds(smooth: np.ndarray) -> tuple[float, float]:
    """Otsu's threshold of the smoothed flattened page, and the paper's texture floor (its median minus
    PAPER_SIGMAS robust spreads): ink is darker than both."""
    otsu, _ = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    median = float(np.median(smooth))
    spread = 1.4826 * float(np.median(np.abs(smooth.astype(np.float32) - median)))  # mostly paper: its texture
    return float(otsu), median - PAPER_SIGMAS * spread


def textured_paper(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray, float] | None:
    """When the paper's texture reaches darker than Otsu's threshold (woven, laid or mottled paper: a global
    threshold makes its fibres ink), the flattened page, its ink mask and the threshold; else None.

    The mask is taken at the smoothing the threshold was measured at (a working pixel), so single
    fibres stay paper."""
    scale = work_scale(grey)
    flat, smooth = flatten(grey, working_scale(grey, scale))
    otsu, floor = ink_thresholds(smooth)
    if floor >= otsu:
        return None
    smoothed = cv2.GaussianBlur(flat, (0, 0), 1.0 / scale) if scale < 1 else flat
    return flat, (smoothed < floor).astype(np.uint8) * 255, floor
