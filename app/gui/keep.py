"""Keeping a person's corrections when a page is recognised again (Qt-free)."""

from __future__ import annotations

import copy

from app.document import BBox, Page, Word, union_bbox


def _overlap(a: BBox, b: BBox) -> float:
    """Intersection area over the smaller box's area."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / max(1, smaller)


def corrected_words(page: Page) -> list[Word]:
    """Words holding at least one glyph a person corrected."""
    return [w for line in page.lines for w in line.words if any(g.corrected for g in w.glyphs)]


def keep_corrected_words(old: Page, new: Page, min_overlap: float = 0.5) -> Page:
    """``new`` with every corrected word of ``old`` put back in place of the new words it overlaps.

    A corrected word replaces the new words covering it (by box overlap) in the line that overlaps it
    most; a corrected word no new line covers goes to the nearest line by vertical position.
    """
    result = copy.deepcopy(new)
    lines = result.lines
    for kept in corrected_words(old):
        if not lines:
            break
        best = max(lines, key=lambda ln: _overlap(ln.bbox, kept.bbox) + (
            -abs((ln.bbox[1] + ln.bbox[3]) - (kept.bbox[1] + kept.bbox[3])) * 1e-6))
        for line in lines:
            line.words = [w for w in line.words if _overlap(w.bbox, kept.bbox) < min_overlap]
        centre = (kept.bbox[0] + kept.bbox[2]) / 2
        position = sum(1 for w in best.words if (w.bbox[0] + w.bbox[2]) / 2 < centre)
        best.words.insert(position, copy.deepcopy(kept))
    for block in result.blocks:
        for line in block.lines:
            if line.words:
                line.bbox = union_bbox([line.bbox, *(w.bbox for w in line.words)])
    return result
