"""The recognition pipeline shared by the command line and the GUI.

page image -> segmentation -> normalised crops -> recognizer (one batch per page)
-> case and context decoding -> :class:`app.document.Page`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.decode import (
    DecodeOptions,
    GlyphGeometry,
    decide_case,
    decode_word,
    mark_from_geometry,
    reweigh_small_mark,
    word_is_lowercase,
)
from app.document import Alternative, Block, Document, Glyph, Line, Page, Word, union_bbox
from segmentation import GlyphBox, LineBox, PageLayout, SegmentOptions, normalize, segment


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

    def _score_crops(self, crops: np.ndarray) -> np.ndarray:
        if len(crops) == 0:
            return np.zeros(0)
        return self.predictor.predict(crops, k=1).probabilities[:, 0]

    def layout(self, image: np.ndarray) -> PageLayout:
        """Segment a page, letting the recognizer choose cuts of touching characters."""
        score_fn: Callable[[np.ndarray], np.ndarray] | None = (
            self._score_crops if self.options.split_touching else None
        )
        return segment(image, self.options.segment, score_fn=score_fn)

    def recognize_image(self, image: np.ndarray, index: int = 0, source: str = "", dpi: float | None = None) -> Page:
        """Recognise one grey page image."""
        layout = self.layout(image)
        glyph_boxes = layout.glyphs()
        page = Page(index=index, width=int(image.shape[1]), height=int(image.shape[0]),
                    dpi=float(dpi or self.options.dpi), skew_angle=float(layout.skew_angle), source=source)
        if not glyph_boxes:
            return page
        crops = normalize(image, glyph_boxes, layout)
        prediction = self.predictor.predict(crops, k=self.options.top_k)
        classes = self.predictor.classes
        readings = iter(
            [(classes[i], float(p)) for i, p in zip(idx, probs, strict=True)]
            for idx, probs in zip(prediction.indices, prediction.probabilities, strict=True)
        )
        blocks: dict[int, Block] = {}
        for line_box in layout.lines:
            line = self._line(line_box, readings)
            block = blocks.setdefault(line_box.block, Block(bbox=line.bbox))
            block.lines.append(line)
        for block in blocks.values():
            block.bbox = union_bbox([ln.bbox for ln in block.lines])
        page.blocks = [blocks[k] for k in sorted(blocks)]
        return page

    def _line(self, line_box: LineBox, readings: Iterator[list[tuple[str, float]]]) -> Line:
        line = Line(bbox=tuple(int(v) for v in line_box.bbox), baseline=float(line_box.baseline),  # type: ignore[arg-type]
                    x_height=float(line_box.x_height), paragraph_start=bool(line_box.paragraph_start))
        for word_box in line_box.words:
            raw = [next(readings) for _ in word_box.glyphs]
            line.words.append(self._word(word_box.bbox, word_box.glyphs, raw))
        return line

    def _word(self, bbox: tuple[int, int, int, int], boxes: list[GlyphBox],
              raw: list[list[tuple[str, float]]]) -> Word:
        geometries = [GlyphGeometry(top=b.bbox[1], bottom=b.bbox[3], baseline=b.baseline, x_height=b.x_height,
                                    left=b.bbox[0], right=b.bbox[2], small_mark=b.is_small_mark) for b in boxes]
        raw = [self._small_mark(r, g) if g.small_mark else r for r, g in zip(raw, geometries, strict=True)]
        lowercase = word_is_lowercase([r[0][0] for r in raw], list(geometries))
        cased = [[(decide_case(c, g, lowercase), p) for c, p in r] for r, g in zip(raw, geometries, strict=True)]
        decode_options = self.options.decode or DecodeOptions(lexicon=self.options.lexicon)
        chosen = decode_word(cased, decode_options)
        glyphs = []
        for box, candidates, pick in zip(boxes, cased, chosen, strict=True):
            text, prob = candidates[pick]
            glyphs.append(Glyph(
                bbox=tuple(int(v) for v in box.bbox),  # type: ignore[arg-type]
                text=text, confidence=prob, raw_text=candidates[0][0],
                alternatives=[Alternative(c, p) for c, p in candidates]))
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
