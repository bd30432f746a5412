"""Text blocks (columns, separated paragraphs) by recursive X-Y cuts on component boxes."""

from __future__ import annotations

import numpy as np


def _gaps(start: np.ndarray, end: np.ndarray, min_gap: float) -> list[tuple[int, int]]:
    """Empty intervals (lo, hi) of at least ``min_gap`` between the covered ranges."""
    order = np.argsort(start, kind="stable")
    start, end = start[order], end[order]
    reach = np.maximum.accumulate(end)
    found = np.flatnonzero(start[1:] - reach[:-1] >= min_gap)
    return [(int(reach[i]), int(start[i + 1])) for i in found]


def _split(values: np.ndarray, gaps: list[tuple[int, int]]) -> list[np.ndarray]:
    cuts = np.array([(lo + hi) / 2.0 for lo, hi in gaps])
    group = np.searchsorted(cuts, values)
    return [np.nonzero(group == g)[0] for g in range(len(cuts) + 1)]


def xy_cut(boxes: np.ndarray, text_height: float, column_gap: float, row_gap: float = 1.5,
           max_depth: int = 12) -> list[np.ndarray]:
    """Split boxes into blocks in reading order.

    Vertical gutters at least ``column_gap`` text heights wide that run through the
    whole region make columns (left to right); horizontal gaps at least ``row_gap``
    text heights tall make bands (top to bottom). Columns are only cut in regions at
    least two text lines tall, so one line with a wide gap stays one line.

    Args:
        boxes: (N, 4) component boxes.
        text_height: typical glyph height in pixels.
        column_gap: minimum gutter width in text heights.
        row_gap: minimum band gap in text heights.
        max_depth: recursion limit.

    Returns:
        Index arrays into ``boxes``, one per block, in reading order.
    """
    if len(boxes) == 0:
        return []
    blocks: list[np.ndarray] = []

    def recurse(index: np.ndarray, depth: int) -> None:
        sub = boxes[index]
        if depth < max_depth and len(index) > 1:
            tall = sub[:, 3].max() - sub[:, 1].min() >= 2.5 * text_height
            if tall:
                gaps = _gaps(sub[:, 0], sub[:, 2], column_gap * text_height)
                if gaps:
                    for part in _split((sub[:, 0] + sub[:, 2]) / 2.0, gaps):
                        if len(part):
                            recurse(index[part], depth + 1)
                    return
            gaps = _gaps(sub[:, 1], sub[:, 3], row_gap * text_height)
            if gaps:
                for part in _split((sub[:, 1] + sub[:, 3]) / 2.0, gaps):
                    if len(part):
                        recurse(index[part], depth + 1)
                return
        blocks.append(index)

    recurse(np.arange(len(boxes)), 0)
    return blocks
