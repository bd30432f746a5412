"""The one result model: Document -> Page -> Line -> Word -> Glyph.

Plain dataclasses with absolute pixel boxes ``(x0, y0, x1, y1)`` (x1, y1
exclusive) in the coordinates of the original page image. Exporters, the GUI
and project files all read and write this model; it round-trips through JSON
with a schema version.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_VERSION = 1

BBox = tuple[int, int, int, int]


@dataclass
class Alternative:
    """One reading of a glyph and its calibrated probability."""

    text: str
    probability: float


@dataclass
class Glyph:
    """A recognised character.

    Attributes:
        bbox: absolute pixel box on the page.
        text: the final character (after case and context decoding, or a user's correction).
        confidence: calibrated probability that ``text`` is right, 0..1.
        alternatives: top-k classifier readings, best first (case already decided).
        raw_text: the classifier's own top reading before context decoding.
        corrected: True once a person has set ``text`` by hand.
    """

    bbox: BBox
    text: str
    confidence: float
    alternatives: list[Alternative] = field(default_factory=list)
    raw_text: str = ""
    corrected: bool = False


@dataclass
class Word:
    """A run of glyphs between spaces."""

    bbox: BBox
    glyphs: list[Glyph] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(g.text for g in self.glyphs)

    @property
    def confidence(self) -> float:
        """The weakest glyph's confidence (1.0 for an empty word)."""
        return min((g.confidence for g in self.glyphs), default=1.0)


@dataclass
class Line:
    """A text line; ``baseline`` and ``x_height`` in pixels help case decisions and exports."""

    bbox: BBox
    words: list[Word] = field(default_factory=list)
    baseline: float = 0.0
    x_height: float = 0.0
    paragraph_start: bool = False

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class Block:
    """A column or paragraph block of lines in reading order."""

    bbox: BBox
    lines: list[Line] = field(default_factory=list)


#: Kinds of non-text regions: a picture, logo, stamp or blot; a ruled line or table rule.
REGION_KINDS = ("graphic", "rule")


@dataclass
class Region:
    """Ink that is not text (kept out of the reading, shown and exported as what it is)."""

    bbox: BBox
    kind: str = "graphic"


@dataclass
class Page:
    """One page image and what was read on it; ``regions`` are its non-text regions."""

    index: int
    width: int
    height: int
    dpi: float = 300.0
    skew_angle: float = 0.0
    source: str = ""
    blocks: list[Block] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)

    @property
    def lines(self) -> list[Line]:
        return [line for block in self.blocks for line in block.lines]

    def glyphs(self) -> Iterator[Glyph]:
        for line in self.lines:
            for word in line.words:
                yield from word.glyphs

    @property
    def text(self) -> str:
        """Plain text: lines in reading order, a blank line between paragraphs and blocks."""
        chunks: list[str] = []
        for b, block in enumerate(self.blocks):
            for i, line in enumerate(block.lines):
                if chunks and ((i == 0 and b > 0) or line.paragraph_start):
                    chunks.append("")
                chunks.append(line.text)
        return "\n".join(chunks)


@dataclass
class Document:
    """All pages of one input file."""

    source: str
    pages: list[Page] = field(default_factory=list)
    model: str = ""
    schema_version: int = SCHEMA_VERSION

    @property
    def text(self) -> str:
        return "\n\f".join(page.text for page in self.pages)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return "".join(self.json_chunks())

    def json_chunks(self) -> Iterator[str]:
        """The JSON text in pieces, one page at a time, so a long document is never one big dict."""
        def value(v: Any) -> str:
            return json.dumps(v, ensure_ascii=False)

        yield '{\n "source": ' + value(self.source) + ',\n "pages": ['
        for i, page in enumerate(self.pages):
            body = json.dumps(asdict(page), ensure_ascii=False, indent=1)
            yield ("," if i else "") + "\n" + textwrap.indent(body, "  ")
        yield ("\n ]" if self.pages else "]") + ',\n "model": ' + value(self.model)
        yield ',\n "schema_version": ' + value(self.schema_version) + "\n}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ValueError(f"unsupported document schema version {version!r} (expected {SCHEMA_VERSION})")
        return cls(
            source=data["source"],
            model=data.get("model", ""),
            pages=[_page_from_dict(p) for p in data["pages"]],
        )

    @classmethod
    def from_json(cls, text: str) -> Document:
        return cls.from_dict(json.loads(text))


def _bbox(value: Any) -> BBox:
    x0, y0, x1, y1 = (int(v) for v in value)
    return (x0, y0, x1, y1)


def _glyph_from_dict(d: dict[str, Any]) -> Glyph:
    return Glyph(
        bbox=_bbox(d["bbox"]),
        text=d["text"],
        confidence=float(d["confidence"]),
        alternatives=[Alternative(a["text"], float(a["probability"])) for a in d.get("alternatives", [])],
        raw_text=d.get("raw_text", ""),
        corrected=bool(d.get("corrected", False)),
    )


def _page_from_dict(d: dict[str, Any]) -> Page:
    blocks = [
        Block(
            bbox=_bbox(b["bbox"]),
            lines=[
                Line(
                    bbox=_bbox(ln["bbox"]),
                    baseline=float(ln.get("baseline", 0.0)),
                    x_height=float(ln.get("x_height", 0.0)),
                    paragraph_start=bool(ln.get("paragraph_start", False)),
                    words=[
                        Word(bbox=_bbox(w["bbox"]), glyphs=[_glyph_from_dict(g) for g in w["glyphs"]])
                        for w in ln["words"]
                    ],
                )
                for ln in b["lines"]
            ],
        )
        for b in d["blocks"]
    ]
    return Page(
        index=int(d["index"]),
        width=int(d["width"]),
        height=int(d["height"]),
        dpi=float(d.get("dpi", 300.0)),
        skew_angle=float(d.get("skew_angle", 0.0)),
        source=d.get("source", ""),
        blocks=blocks,
        regions=[Region(_bbox(r["bbox"]), str(r.get("kind", "graphic"))) for r in d.get("regions", [])],
    )


def union_bbox(boxes: list[BBox]) -> BBox:
    """Smallest box containing all ``boxes`` (which must not be empty)."""
    if not boxes:
        raise ValueError("union_bbox needs at least one box")
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
