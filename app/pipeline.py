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
from typing import Any

import numpy as np

from app.decode import (
    DecodeOptions,
    GlyphGeometry,
    decide_case,
    decode_word,
    ends_sentence,
    is_mark_like,
    mark_from_geometry,
    reweigh_small_mark,
    word_is_lowercase,
)
from app.document import Alternative, Block, Document, Glyph, Line, Page, Word, union_bbox
from segmentation import GlyphBox, LineBox, PageLayout, SegmentOptions, WordBox, normalize, segment


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


Readings = list[list[tuple[str, float]]]


def join_split_numbers(words: list[tuple[WordBox, Readings]]) -> list[tuple[WordBox, Readings]]:
    """Join a number that word segmentation cut apart (``1 777``).

    A narrow digit such as a sans-serif ``1`` keeps the full width of a tabular figure,
    so the gap beside it can look like a word space. Two neighbours whose facing glyphs
    both read as digits are joined when their gap is under 3/4 of the line's median
    word gap (measured only on lines with at least three gaps).
    """
    if len(words) < 4:
        return words
    gaps = [b.bbox[0] - a.bbox[2] for (a, _), (b, _) in itertools.pairwise(words)]
    limit = 0.75 * float(np.median(gaps))
    joined = [words[0]]
    for (box, raw), gap in zip(words[1:], gaps, strict=True):
        last_box, last_raw = joined[-1]
        if gap < limit and last_raw[-1][0][0].isdigit() and raw[0][0][0].isdigit():
            joined[-1] = (WordBox(union_bbox([last_box.bbox, box.bbox]), last_box.glyphs + box.glyphs),
                          last_raw + raw)
        else:
            joined.append((box, raw))
    return joined


#: Marks that a speck of ink between two letters of a handwritten word is often read as.
SPECK_MARKS = frozenset("-.,:;")


def with_speck_readings(raw: Readings, geometries: list[GlyphGeometry], split: list[bool]) -> Readings:
    """Give a small mark between two letters the extra reading "nothing" (a speck of ink).

    Its probability is half the mark's, so without the lexicon the mark stays; with it
    the word decides (``w-ith`` becomes ``with``, ``psalm-hymn`` keeps its hyphen). A hyphen
    cut out of a wider component is the stroke that joined two hand-written letters (the
    long bar of a ``t``): there "nothing" comes first.
    """
    out = list(raw)
    for n, readings in enumerate(raw):
        top, prob = readings[0]
        if top not in SPECK_MARKS:
            continue
        if split[n] and top == "-":
            out[n] = [("", prob), *((c, 0.5 * p) for c, p in readings)]
        elif (0 < n < len(raw) - 1 and geometries[n].small_mark and raw[n - 1][0][0].isalpha()
              and raw[n + 1][0][0].isalpha()):
            out[n] = [*readings, ("", 0.5 * prob)]
    return out


class PageReadings:
    """The recognizer's outputs for one page's crops, remembered by crop content.

    Segmentation scores whole wide components and the pieces it may cut them into;
    the crops it keeps are the ones the page is then read with, so their logits are
    looked up here instead of being computed twice.
    """

    def __init__(self, predictor: Any) -> None:
        self.predictor = predictor
        self._logits: dict[bytes, np.ndarray] = {}

    def confidence(self, crops: np.ndarray) -> np.ndarray:
        """Calibrated top-1 probability of each crop (the segmentation's score function)."""
        if len(crops) == 0:
            return np.zeros(0)
        logits = self.predictor.logits(crops)
        self._logits.update(zip((crop.tobytes() for crop in crops), logits, strict=True))
        return np.asarray(self.predictor.calibrated(logits).max(axis=1))

    def letter_confidence(self, crops: np.ndarray) -> np.ndarray:
        """Calibrated probability of each crop's most likely letter or digit (for joining broken glyphs)."""
        if len(crops) == 0:
            return np.zeros(0)
        logits = self.predictor.logits(crops)
        self._logits.update(zip((crop.tobytes() for crop in crops), logits, strict=True))
        letters = np.array([c.isalnum() for c in self.predictor.classes])
        return np.asarray(self.predictor.calibrated(logits)[:, letters].max(axis=1))

    def predict(self, crops: np.ndarray, k: int) -> Any:
        """Top-k prediction of every crop, running the model only on crops not seen before."""
        keys = [crop.tobytes() for crop in crops]
        missing = [i for i, key in enumerate(keys) if key not in self._logits]
        if missing:
            self._logits.update(zip((keys[i] for i in missing), self.predictor.logits(crops[missing]), strict=True))
        logits = np.stack([self._logits[key] for key in keys])
        return self.predictor.top_k(logits, k=k)


