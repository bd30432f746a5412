"""Blurred pages: how soft the strokes' edges are, and letters that only the blur joined.

On a blurred scan or photo each stroke has a halo. Otsu's threshold sits near the paper when ink
covers a small part of the page, so it takes the halos for ink and neighbouring letters touch
("tt" reads "n", "st" reads "g"). Half the level of the strokes' cores is where a blurred edge
lies; at that level the letters come apart again. Used only on blurred pages: on a sharp page the
same higher level breaks the hairlines of a light typeface (an "m" into three stems).
"""

from __future__ import annotations

import cv2
import numpy as np

#: Gaussian sigma (pixels) of the stroke edges from which a page counts as blurred. Sharp 300 dpi scans
#: measure 0.6-1.0 px, the benchmark's degraded print and handwriting 1.2-1.3; a blur of 1.5 px measures 1.44-1.58.
BLURRED_SIGMA = 1.4
#: Rows sampled for the edge measurement (every n-th).
ROW_STEP = 8
#: A part left by the higher threshold is a letter when at least this tall and wide, in median component heights.
LETTER_HEIGHT = 0.5
LETTER_WIDTH = 0.3


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


def separate_touching(ink: np.ndarray, binary: np.ndarray, level: float) -> np.ndarray:
    """``binary`` with every component that ink above ``level`` divides into two or more letter-sized
    parts replaced by those parts (and their small marks); other components keep their shape."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    heights = heights[heights > 5]
    if count <= 1 or not heights.size:
        return binary
    size = float(np.median(heights))
    core = (ink > level) & (binary > 0)
    parts, part_labels, part_stats, _ = cv2.connectedComponentsWithStats(core.view(np.uint8), connectivity=8)
    owner = np.zeros(parts, dtype=np.int64)
    owner[part_labels[core]] = labels[core]  # each part lies inside one component
    letter = ((part_stats[:, cv2.CC_STAT_HEIGHT] >= LETTER_HEIGHT * size)
              & (part_stats[:, cv2.CC_STAT_WIDTH] >= LETTER_WIDTH * size))
    letter[0] = False
    divided = np.bincount(owner[letter], minlength=count) >= 2
    divided[0] = False
    if not divided.any():
        return binary
    out = binary.copy()
    out[divided[labels] & ~core] = 0
    return out


def unblur(ink: np.ndarray, binary: np.ndarray) -> np.ndarray:
    """On a blurred page (edges softer than ``BLURRED_SIGMA``), letters the halos joined come apart;
    any other page's ``binary`` is returned as it is."""
    level = stroke_level(ink, binary)
    if edge_sigma(ink, level) < BLURRED_SIGMA:
        return binary
    return separate_touching(ink, binary, level / 2)
