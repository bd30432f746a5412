"""Removal of ruling lines and form box borders that would merge or hide glyphs."""

from __future__ import annotations

import cv2
import numpy as np

from segmentation.components import Components


def _line_pixels(roi: np.ndarray, length: int, horizontal: bool) -> np.ndarray:
    shape = (length, 1) if horizontal else (1, length)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, shape)
    return cv2.morphologyEx(roi, cv2.MORPH_OPEN, kernel)


def _repair(kept: np.ndarray, lines: np.ndarray, thickness: int, horizontal: bool) -> np.ndarray:
    """Give back line pixels that join glyph strokes crossing the line on both sides."""
    span = 2 * thickness + 3
    shape = (1, span) if horizontal else (span, 1)
    closed = cv2.morphologyEx(kept, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, shape))
    return kept | (closed & lines)


def _thickness(lines: np.ndarray, horizontal: bool) -> int:
    counts = (lines > 0).sum(axis=0 if horizontal else 1)
    counts = counts[counts > 0]
    return int(np.median(counts)) if counts.size else 1


def remove_rulings(binary: np.ndarray, comps: Components, text_height: float, min_length: float) -> bool:
    """Erase long horizontal/vertical rules in place; keep glyph strokes that cross them.

    Only components longer than ``min_length`` text heights are examined, so clean
    text pages cost nothing.

    Returns:
        True when ``binary`` was changed.
    """
    length = max(10.0, min_length * text_height)
    candidates = np.flatnonzero((comps.width >= length) | (comps.height >= length))
    changed = False
    kernel_len = int(max(2.5 * text_height, 0.5 * length))
    for index in candidates:
        x0, y0, x1, y1 = (int(v) for v in comps.boxes[index])
        own = (comps.labels[y0:y1, x0:x1] == index + 1).astype(np.uint8) * 255
        result = own
        for horizontal in (True, False):
            extent = (x1 - x0) if horizontal else (y1 - y0)
            if extent < length:
                continue
            lines = _line_pixels(result, kernel_len, horizontal)
            if not lines.any():
                continue
            kept = cv2.subtract(result, lines)
            result = _repair(kept, lines, _thickness(lines, horizontal), horizontal)
        if result is not own:
            region = binary[y0:y1, x0:x1]
            region[own > 0] = result[own > 0]
            changed = True
    return changed