class Pipeline:
    """Recognise page images into result-model pages. The model loads once, on first use."""

    def __init__(self, options: PipelineOptions | None = None, predictor: object | None = None) -> None:
        self.options = options or PipelineOptions()
        self._predictor = predictor
        self._lock = threading.Lock()

    @property
    def predictor(self) -> Any:
        """The :class:`recognizer.Predictor`, loaded lazily (thread-safe)."""
        with self._lock:
            if self._predictor is None:
                from recognizer import Predictor

                path = self.options.model_path
                self._predictor = Predictor.load(path) if path else Predictor.from_resources()
            return self._predictor

    def layout(self, image: np.ndarray, readings: PageReadings | None = None) -> PageLayout:
        """Segment a page, letting the recognizer choose cuts of touching characters."""
        if not self.options.split_touching:
            return segment(image, self.options.segment)
        memo = readings or PageReadings(self.predictor)
        return segment(image, self.options.segment, score_fn=memo.confidence, join_fn=memo.letter_confidence)

    def recognize_image(self, image: np.ndarray, index: int = 0, source: str = "", dpi: float | None = None) -> Page:
        """Recognise one grey page image."""
        memo = PageReadings(self.predictor)
        layout = self.layout(image, memo)
        glyph_boxes = layout.glyphs()
        page = Page(index=index, width=int(image.shape[1]), height=int(image.shape[0]),
                    dpi=float(dpi or self.options.dpi), skew_angle=float(layout.skew_angle), source=source)
        if not glyph_boxes:
            return page
        crops = normalize(image, glyph_boxes, layout)
        prediction = memo.predict(crops, k=self.options.top_k)
        classes = self.predictor.classes
        readings = iter(
            [(classes[i], float(p)) for i, p in zip(idx, probs, strict=True)]
            for idx, probs in zip(prediction.indices, prediction.probabilities, strict=True)
        )
        blocks: dict[int, Block] = {}
        sentence_start = True
        for line_box in layout.lines:
            line = self._line(line_box, readings, sentence_start or line_box.paragraph_start)
            if line.words:
                sentence_start = ends_sentence(line.words[-1].text)
            block = blocks.setdefault(line_box.block, Block(bbox=line.bbox))
            block.lines.append(line)
        for block in blocks.values():
            block.bbox = union_bbox([ln.bbox for ln in block.lines])
        page.blocks = [blocks[k] for k in sorted(blocks)]
        return page

    def _line(self, line_box: LineBox, readings: Iterator[list[tuple[str, float]]], sentence_start: bool) -> Line:
        line = Line(bbox=tuple(int(v) for v in line_box.bbox), baseline=float(line_box.baseline),  # type: ignore[arg-type]
                    x_height=float(line_box.x_height), paragraph_start=bool(line_box.paragraph_start))
        words = [(box, [next(readings) for _ in box.glyphs]) for box in line_box.words]
        for word_box, raw in join_split_numbers(words):
            word = self._word(word_box.bbox, word_box.glyphs, raw, sentence_start)
            line.words.append(word)
            sentence_start = ends_sentence(word.text)
        return line

    def _word(self, bbox: tuple[int, int, int, int], boxes: list[GlyphBox],
              raw: list[list[tuple[str, float]]], sentence_start: bool = False) -> Word:
        geometries = [GlyphGeometry(top=b.bbox[1], bottom=b.bbox[3], baseline=b.baseline, x_height=b.x_height,
                                    left=b.bbox[0], right=b.bbox[2], small_mark=b.is_small_mark,
                                    cap_height=b.baseline - b.line_top) for b in boxes]
        raw = [self._small_mark(r, g) if g.small_mark or is_mark_like(r, g) else r
               for r, g in zip(raw, geometries, strict=True)]
        raw = with_speck_readings(raw, geometries, [b.split for b in boxes])
        lowercase = word_is_lowercase([r[0][0] for r in raw], list(geometries))
        # a capital K, L or I looks like k, l or a dotted i: at the start of a sentence it is the capital,
        # after the first letter of a word that is undecided ("Old") the small letter
        first = next((n for n, r in enumerate(raw) if r[0][0].isalnum()), None)
        case_of = [False if sentence_start and n == first else lowercase if lowercase is not None or n == first
                   else True for n in range(len(raw))]
        cased = [[(decide_case(c, g, case_of[n]), p) for c, p in r]
                 for n, (r, g) in enumerate(zip(raw, geometries, strict=True))]
        decode_options = self.options.decode or DecodeOptions(lexicon=self.options.lexicon)
        chosen = decode_word(cased, decode_options)
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
