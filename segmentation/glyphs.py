"""Group the components of one text line into glyphs (dots, accents, broken strokes, quotes)."""

from __future__ import annotations

import numpy as np

from segmentation.lines import LineModel

Box = tuple[int, int, int, int]


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def group_glyphs(boxes: np.ndarray, members: np.ndarray, line: LineModel) -> list[tuple[list[int], Box]]:
    """Merge components of one line that form one glyph.

    Components whose horizontal extents overlap by at least half the narrower one
    (i and its dot, j, !, ?, :, ;, accents, broken strokes) become one glyph; two
    small marks side by side above the x-height (a double quote) too.

    Args:
        boxes: (N, 4) all component boxes (deskewed coordinates).
        members: indices of this line's components.
        line: the line (baseline, x-height).

    Returns:
        (component indices, box) per glyph, left to right.
    """
    order = members[np.argsort(boxes[members, 0], kind="stable")].tolist()
    sub = boxes[order].tolist()
    count = len(order)
    parent = list(range(count))
    for i in range(count):
        x1, width_i = sub[i][2], sub[i][2] - sub[i][0]
        j = i + 1
        while j < count and sub[j][0] < x1:
            overlap = min(x1, sub[j][2]) - sub[j][0]
            if overlap >= 0.5 * min(width_i, sub[j][2] - sub[j][0]):
                a, b = _find(parent, i), _find(parent, j)
                parent[max(a, b)] = min(a, b)
            j += 1
    groups: dict[int, list[int]] = {}
    for i in range(count):
        groups.setdefault(_find(parent, i), []).append(i)
    out: list[tuple[list[int], Box]] = []
    for indices in groups.values():
        if len(indices) == 1:
            b = sub[indices[0]]
            box = (b[0], b[1], b[2], b[3])
        else:
            parts = [sub[i] for i in indices]
            box = (min(p[0] for p in parts), min(p[1] for p in parts), max(p[2] for p in parts),
                   max(p[3] for p in parts))
        out.append(([order[i] for i in indices], box))
    out.sort(key=lambda item: item[1][0])
    return _merge_quotes(out, line)


def _merge_quotes(groups: list[tuple[list[int], Box]], line: LineModel) -> list[tuple[list[int], Box]]:
    """Join two adjacent small marks high on the line (the two ticks of a double quote)."""
    xh = max(line.x_height, 1.0)
    out: list[tuple[list[int], Box]] = []
    previous_high = False
    for indices, box in groups:
        x0, y0, x1, y1 = box
        above = y1 < line.baseline_at((x0 + x1) / 2.0) - 0.45 * xh
        high = bool((y1 - y0) < 0.7 * xh and (x1 - x0) < 0.6 * xh and above)
        if high and previous_high and out and x0 - out[-1][1][2] < 0.35 * xh:
            prev_indices, prev = out[-1]
            out[-1] = (prev_indices + indices, (min(prev[0], x0), min(prev[1], y0), max(prev[2], x1), max(prev[3], y1)))
            previous_high = False
            continue
        out.append((indices, box))
        previous_high = high
    return out
