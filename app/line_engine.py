"""The line engine: page layout -> line crops -> CTC line recognizer -> words and characters.

Each text line that segmentation found is cut from the deskewed, illumination-corrected page with
a margin, read whole by :class:`recognizer.line_predictor.LinePredictor`, and decoded
(:mod:`app.line_decode`). A character's box spans the frames the CTC alignment gives it, narrowed
to the ink inside; spaces separate words. Boxes go back to original page coordinates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from app.document import Alternative, Glyph, Line, Word
from recognizer.ctc import CharSpan, char_boundaries
from segmentation.skew import boxes_to_original
from segmentation.types import LineBox, PageLayout

log = logging.getLogger("glyphic")

#: Margin around a line's ink, as fractions of the line's height (above/below, left/right).
MARGIN_Y = 0.25
MARGIN_X = 0.4


@dataclass
class LineCrop:
    """A line's crop from the deskewed page and where it lies there."""

    line: LineBox
    image: np.ndarray
    left: int
    top: int
    ink_box: tuple[int, int, int, int]  # the line's ink in deskewed page coordinates


def deskewed_paper(layout: PageLayout, image: np.ndarray) -> np.ndarray:
    """The deskewed, illumination-corrected page as dark ink on light paper (the page itself if none)."""
    if layout.ink is not None:
        return 255 - layout.ink
    return image if image.ndim == 2 else image.mean(axis=2).astype(np.uint8)


def line_crops(layout: PageLayout, paper: np.ndarray) -> list[LineCrop]:
    """Every line of ``layout`` cut from ``paper`` (deskewed coordinates) with its margins."""
    crops = []
    for line in layout.lines:
        boxes = np.array([g.deskewed_bbox for w in line.words for g in w.glyphs])
        x0, y0 = int(boxes[:, 0].min()), int(boxes[:, 1].min())
        x1, y1 = int(boxes[:, 2].max()), int(boxes[:, 3].max())
        h = max(1, y1 - y0)
        top, bottom = max(0, y0 - round(MARGIN_Y * h)), min(paper.shape[0], y1 + round(MARGIN_Y * h))
        left, right = max(0, x0 - round(MARGIN_X * h)), min(paper.shape[1], x1 + round(MARGIN_X * h))
        crops.append(LineCrop(line, paper[top:bottom, left:right], left, top, (x0, y0, x1, y1)))
    return crops


def line_result(crop: LineCrop, chars: list[CharSpan], frames: int, pixels_per_frame: float,
                layout: PageLayout, binary: np.ndarray | None) -> Line:
    """The document line of one decoded crop (boxes in original page coordinates)."""
    line = crop.line
    result = Line(bbox=tuple(int(v) for v in line.bbox), baseline=float(line.baseline),  # type: ignore[arg-type]
                  x_height=float(line.x_height), paragraph_start=bool(line.paragraph_start))
    if not chars:
        return result
    x0, y0, x1, y1 = crop.ink_box
    boxes = []
    for left, right in char_boundaries(chars, frames):
        a = crop.left + int(left * pixels_per_frame)
        b = max(a + 1, crop.left + int(np.ceil(right * pixels_per_frame)))
        boxes.append(_tight((max(a, x0 - 1), y0, min(b, x1 + 1), y1), binary))
    original = boxes_to_original(np.array(boxes).reshape(-1, 4), layout.rotation, layout.width, layout.height)
    words: list[list[Glyph]] = [[]]
    for char, box in zip(chars, original, strict=True):
        if char.text == " ":
            if words[-1]:
                words.append([])
            continue
        bbox = tuple(int(v) for v in box)
        words[-1].append(Glyph(bbox=bbox, text=char.text, confidence=char.confidence,  # type: ignore[arg-type]
                               alternatives=[Alternative(c, p) for c, p in char.alternatives if c != " "],
                               raw_text=char.text))
    for glyphs in words:
        if glyphs:
            result.words.append(Word(bbox=_union([g.bbox for g in glyphs]), glyphs=glyphs))
    return result


def _tight(box: tuple[int, int, int, int], binary: np.ndarray | None) -> tuple[int, int, int, int]:
    """``box`` narrowed to the ink inside it (unchanged when it holds none)."""
    x0, y0, x1, y1 = box
    if binary is None or x1 <= x0 or y1 <= y0:
        return box
    part = binary[y0:y1, x0:x1]
    cols, rows = np.flatnonzero(part.any(0)), np.flatnonzero(part.any(1))
    if not len(cols):
        return box
    return x0 + int(cols[0]), y0 + int(rows[0]), x0 + int(cols[-1]) + 1, y0 + int(rows[-1]) + 1


def _union(boxes: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    array = np.array(boxes)
    return int(array[:, 0].min()), int(array[:, 1].min()), int(array[:, 2].max()), int(array[:, 3].max())


def read_lines(layout: PageLayout, image: np.ndarray, predictor: object, decode_options: object,
               top_k: int = 5) -> list[tuple[LineBox, Line]]:
    """Read every line of ``layout``; a line the model cannot take is reported and skipped, never the page."""
    from app.line_decode import decode_line

    paper = deskewed_paper(layout, image)
    crops = line_crops(layout, paper)
    frames = _read_each(predictor, crops)
    results = []
    for crop, frame in zip(crops, frames, strict=True):
        if frame is None:
            continue
        chars = decode_line(frame.probs, predictor.classes, decode_options, top_k)  # type: ignore[attr-defined]
        results.append((crop.line, line_result(crop, chars, len(frame.probs), frame.pixels_per_frame, layout,
                                               layout.binary)))
    return results


def _read_each(predictor: object, crops: list[LineCrop]) -> list[object | None]:
    """The predictor's frames for every crop, None for one it refuses (with a logged reason)."""
    try:
        return list(predictor.read([c.image for c in crops]))  # type: ignore[attr-defined]
    except ValueError:
        pass
    frames: list[object | None] = []
    for crop in crops:
        try:
            frames.append(predictor.read([crop.image])[0])  # type: ignore[attr-defined]
        except ValueError as exc:
            log.warning("glyphic: line at %s skipped: %s", crop.line.bbox, exc)
            frames.append(None)
    return frames
