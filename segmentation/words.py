"""Word breaks from the distribution of gaps between glyphs on a line."""

from __future__ import annotations

import numpy as np

from segmentation.lines import _two_means


def line_gaps(glyph_boxes: np.ndarray) -> np.ndarray:
    """Gaps between consecutive glyphs (sorted left to right); overlaps give 0."""
    if len(glyph_boxes) < 2:
        return np.zeros(0)
    reach = np.maximum.accumulate(glyph_boxes[:-1, 2])
    return np.maximum(glyph_boxes[1:, 0] - reach, 0).astype(np.float64)


def gap_threshold(gaps: np.ndarray, fallback: float, lo_limit: float, hi_limit: float) -> float:
    """Threshold between letter gaps and word gaps (both in x-heights).

    A 2-means split of the gaps is used when the two clusters are clearly apart;
    otherwise ``fallback`` (the page-wide threshold).
    """
    if gaps.size >= 2:
        lo, hi, _ = _two_means(np.minimum(gaps, 2.0 * hi_limit))
        if hi - lo >= 0.2 and hi >= 1.8 * max(lo, 0.05):
            return float(np.clip((lo + hi) / 2.0, lo_limit, hi_limit))
    return fallback


def page_gap_threshold(all_gaps: np.ndarray, lo_limit: float, hi_limit: float) -> float:
    """Page-wide letter/word gap threshold (x-heights) from every line's gaps."""
    default = 0.5 * (lo_limit + hi_limit) * 0.6
    if all_gaps.size < 4:
        return default
    lo, hi, _ = _two_means(np.minimum(all_gaps, 2.0 * hi_limit))  # huge gaps would drag the mean up
    if hi - lo < 0.2 or hi < 1.8 * max(lo, 0.05):
        return default
    return float(np.clip((lo + hi) / 2.0, lo_limit, hi_limit))


#: A line with at least this many gaps and two clearly separate gap sizes sets its own threshold
#: (a typed letter with a handwritten note: the two spacings differ by a factor of two or more).
OWN_THRESHOLD_GAPS = 12


def word_breaks(gaps: np.ndarray, x_height: float, page_threshold: float, lo_limit: float,
                hi_limit: float) -> np.ndarray:
    """Boolean array: True where the gap after glyph ``i`` separates two words.

    A long line whose gaps fall into two clear clusters is split at its own threshold; a
    shorter one stays within 0.6-1.5 times the page-wide threshold.
    """
    if gaps.size == 0:
        return np.zeros(0, dtype=bool)
    relative = gaps / max(x_height, 1.0)
    threshold = gap_threshold(relative, page_threshold, lo_limit, hi_limit)
    if gaps.size < OWN_THRESHOLD_GAPS or threshold == page_threshold:
        threshold = float(np.clip(threshold, 0.6 * page_threshold, 1.5 * page_threshold))
    threshold = float(np.clip(threshold, lo_limit, hi_limit))
    return relative > threshold
