"""The recognition pipeline shared by the command line and the GUI.

page image -> segmentation -> normalised crops -> recognizer (one batch per page)
-> case and context decoding -> :class:`app.document.Page`.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from app.decode import (
    CLOSING,
    OPENING,
    DecodeOptions,
    GlyphGeometry,
    Readings,
    decide_case,
    decode_word,
    ends_sentence,
    in_word_list,
    is_mark_like,
    lowercase_by_shape,
    mark_from_geometry,
    one_letter_makes_a_word,
    out_of_place_marks_only,
    reading_score,
    reweigh_brackets,
    reweigh_by_height,
    reweigh_small_mark,
    two_letters_make_a_word,
    with_other_case,
    with_speck_readings,
    with_worn_t,
    word_is_lowercase,
    word_score,
)
from app.document import Alternative, Block, Document, Glyph, Line, Page, Region, Word, union_bbox
from app.readings import PageReadings
from segmentation import (
    GlyphBox,
    LineBox,
    PageLayout,
    SegmentOptions,
    WordBox,
    cut_glyph,
    glyph_ink,
    join_glyphs,
    line_typical_width,
    may_be_one_glyph,
    normalize,
    segment,
)

#: A glyph kept whole though wide enough to be cut (``SegmentOptions.split_min_ratio``) is cut in two
#: after all, or two narrow neighbours are joined, when that can make a word, or one this many times as
#: frequent as the word read ("brom" -> "brown", "i'orest" -> "forest").
REREAD_GAIN = 30.0
#: In a word that is no word, glyphs from this many typical widths are tried for cuts ("leuer"), and from
#: :data:`NARROW_CUT_RATIO` when that can make a common word (:data:`COMMON_WORD` frequency: "leHer",
#: "oHice": a touching "tt" or "ff" is only about as wide as a typical letter).
UNLISTED_CUT_RATIO = 1.2
NARROW_CUT_RATIO = 0.95
COMMON_WORD = 1e-5
#: A glyph this many typical widths wide, unless it reads as a letter that wide (:data:`WIDE_LETTERS`),
#: is tried for a cut into a word at least a tenth as frequent as the one read (``TOO_WIDE_RARER``, log10;
#: "lay" -> "lazy": a touching "az" read as one "a"); a cut into two letters that makes one gets
#: :data:`TOO_WIDE_CREDIT` (log odds) on top of its score.
VERY_WIDE_RATIO = 2.0
WIDE_LETTERS = frozenset("mwMW")
TOO_WIDE_CREDIT = 3.0
TOO_WIDE_RARER = 1.0
TOO_WIDE_GAIN = 10.0 ** -TOO_WIDE_RARER


class PageRereader:
    """Cuts or joins glyphs of one page and reads the result, for words that may read better so."""

    def __init__(self, layout: PageLayout, memo: PageReadings, top_k: int) -> None:
        self.layout, self.memo, self.top_k = layout, memo, top_k

    def cut(self, box: GlyphBox, typical: float) -> tuple[list[GlyphBox], Readings]:
        """The glyph cut in two at its best cut (see :func:`segmentation.cut_glyph`), and their readings."""
        return self._read(cut_glyph(self.layout, box, typical, self.memo.confidence))

    def join(self, first: GlyphBox, second: GlyphBox, typical: float) -> tuple[list[GlyphBox], Readings]:
        """The two glyphs as one (see :func:`segmentation.join_glyphs`), and its readings."""
        joined = join_glyphs(self.layout, first, second, typical)
        return self._read([joined] if joined is not None else [])

    def _read(self, glyphs: list[GlyphBox]) -> tuple[list[GlyphBox], Readings]:
        crops = [glyph.crop for glyph in glyphs if glyph.crop is not None]
        if not glyphs or len(crops) < len(glyphs):
            return [], []
        return glyphs, self.memo.readings(np.stack(crops), k=self.top_k)


ENGINES = ("line", "glyph")


@dataclass
class PipelineOptions:
    """What the pipeline does; every field has a sensible default."""

    lexicon: bool = True
    top_k: int = 5
    split_touching: bool = True
    model_path: Path | None = None
    dpi: float = 300.0
    segment: SegmentOptions = field(default_factory=SegmentOptions)
    decode: DecodeOptions | None = None
    engine: str = "line"  # "line": whole lines through the CTC line model; "glyph": character by character
    line_model_path: Path | None = None
    threads: int | None = None  # the model's threads (None: every core this process may use)
    interactive: bool = False  # a window shares the cores: the model's threads do not busy-wait


def join_split_numbers(words: list[tuple[WordBox, Readings]]) -> list[tuple[WordBox, Readings]]:
    """Join a number that word segmentation cut apart (``1 777``).

    A narrow digit such as a sans-serif ``1`` keeps the full width of a tabular figure,
    so the gap beside it can look like a word space. Two neighbours whose facing glyphs
    both read as digits are joined when their gap is under 3/4 of the line's median
    word gap, or under 0.93 of it when a ``1`` faces the gap and one side is a lone glyph
    (``1 178``, ``91 8``; blur widens the gap beside a ``1`` most). Gaps are measured only on
    lines with at least three.
    """
    if len(words) < 4:
        return words
    gaps = [b.bbox[0] - a.bbox[2] for (a, _), (b, _) in itertools.pairwise(words)]
    median = float(np.median(gaps))
    joined = [words[0]]
    for (box, raw), gap in zip(words[1:], gaps, strict=True):
        last_box, last_raw = joined[-1]
        left, right = last_raw[-1][0][0], raw[0][0][0]
        lone = len(last_raw) == 1 or len(raw) == 1
        limit = (0.93 if "1" in (left, right) and lone else 0.75) * median
        if gap < limit and left.isdigit() and right.isdigit():
            joined[-1] = (WordBox(union_bbox([last_box.bbox, box.bbox]), last_box.glyphs + box.glyphs),
                          last_raw + raw)
        else:
            joined.append((box, raw))
    return joined


@dataclass
class Flow:
    """What the words read so far on a page say about the next one."""

    sentence_start: bool = True
    open_brackets: int = 0  # brackets opened on this line or the one before and not closed yet
    _opened_on_line: int = field(default=0, init=False, repr=False)  # the net count of this line so far

    def start_line(self, paragraph_start: bool) -> None:
        """A new line: brackets left open on lines before the last one are forgotten (a misread one
        would otherwise stay open to the end of the page)."""
        self.sentence_start |= paragraph_start
        self.open_brackets, self._opened_on_line = self._opened_on_line, 0

    def read(self, text: str) -> None:
        """Take in the next word as read."""
        self.sentence_start = ends_sentence(text)
        opened = sum(text.count(c) for c in OPENING) - sum(text.count(c) for c in CLOSING)
        self.open_brackets = max(0, self.open_brackets + opened)
        self._opened_on_line = max(0, self._opened_on_line + opened)


class Change(NamedTuple):
    """A second look at a word's glyphs: the glyph at ``start`` cut in two, or it and the next joined."""

    start: int
    cut: bool
    credit: float = 0.0  # log odds added to the score of what it reads (a glyph far too wide for its letter)


