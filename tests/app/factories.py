"""Small hand-made Documents with known boxes and texts for exporter tests."""

from __future__ import annotations

from app.document import Alternative, Block, Document, Glyph, Line, Page, Word, union_bbox

#: Texts of the three lines of :func:`make_page`; words need XML/HTML escaping.
LINE_TEXTS = (
    ("Hello", "<world>"),
    ("A&B", '"quoted"'),
    ("Total:", "42", "café"),
)
GLYPH_WIDTH = 20
GLYPH_HEIGHT = 40
WORD_GAP = 24
PAGE_WIDTH = 1000
PAGE_HEIGHT = 600
PAGE_DPI = 150.0
#: One glyph per line is doubtful: its confidence is the word's (the weakest glyph's).
LOW_CONFIDENCE = 0.42


def make_word(text: str, x: int, y: int, *, confidence: float = 0.9, weak_at: int | None = None) -> Word:
    """A word of fixed-size glyph boxes starting at ``(x, y)``; glyph ``weak_at`` gets :data:`LOW_CONFIDENCE`."""
    glyphs = []
    for i, char in enumerate(text):
        conf = LOW_CONFIDENCE if i == weak_at else confidence
        box = (x + i * GLYPH_WIDTH, y, x + (i + 1) * GLYPH_WIDTH, y + GLYPH_HEIGHT)
        glyphs.append(Glyph(bbox=box, text=char, confidence=conf, raw_text=char,
                            alternatives=[Alternative(char, conf), Alternative("x", round(1 - conf, 3))]))
    return Word(bbox=union_bbox([g.bbox for g in glyphs]), glyphs=glyphs)


def make_line(texts: tuple[str, ...], x: int, y: int, *, weak_word: int = 0) -> Line:
    """A line of words separated by :data:`WORD_GAP`; the first glyph of word ``weak_word`` is doubtful."""
    words = []
    for i, text in enumerate(texts):
        words.append(make_word(text, x, y, weak_at=0 if i == weak_word else None))
        x = words[-1].bbox[2] + WORD_GAP
    bbox = union_bbox([w.bbox for w in words])
    return Line(bbox=bbox, words=words, baseline=float(bbox[3] - 8), x_height=20.0)


def make_page(index: int = 0, source: str = "scan.png") -> Page:
    """A page with 2 blocks and 3 lines: block 1 holds lines 1-2, block 2 holds line 3."""
    line1 = make_line(LINE_TEXTS[0], 50, 40, weak_word=1)
    line2 = make_line(LINE_TEXTS[1], 50, 100)
    line3 = make_line(LINE_TEXTS[2], 300, 300, weak_word=2)
    block1 = Block(bbox=union_bbox([line1.bbox, line2.bbox]), lines=[line1, line2])
    block2 = Block(bbox=line3.bbox, lines=[line3])
    return Page(index=index, width=PAGE_WIDTH, height=PAGE_HEIGHT, dpi=PAGE_DPI, source=source,
                blocks=[block1, block2])


def make_document(pages: int = 1, source: str = "scan.png") -> Document:
    """A document of ``pages`` identical pages (indices 0, 1, ...)."""
    return Document(source=source, pages=[make_page(i, source) for i in range(pages)], model="test-model v0")


def all_words(page: Page) -> list[Word]:
    """Every word of a page in reading order."""
    return [word for line in page.lines for word in line.words]
