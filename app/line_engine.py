"""The line engine: page -> text lines -> CTC line recognizer -> words and characters.

Each line that :func:`segmentation.textlines.find_text_lines` finds is cut from the flattened page,
sheared level, with other lines' ink blanked (:func:`line_crop`), read whole by
:class:`recognizer.line_predictor.LinePredictor` and decoded (:mod:`app.line_decode`); a doubtful line
of slanted writing is read again set upright (:mod:`segmentation.slant`) and the surer reading kept.
A character's box spans the frames the CTC alignment gives it, cut from its neighbours at the faintest
column between them and narrowed to the line's ink there; spaces separate words. Both shears are
undone exactly when boxes go back to the page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np

from app.decode import DecodeOptions
from app.document import Alternative, Glyph, Line, Word, union_bbox
from recognizer.ctc import CharSpan, char_boundaries
from segmentation.slant import deslant, estimate_slant
from segmentation.textlines import PageLines, TextLine

if TYPE_CHECKING:
    from recognizer.line_predictor import LineFrames, LinePredictor

log = logging.getLogger("glyphic")

#: Margin around a line's ink: above and below as a share of the ink band but at least MARGIN_Y_MIN x-heights,
#: left and right in x-heights.
MARGIN_Y = 0.12
MARGIN_Y_MIN = 0.45
MARGIN_X = 1.0
#: Other lines' ink is blanked this many working-scale pixels around it.
BLANK_REACH = 1
#: A character's box reaches at most this many frames beyond the frames the CTC alignment gives it.
CHAR_REACH = 2.0
#: The cut between two letters of a word moves to a column between them with at most this share of the ink of
#: the line's typical inked column (a gap, or a thin join), if there is one.
FAINT_COLUMN = 0.25
#: Two characters whose ink lies further apart than this many x-heights are in different words, whatever
#: the model's spaces say.
WORD_GAP = 0.8
#: A line read with a lower mean confidence, or of at most two characters read with less than
#: :data:`SHORT_LINE_CONFIDENCE`, is taken for a speck, a picture or a flourish and left out.
MIN_LINE_CONFIDENCE = 0.25
SHORT_LINE_CONFIDENCE = 0.85


#: A line whose frames the model reads with a mean log-probability of its best class below this is read
#: again upright (its slant undone) when it leans at least MIN_SLANT; the more confident reading is kept.
DOUBTFUL_LINE = -0.05
MIN_SLANT = 0.1


@dataclass
class LineCrop:
    """A line's level crop: ``image[v, u]`` shows the page at x = u + left, y = v + top + slope * (x - centre),
    where u is the column before the crop was set upright (u = column - slant * (v - middle row))."""

    line: TextLine
    image: np.ndarray
    left: float
    top: float
    centre: float
    slant: float = 0.0

    def page_point(self, u: float, v: float) -> tuple[float, float]:
        """The page coordinates of crop point (u, v)."""
        x = u - self.slant * (v - self.image.shape[0] / 2) + self.left
        return x, v + self.top + self.line.slope * (x - self.centre)


def line_crop(page: PageLines, line: TextLine) -> LineCrop:
    """``line`` cut from the flattened page, level, with the ink of other lines and of non-text blanked."""
    x0, _, x1, _ = line.bbox
    top_band, bottom_band = line.band
    margin_y = max(MARGIN_Y * (bottom_band - top_band), MARGIN_Y_MIN * line.x_height)
    margin_x = MARGIN_X * max(line.x_height, 1.0)
    left, centre = x0 - margin_x, (x0 + x1) / 2
    top = line.baseline + top_band - margin_y  # at the centre
    width = max(2, round(x1 - x0 + 2 * margin_x))
    height = max(2, round(bottom_band - top_band + 2 * margin_y))
    crop = LineCrop(line, np.empty(0, np.uint8), left, top, centre)
    to_page = np.array([[1.0, 0.0, left], [line.slope, 1.0, top + line.slope * (left - centre)]])
    image = cv2.warpAffine(page.paper, to_page, (width, height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    owner = cv2.warpAffine(page.owner.astype(np.float32), to_page * page.scale, (width, height),
                           flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_CONSTANT,
                           borderValue=0)
    others = (owner != line.label) & (owner != 0)
    if others.any():
        reach = 2 * max(1, round(BLANK_REACH / page.scale)) + 1
        others = cv2.dilate(others.astype(np.uint8), np.ones((reach, reach), np.uint8)).astype(bool)
        image[others & (owner != line.label)] = 255
    crop.image = image
    return crop


def line_result(crop: LineCrop, chars: list[CharSpan], frames: int, pixels_per_frame: float,
                threshold: float) -> Line:
    """The document line of one decoded crop (boxes in original page coordinates)."""
    line = crop.line
    result = Line(bbox=line.bbox, baseline=float(line.baseline), x_height=float(line.x_height))
    if not chars:
        return result
    ink = crop.image < threshold
    words: list[list[Glyph]] = [[]]
    gap = WORD_GAP * max(line.x_height, 1.0)
    columns = _char_columns(chars, frames, pixels_per_frame, ink.sum(axis=0))
    for char, (a, b) in zip(chars, columns, strict=True):
        if char.text == " ":
            if words[-1]:
                words.append([])
            continue
        glyph = Glyph(bbox=_char_box(crop, ink, a, b), text=char.text, confidence=char.confidence,
                      alternatives=[Alternative(c, p) for c, p in char.alternatives],
                      raw_text=char.alternatives[0][0] if char.alternatives else char.text)
        if words[-1] and glyph.bbox[0] - words[-1][-1].bbox[2] > gap:
            words.append([])
        words[-1].append(glyph)
    for glyphs in words:
        if glyphs:
            result.words.append(Word(bbox=union_bbox([g.bbox for g in glyphs]), glyphs=glyphs))
    return result


def _char_columns(chars: list[CharSpan], frames: int, pixels_per_frame: float,
                  profile: np.ndarray) -> list[tuple[int, int]]:
    """Each character's crop columns: its frames' share of the line (reaching at most CHAR_REACH frames
    beyond the frames the alignment gives it: a wide gap beside it is not part of it); the cut between two
    letters of a word moves to the faintest column between their frames when that is a gap or a thin join."""
    columns = []
    for char, (left, right) in zip(chars, char_boundaries(chars, frames), strict=True):
        left, right = max(left, char.start - CHAR_REACH), min(right, char.end + 1 + CHAR_REACH)
        a = int(left * pixels_per_frame)
        columns.append((a, max(a + 1, int(np.ceil(right * pixels_per_frame)))))
    inked = profile[profile > 0]
    faint_limit = FAINT_COLUMN * float(np.median(inked)) if len(inked) else 0.0
    for n in range(len(chars) - 1):
        one, two = chars[n], chars[n + 1]
        if " " in (one.text, two.text) or columns[n][1] < columns[n + 1][0]:
            continue
        # between the middles of the two letters' frames, at the faintest column (nearest to the old cut
        # among equals)
        lo = int((one.start + one.end + 1) / 2 * pixels_per_frame)
        hi = min(len(profile), int((two.start + two.end + 1) / 2 * pixels_per_frame))
        window = profile[lo:hi]
        if len(window) < 2 or window.min() > faint_limit:
            continue
        faint = np.flatnonzero(window == window.min()) + lo
        cut = int(faint[np.abs(faint - columns[n][1]).argmin()])
        columns[n] = (columns[n][0], max(columns[n][0] + 1, cut))
        columns[n + 1] = (min(cut, columns[n + 1][1] - 1), columns[n + 1][1])
    return columns


def is_noise(line: Line) -> bool:
    """Whether a read line is more likely a speck, a picture piece or a flourish than text."""
    confidences = [g.confidence for word in line.words for g in word.glyphs]
    if not confidences:
        return True
    mean = float(np.mean(confidences))
    return mean < MIN_LINE_CONFIDENCE or (len(confidences) <= 2 and mean < SHORT_LINE_CONFIDENCE)


def _char_box(crop: LineCrop, ink: np.ndarray, a: int, b: int) -> tuple[int, int, int, int]:
    """The page box of crop columns a..b, narrowed to the ink there (the line's band when there is none)."""
    a, b = max(0, min(a, ink.shape[1] - 1)), max(1, min(b, ink.shape[1]))
    b = max(b, a + 1)
    part = ink[:, a:b]
    rows, cols = np.flatnonzero(part.any(1)), np.flatnonzero(part.any(0))
    if len(rows):
        u0, u1, v0, v1 = a + int(cols[0]), a + int(cols[-1]) + 1, int(rows[0]), int(rows[-1]) + 1
    else:
        u0, u1, v0, v1 = a, b, 0, ink.shape[0]
    corners = [crop.page_point(u, v) for u in (u0, u1) for v in (v0, v1)]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    return int(min(xs)), int(min(ys)), int(np.ceil(max(xs))), int(np.ceil(max(ys)))


def read_lines(page: PageLines, predictor: LinePredictor, decode_options: DecodeOptions | None,
               top_k: int = 5) -> list[tuple[TextLine, Line]]:
    """Read every line of ``page``; a line the model cannot take is reported and skipped, never the page."""
    from app.line_decode import decode_line

    crops = [line_crop(page, line) for line in page.lines]
    frames = _read_each(predictor, crops)
    _read_upright(predictor, crops, frames, page.threshold)
    results = []
    for crop, frame in zip(crops, frames, strict=True):
        if frame is None:
            continue
        chars = decode_line(frame.probs, predictor.classes, decode_options, top_k)
        for char, confidence in zip(chars, predictor.calibrated([c.confidence for c in chars]), strict=True):
            char.confidence = float(confidence)
        results.append((crop.line, line_result(crop, chars, len(frame.probs), frame.pixels_per_frame,
                                               page.threshold)))
    return results


def _read_upright(predictor: LinePredictor, crops: list[LineCrop], frames: list[LineFrames | None],
                  threshold: float) -> None:
    """Doubtful readings of slanted handwriting replaced by the reading of the crop set upright, where the
    model is surer of that one (``crops`` and ``frames`` updated in place)."""
    tried = []
    for n, (crop, frame) in enumerate(zip(crops, frames, strict=True)):
        if frame is None or _sureness(frame) >= DOUBTFUL_LINE:
            continue
        slant = estimate_slant(crop.image < threshold)
        if abs(slant) >= MIN_SLANT:
            tried.append((n, slant, deslant(crop.image, slant), _sureness(frame)))
    if not tried:
        return
    try:
        upright = predictor.read([image for _, _, image, _ in tried])
    except ValueError:
        return  # the crops as they are were readable: keep their readings
    for (n, slant, image, before), frame in zip(tried, upright, strict=True):
        if _sureness(frame) > before:
            frames[n] = frame
            crops[n].image, crops[n].slant = image, slant


def _sureness(frame: LineFrames) -> float:
    """Mean log-probability of each frame's best class."""
    return float(np.log(np.maximum(frame.probs.max(axis=1), 1e-9)).mean()) if len(frame.probs) else 0.0


def _read_each(predictor: LinePredictor, crops: list[LineCrop]) -> list[LineFrames | None]:
    """The predictor's frames for every crop, None for one it refuses (with a logged reason)."""
    try:
        return list(predictor.read([c.image for c in crops]))
    except ValueError:
        pass
    frames: list[LineFrames | None] = []
    for crop in crops:
        try:
            frames.append(predictor.read([crop.image])[0])
        except ValueError as exc:
            log.warning("glyphic: line at %s skipped: %s", crop.line.bbox, exc)
            frames.append(None)
    return frames