def _changes_worth_reading(read: Word, listed: bool, glyphs: list[GlyphBox], typical: float,
                           split_min_ratio: float) -> list[Change]:
    """The cuts and joins of a word's glyphs that the word list says could make a word, or a more
    frequent one; asking it first costs a dictionary look-up instead of a model call per change."""
    at, position = 0, {}  # where each glyph's text is in the word as read
    for glyph in read.glyphs:
        position[glyph.bbox] = at
        at += len(glyph.text)
    least = (split_min_ratio if listed else NARROW_CUT_RATIO) * typical
    width = [box.deskewed_bbox[2] - box.deskewed_bbox[0] for box in glyphs]
    # the widest glyph kept whole is the one that may hold two letters (a word seldom has two such)
    wide = max((n for n, box in enumerate(glyphs) if not (box.split or box.is_small_mark)),
               key=width.__getitem__, default=-1)
    changes = []
    for n, box in enumerate(glyphs):
        at = position.get(box.bbox, -1)
        if at < 0:
            continue
        too_wide = width[n] >= VERY_WIDE_RATIO * typical and read.text[at] not in WIDE_LETTERS
        common = COMMON_WORD if width[n] < UNLISTED_CUT_RATIO * typical else 0.0
        if (n == wide and width[n] >= least and read.text[at].isalpha()
                and two_letters_make_a_word(read.text, at, TOO_WIDE_GAIN if too_wide else REREAD_GAIN, common)):
            changes.append(Change(n, cut=True, credit=TOO_WIDE_CREDIT if too_wide else 0.0))
        if (n + 1 < len(glyphs) and position.get(glyphs[n + 1].bbox) == at + 1
                and may_be_one_glyph(box, glyphs[n + 1], typical) and out_of_place_marks_only(read.text, at, at + 2)
                and one_letter_makes_a_word(read.text, at, REREAD_GAIN)):
            changes.append(Change(n, cut=False))
    return changes


