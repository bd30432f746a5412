"""Addresses of glyphs and lines inside a :class:`app.document.Document` (Qt-free).

A :class:`GlyphRef` is a path of indices ``page / block / line / word / glyph``.
Edits replace whole lines, so refs are plain values that are re-validated
(:func:`clamp_ref`) after every change instead of live pointers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from app.document import Document, Glyph, Line, Page


@dataclass(frozen=True, order=True)
class LineRef:
    """A line: page index in the document, block index, line index in the block."""

    page: int
    block: int
    line: int


@dataclass(frozen=True, order=True)
class GlyphRef:
    """A glyph: its line plus word and glyph indices."""

    page: int
    block: int
    line: int
    word: int
    glyph: int

    @property
    def line_ref(self) -> LineRef:
        return LineRef(self.page, self.block, self.line)


def line_at(document: Document, ref: LineRef) -> Line | None:
    """The line ``ref`` points at, or None when it no longer exists."""
    try:
        return document.pages[ref.page].blocks[ref.block].lines[ref.line]
    except IndexError:
        return None


def glyph_at(document: Document, ref: GlyphRef | None) -> Glyph | None:
    """The glyph ``ref`` points at, or None."""
    if ref is None:
        return None
    line = line_at(document, ref.line_ref)
    try:
        return line.words[ref.word].glyphs[ref.glyph] if line is not None else None
    except IndexError:
        return None


def page_lines(page: Page, page_index: int) -> Iterator[tuple[LineRef, Line]]:
    """Every line of a page in reading order with its ref."""
    for b, block in enumerate(page.blocks):
        for i, line in enumerate(block.lines):
            yield LineRef(page_index, b, i), line


def page_glyphs(page: Page, page_index: int) -> Iterator[tuple[GlyphRef, Glyph]]:
    """Every glyph of a page in reading order with its ref."""
    for ref, line in page_lines(page, page_index):
        for w, word in enumerate(line.words):
            for g, glyph in enumerate(word.glyphs):
                yield GlyphRef(page_index, ref.block, ref.line, w, g), glyph


def document_glyphs(document: Document) -> Iterator[tuple[GlyphRef, Glyph]]:
    """Every glyph of the document in reading order."""
    for p, page in enumerate(document.pages):
        yield from page_glyphs(page, p)


def is_doubtful(glyph: Glyph, threshold: float) -> bool:
    """A glyph worth a look: not corrected by hand and below the confidence threshold."""
    return not glyph.corrected and glyph.confidence < threshold


def next_doubtful(document: Document, current: GlyphRef | None, threshold: float,
                  backwards: bool = False, extra: set[GlyphRef] | None = None) -> GlyphRef | None:
    """The next (or previous) doubtful glyph after ``current``, wrapping around the document.

    ``extra`` adds more stops (the first glyphs of words that look misspelt)."""
    more = extra or set()
    refs = [ref for ref, glyph in document_glyphs(document) if is_doubtful(glyph, threshold) or ref in more]
    if not refs:
        return None
    if current is None:
        return refs[-1] if backwards else refs[0]
    if backwards:
        earlier = [r for r in refs if r < current]
        return earlier[-1] if earlier else refs[-1]
    later = [r for r in refs if r > current]
    return later[0] if later else refs[0]


def neighbour_glyph(document: Document, current: GlyphRef, step: int) -> GlyphRef | None:
    """The glyph ``step`` places away from ``current`` on the same page (None past either end)."""
    page = document.pages[current.page]
    refs = [ref for ref, _ in page_glyphs(page, current.page)]
    try:
        i = refs.index(current)
    except ValueError:
        return None
    j = i + step
    return refs[j] if 0 <= j < len(refs) else None


def clamp_ref(document: Document, ref: GlyphRef | None) -> GlyphRef | None:
    """``ref`` if it still points at a glyph, else the nearest earlier glyph on its page, else None."""
    if ref is None or glyph_at(document, ref) is not None:
        return ref
    if not 0 <= ref.page < len(document.pages):
        return None
    best: GlyphRef | None = None
    for candidate, _ in page_glyphs(document.pages[ref.page], ref.page):
        if candidate <= ref:
            best = candidate
        elif best is None:
            return candidate
        else:
            break
    return best


def glyph_at_point(page: Page, page_index: int, x: float, y: float) -> GlyphRef | None:
    """The glyph whose box contains the page point (x, y), smallest box first."""
    hits = [(ref, glyph) for ref, glyph in page_glyphs(page, page_index)
            if glyph.bbox[0] <= x < glyph.bbox[2] and glyph.bbox[1] <= y < glyph.bbox[3]]
    if not hits:
        return None
    return min(hits, key=lambda h: (h[1].bbox[2] - h[1].bbox[0]) * (h[1].bbox[3] - h[1].bbox[1]))[0]