class Pipeline:
    """Recognise page images into result-model pages. The model loads once, on first use."""

    def __init__(self, options: PipelineOptions | None = None, predictor: object | None = None,
                 line_predictor: object | None = None) -> None:
        self.options = options or PipelineOptions()
        self._predictor = predictor
        self._line_predictor: Any = line_predictor
        self._lock = threading.Lock()
        if self.options.engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {self.options.engine!r}")

    @property
    def predictor(self) -> Any:
        """The :class:`recognizer.Predictor`, loaded lazily (thread-safe)."""
        with self._lock:
            if self._predictor is None:
                from recognizer import Predictor

                path = self.options.model_path
                kwargs = {"threads": self.options.threads, "spin": not self.options.interactive}
                self._predictor = Predictor.load(path, **kwargs) if path else Predictor.from_resources(**kwargs)
            return self._predictor

    @property
    def line_predictor(self) -> Any:
        """The :class:`recognizer.line_predictor.LinePredictor`, loaded lazily (thread-safe)."""
        with self._lock:
            if self._line_predictor is None:
                from recognizer.line_predictor import LinePredictor

                kwargs: dict[str, Any] = {"threads": self.options.threads, "spin": not self.options.interactive}
                path = self.options.line_model_path
                self._line_predictor = LinePredictor(path, **kwargs) if path else LinePredictor.from_resources(**kwargs)
            return self._line_predictor

    def layout(self, image: np.ndarray, readings: PageReadings | None = None) -> PageLayout:
        """Segment a page, letting the recognizer choose cuts of touching characters."""
        if not self.options.split_touching:
            return segment(image, self.options.segment)
        memo = readings or PageReadings(self.predictor)
        return segment(image, self.options.segment, score_fn=memo.confidence, join_fn=memo.letter_confidence,
                       context_fns={"x-height": memo.short_confidence, "in-word": memo.in_word_confidence,
                                    "in-word-tall": memo.tall_in_word_confidence})

    def recognize_image(self, image: np.ndarray, index: int = 0, source: str = "", dpi: float | None = None) -> Page:
        """Recognise one grey page image."""
        if self.options.engine == "line":
            return self._recognize_lines(image, index, source, dpi)
        memo = PageReadings(self.predictor)
        layout = self.layout(image, memo)
        glyph_boxes = layout.glyphs()
        page = Page(index=index, width=int(image.shape[1]), height=int(image.shape[0]),
                    dpi=float(dpi or self.options.dpi), skew_angle=float(layout.skew_angle), source=source)
        if not glyph_boxes:
            return page
        readings = iter(memo.readings(normalize(image, glyph_boxes, layout), k=self.options.top_k))
        blocks: dict[int, Block] = {}
        flow = Flow()
        rereader = None
        if self.options.lexicon and self.options.split_touching:
            rereader = PageRereader(layout, memo, self.options.top_k)
        for line_box in layout.lines:
            flow.start_line(line_box.paragraph_start)
            line = self._line(line_box, readings, flow, rereader, layout)
            block = blocks.setdefault(line_box.block, Block(bbox=line.bbox))
            block.lines.append(line)
        for block in blocks.values():
            block.bbox = union_bbox([ln.bbox for ln in block.lines])
        page.blocks = [blocks[k] for k in sorted(blocks)]
        return page

    def _recognize_lines(self, image: np.ndarray, index: int, source: str, dpi: float | None) -> Page:
        """The line engine: the page's text lines read whole by the line model."""
        from app.line_engine import is_noise, read_lines
        from segmentation.textlines import find_text_lines

        found = find_text_lines(image, self.options.segment.max_pixels)
        slopes = [line.slope for line in found.lines]
        skew = float(np.degrees(np.arctan(np.median(slopes)))) if slopes else 0.0
        page = Page(index=index, width=int(image.shape[1]), height=int(image.shape[0]),
                    dpi=float(dpi or self.options.dpi), skew_angle=skew, source=source)
        blocks: dict[int, Block] = {}
        read = read_lines(found, self.line_predictor, self._decode_options, self.options.top_k) if found.lines else []
        for text_line, line in read:
            if not is_noise(line):
                blocks.setdefault(text_line.block, Block(bbox=line.bbox)).lines.append(line)
        for block in blocks.values():
            block.bbox = union_bbox([ln.bbox for ln in block.lines])
        page.blocks = [blocks[k] for k in sorted(blocks)]
        least = found.text_height ** 2  # specks are not worth a region
        page.regions = [Region(box, kind) for box, kind in found.nontext
                        if (box[2] - box[0]) * (box[3] - box[1]) >= least]
        return page

    def _line(self, line_box: LineBox, readings: Iterator[list[tuple[str, float]]], flow: Flow,
              rereader: PageRereader | None = None, layout: PageLayout | None = None) -> Line:
        line = Line(bbox=tuple(int(v) for v in line_box.bbox), baseline=float(line_box.baseline),  # type: ignore[arg-type]
                    x_height=float(line_box.x_height), paragraph_start=bool(line_box.paragraph_start))
        words = [(box, [next(readings) for _ in box.glyphs]) for box in line_box.words]
        typical = line_typical_width(line_box) if rereader is not None else None
        for word_box, raw in join_split_numbers(words):
            word = self._word(word_box.bbox, word_box.glyphs, raw, flow, layout)
            listed = in_word_list(word.text)
            if rereader is not None and typical is not None and listed is not None:
                word = self._reread(word, listed, word_box, raw, flow, typical, rereader) or word
            line.words.append(word)
            flow.read(word.text)
        return line

    def _reread(self, read: Word, listed: bool, word_box: WordBox, raw: Readings, flow: Flow, typical: float,
                rereader: PageRereader) -> Word | None:
        """The word read again with a wide glyph cut in two, or two narrow neighbours joined, where that
        could make a (more frequent) word: a touching "wn" kept whole as "m" in "brom", a broken "f" read
        as "i'" in "i'orest". The best such reading if it beats the word as read, else None."""
        glyphs = word_box.glyphs
        options = self._decode_options
        best, floor = None, None  # floor: the score to beat, the word as read (worked out when needed)
        for change in _changes_worth_reading(read, listed, glyphs, typical, self.options.segment.split_min_ratio):
            new_glyphs, readings = (rereader.cut(glyphs[change.start], typical) if change.cut
                                    else rereader.join(glyphs[change.start], glyphs[change.start + 1], typical))
            if not new_glyphs:
                continue
            end = change.start + (1 if change.cut else 2)
            word = self._word(word_box.bbox, [*glyphs[: change.start], *new_glyphs, *glyphs[end:]],
                              [*raw[: change.start], *readings, *raw[end:]], flow, rereader.layout)
            new_boxes = {glyph.bbox for glyph in new_glyphs}
            if not in_word_list(word.text) or not all(g.text.isalpha() for g in word.glyphs if g.bbox in new_boxes):
                continue  # letters are cut and joined into letters ("Ma-nv" is no word either)
            if floor is None:
                floor = reading_score(read.text, (g.confidence for g in read.glyphs), options)
            credit = change.credit if change.credit and (
                len(word.text) == len(read.text) + 1
                and word_score(word.text) >= word_score(read.text) - TOO_WIDE_RARER) else 0.0
            score = reading_score(word.text, (g.confidence for g in word.glyphs), options) + credit
            if score > floor:
                best, floor = word, score
        return best

    @property
    def _decode_options(self) -> DecodeOptions:
        return self.options.decode or DecodeOptions(lexicon=self.options.lexicon)

    def _word(self, bbox: tuple[int, int, int, int], boxes: list[GlyphBox],
              raw: Readings, flow: Flow | None = None, layout: PageLayout | None = None) -> Word:
        flow = flow or Flow(sentence_start=False, open_brackets=1)  # a word on its own: anything goes
        geometries = [GlyphGeometry(top=b.bbox[1], bottom=b.bbox[3], baseline=b.baseline, x_height=b.x_height,
                                    left=b.bbox[0], right=b.bbox[2], small_mark=b.is_small_mark,
                                    cap_height=b.baseline - b.line_top) for b in boxes]
        raw = [self._small_mark(r, g) if g.small_mark or is_mark_like(r, g) else r
               for r, g in zip(raw, geometries, strict=True)]
        raw = reweigh_brackets(raw, flow.open_brackets > 0, geometries)
        raw = with_speck_readings(with_worn_t(raw, geometries), geometries, [b.split for b in boxes])
        raw = reweigh_by_height(with_other_case(raw), geometries)
        lowercase = word_is_lowercase([r[0][0] for r in raw], list(geometries))
        # the word's case for each glyph; it decides a tall K, L or I (as tall as k, l and a dotted i):
        # the capital at the start of a sentence, the small letter after the first one of an undecided word
        first = next((n for n, r in enumerate(raw) if r[0][0].isalnum()), None)
        case_of: list[bool | None] = []
        for n in range(len(raw)):
            if n == first:
                case_of.append(False if flow.sentence_start else lowercase)
            else:
                case_of.append(True if lowercase is None else lowercase)
        # a word's first letter may be a capital in mid-sentence ("London"): print shows it
        shaped: dict[str, bool | None] = {}
        if (first is not None and layout is not None and any(c in "KLI" for c, _ in raw[first])
                and (ink := glyph_ink(layout, boxes[first])) is not None):
            shaped = {c: lowercase_by_shape(c, ink, len(boxes[first].components)) for c, _ in raw[first] if c in "KLI"}
        cased = [[(decide_case(c, g, case_of[n] if shaped.get(c) is None or n != first else shaped[c],
                               inside=first is not None and n > first), p)
                  for c, p in r] for n, (r, g) in enumerate(zip(raw, geometries, strict=True))]
        chosen = decode_word(cased, self._decode_options)
        if all(not cased[n][pick][0] for n, pick in enumerate(chosen)):  # nothing but specks: keep the marks
            chosen = [next(i for i, (c, _) in enumerate(candidates) if c) for candidates in cased]
        glyphs = []
        for box, candidates, pick in zip(boxes, cased, chosen, strict=True):
            text, prob = candidates[pick]
            if not text:  # a speck, or the stroke that joined two letters
                continue
            glyphs.append(Glyph(
                bbox=tuple(int(v) for v in box.bbox),  # type: ignore[arg-type]
                text=text, confidence=prob, raw_text=next(c for c, _ in candidates if c),
                alternatives=[Alternative(c, p) for c, p in candidates if c]))
        return Word(bbox=tuple(int(v) for v in bbox), glyphs=glyphs)  # type: ignore[arg-type]

    def _small_mark(self, readings: list[tuple[str, float]], geometry: GlyphGeometry) -> list[tuple[str, float]]:
        """Punctuation-sized glyph: its place on the line decides between look-alike marks."""
        if "." in self.predictor.classes:
            return reweigh_small_mark(readings, geometry)
        # a model without punctuation classes: the mark's place and shape are all we have
        return [(mark_from_geometry(geometry), 0.5)] + [(c, p * 0.5) for c, p in readings[:-1]]

    def recognize_file(self, path: str | Path, *, cancel: threading.Event | None = None,
                       max_pixels: int | None = None) -> Iterator[Page]:
        """Recognise every page of a file, one page at a time (a generator)."""
        from app.io import load_pages

        kwargs: dict[str, Any] = {"dpi": self.options.dpi}
        if max_pixels is not None:
            kwargs["max_pixels"] = max_pixels
        for page_image in load_pages(path, **kwargs):
            if cancel is not None and cancel.is_set():
                return
            yield self.recognize_image(page_image.image, page_image.index, page_image.source, page_image.dpi)

    def recognize_document(self, path: str | Path) -> Document:
        """All pages of one file as a :class:`Document`."""
        return Document(source=str(path), pages=list(self.recognize_file(path)), model=self.predictor.name)
