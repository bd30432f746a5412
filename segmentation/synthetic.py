"""Synthetic pages with known line, word and glyph boxes (for tests and benchmarks).

Pages are uint8 grey, dark ink on light paper. Two kinds:

* :func:`handwritten_page`: real EMNIST glyphs (white-on-black 28 x 28 arrays
  supplied by the caller) scaled up and laid out in words and lines with
  jittered spacing and baselines.
* :func:`printed_page`: text with punctuation rendered character by character,
  with DejaVu TrueType fonts (Pillow, fonts bundled with matplotlib) or OpenCV's
  Hershey fonts.

:func:`degrade` adds noise, blur, JPEG artefacts, specks, uneven light and skew
and moves the truth boxes along. Pillow and matplotlib are only needed for the
TrueType fonts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import cv2
import numpy as np

from segmentation.types import BBox

EMNIST_CLASSES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghnqrt"
WORDS = (
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "and", "then", "runs", "back", "into",
    "forest", "where", "old", "trees", "grow", "page", "line", "word", "glyph", "letter", "reader", "scanner",
    "paper", "ink", "model", "number", "table", "result", "value", "first", "second", "third", "small", "large",
    "simple", "clear", "sharp", "bright", "history", "method", "system", "record", "office", "jazz", "quiz",
    "zebra", "vex", "wolf", "kept", "hymn", "psalm", "pixel", "minimum",
)
PUNCTUATION_END = (".", ".", ",", ",", ";", ":", "!", "?")
TTF_FONTS = ("DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf", "DejaVuSans-Bold.ttf")
HERSHEY_FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX, cv2.FONT_HERSHEY_TRIPLEX)


@dataclass
class GlyphTruth:
    """A rendered character and the box of its ink."""

    bbox: BBox
    char: str


@dataclass
class WordTruth:
    """A word: its box, text and glyphs."""

    bbox: BBox
    text: str
    glyphs: list[GlyphTruth] = field(default_factory=list)


@dataclass
class LineTruth:
    """A line: its box, text, words, baseline y and block (column) index."""

    bbox: BBox
    text: str
    words: list[WordTruth]
    baseline: float
    block: int = 0


@dataclass
class SyntheticPage:
    """A synthetic page and its ground truth (lines in reading order)."""

    image: np.ndarray
    lines: list[LineTruth]
    skew: float = 0.0

    def glyph_boxes(self) -> np.ndarray:
        """(N, 4) int array of all glyph boxes in reading order."""
        boxes = [g.bbox for line in self.lines for word in line.words for g in word.glyphs]
        return np.array(boxes, dtype=np.int64).reshape(-1, 4)

    def word_boxes(self) -> np.ndarray:
        """(N, 4) int array of all word boxes in reading order."""
        return np.array([w.bbox for line in self.lines for w in line.words], dtype=np.int64).reshape(-1, 4)

    @property
    def text(self) -> str:
        """The page text, one line per text line."""
        return "\n".join(line.text for line in self.lines)


def _union(boxes: list[BBox]) -> BBox:
    arr = np.array(boxes)
    return (int(arr[:, 0].min()), int(arr[:, 1].min()), int(arr[:, 2].max()), int(arr[:, 3].max()))


def _ink_box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def _paste(page: np.ndarray, ink: np.ndarray, x: int, y: int) -> None:
    """Darken ``page`` with bright-on-black ``ink`` placed at (x, y) (clipped)."""
    h, w = ink.shape
    y0, x0 = max(0, y), max(0, x)
    y1, x1 = min(page.shape[0], y + h), min(page.shape[1], x + w)
    if y1 <= y0 or x1 <= x0:
        return
    region = page[y0:y1, x0:x1]
    np.minimum(region, 255 - ink[y0 - y : y1 - y, x0 - x : x1 - x], out=region)


def _make_line(words: list[WordTruth], baseline: float, block: int) -> LineTruth:
    return LineTruth(_union([w.bbox for w in words]), " ".join(w.text for w in words), words, baseline, block)


def random_text(rng: np.random.Generator, n_words: int) -> list[str]:
    """Random words with capitals, digits and punctuation."""
    out: list[str] = []
    for i in range(n_words):
        word = str(rng.choice(WORDS))
        roll = rng.random()
        if i == 0 or roll < 0.1:
            word = word.capitalize()
        elif roll < 0.14:
            word = str(int(rng.integers(1, 2000)))
        elif roll < 0.17:
            word = f'"{word}"'
        elif roll < 0.2:
            word = f"({word})"
        elif roll < 0.23:
            word = word + "'s"
        elif roll < 0.25:
            word = word + "-" + str(rng.choice(WORDS))
        if rng.random() < 0.15:
            word += str(rng.choice(PUNCTUATION_END))
        out.append(word)
    return out


def handwritten_page(
    glyphs: np.ndarray,
    labels: np.ndarray,
    rng: np.random.Generator,
    size: tuple[int, int] = (1200, 1600),
    glyph_height: int = 48,
    n_lines: int = 12,
    margin: int = 80,
) -> SyntheticPage:
    """Lay out EMNIST glyphs (N, 28, 28 upright, white on black) as words and lines."""
    width, height = size
    page = np.full((height, width), 245, dtype=np.uint8)
    lines: list[LineTruth] = []
    pitch = glyph_height * 1.9
    y = float(margin + glyph_height)
    while len(lines) < n_lines and y + glyph_height * 0.5 < height - margin:
        x = float(margin + rng.uniform(0, glyph_height))
        words: list[WordTruth] = []
        while True:
            n_chars = int(rng.integers(1, 7))
            scale = glyph_height / 28.0 * rng.uniform(0.9, 1.1)
            cell = round(28 * scale)
            if x + n_chars * cell * 0.8 > width - margin:
                break
            boxes: list[GlyphTruth] = []
            for _ in range(n_chars):
                idx = int(rng.integers(len(glyphs)))
                big = cv2.resize(glyphs[idx], (cell, cell), interpolation=cv2.INTER_CUBIC)
                box = _ink_box(big > 100)
                if box is None:
                    continue
                bx0, by0, bx1, by1 = box
                top = round(y + rng.uniform(-0.05, 0.05) * glyph_height) - by1
                left = round(x) - bx0
                _paste(page, (big.astype(np.float32) * rng.uniform(0.75, 0.95)).astype(np.uint8), left, top)
                char = EMNIST_CLASSES[int(labels[idx])]
                boxes.append(GlyphTruth((left + bx0, top + by0, left + bx1, top + by1), char))
                x += (bx1 - bx0) + rng.uniform(0.12, 0.3) * glyph_height
            if boxes:
                words.append(WordTruth(_union([g.bbox for g in boxes]), "".join(g.char for g in boxes), boxes))
            x += rng.uniform(0.6, 1.0) * glyph_height
        if words:
            lines.append(_make_line(words, y, 0))
        y += pitch * rng.uniform(0.95, 1.05)
    return SyntheticPage(page, lines)


def ttf_path(name: str = "DejaVuSans.ttf") -> str:
    """Path of a TrueType font: an absolute path as it is, else one bundled with matplotlib."""
    if os.path.isabs(name):
        return name
    import matplotlib

    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf", name)


class _Renderer:
    """Renders one character as bright-on-black ink with its ink box relative to the pen."""

    def __init__(self, font: str | int, size: int) -> None:
        self.font = font
        self.size = size
        self.cache: dict[str, tuple[np.ndarray, int, int, float]] = {}
        if isinstance(font, str):
            from PIL import ImageFont

            self.ttf = ImageFont.truetype(ttf_path(font), size)
            self.ascent = float(self.ttf.getmetrics()[0])
        else:
            self.scale = size / 30.0
            self.thickness = max(1, round(size / 14))
            self.ascent = float(size)

    def char(self, ch: str) -> tuple[np.ndarray, int, int, float]:
        """(ink, dx, dy, advance): ink image offset from the pen position on the baseline."""
        if ch not in self.cache:
            self.cache[ch] = self._render(ch)
        return self.cache[ch]

    def _render(self, ch: str) -> tuple[np.ndarray, int, int, float]:
        pad = self.size
        if isinstance(self.font, str):
            from PIL import Image, ImageDraw

            canvas = Image.new("L", (3 * pad, 3 * pad), 0)
            ImageDraw.Draw(canvas).text((pad, 2 * pad), ch, fill=255, font=self.ttf, anchor="ls")
            ink = np.asarray(canvas)
            advance = float(self.ttf.getlength(ch))
        else:
            ink = np.zeros((3 * pad, 3 * pad), dtype=np.uint8)
            cv2.putText(ink, ch, (pad, 2 * pad), self.font, self.scale, 255, self.thickness, cv2.LINE_AA)
            (w, _), _ = cv2.getTextSize(ch, self.font, self.scale, self.thickness)
            advance = float(w + self.thickness)
        box = _ink_box(ink > 0)
        if box is None:
            return np.zeros((0, 0), dtype=np.uint8), 0, 0, advance
        x0, y0, x1, y1 = box
        return ink[y0:y1, x0:x1].copy(), x0 - pad, y0 - 2 * pad, advance


def printed_page(
    rng: np.random.Generator,
    size: tuple[int, int] = (1600, 1200),
    font: str | int = "DejaVuSans.ttf",
    font_sizes: tuple[int, ...] = (32,),
    columns: int = 1,
    margin: int = 80,
    max_lines: int | None = None,
    tracking: float = 0.0,
) -> SyntheticPage:
    """Render paragraphs of random text; several font sizes give paragraphs of different sizes."""
    width, height = size
    page = np.full((height, width), 245, dtype=np.uint8)
    gutter = 3 * max(font_sizes) if columns > 1 else 0
    col_width = (width - 2 * margin - gutter * (columns - 1)) // columns
    lines: list[LineTruth] = []
    for column in range(columns):
        left = margin + column * (col_width + gutter)
        y = float(margin)
        while max_lines is None or len(lines) < max_lines:
            renderer = _Renderer(font, int(rng.choice(font_sizes)))
            line_pitch = renderer.size * 1.45
            words = random_text(rng, 200)
            baseline = y + renderer.ascent
            if baseline + renderer.size * 0.4 > height - margin:
                break
            x = float(left)
            line_words: list[WordTruth] = []
            space = float(renderer.char(" ")[3])
            for word in words:
                widths = sum(renderer.char(c)[3] + tracking for c in word)
                if x + widths > left + col_width:
                    if line_words:
                        lines.append(_make_line(line_words, baseline, column))
                    line_words = []
                    baseline += line_pitch
                    x = float(left)
                    if baseline + renderer.size * 0.4 > height - margin:
                        break
                    if len(lines) >= (max_lines or 10**9) or rng.random() < 0.12:
                        break
                boxes: list[GlyphTruth] = []
                for ch in word:
                    ink, dx, dy, advance = renderer.char(ch)
                    if ink.size:
                        px, py = round(x) + dx, round(baseline) + dy
                        _paste(page, ink, px, py)
                        boxes.append(GlyphTruth((px, py, px + ink.shape[1], py + ink.shape[0]), ch))
                    x += advance + tracking
                x += space
                if boxes:
                    line_words.append(WordTruth(_union([g.bbox for g in boxes]), word, boxes))
            if line_words:
                lines.append(_make_line(line_words, baseline, column))
            y = baseline - renderer.ascent + line_pitch * 1.6
    return SyntheticPage(page, lines)


def _rotate_box(box: BBox, matrix: np.ndarray, width: int, height: int) -> BBox:
    xs = np.array([box[0], box[2], box[2], box[0]], dtype=np.float64)
    ys = np.array([box[1], box[1], box[3], box[3]], dtype=np.float64)
    mx = matrix[0, 0] * xs + matrix[0, 1] * ys + matrix[0, 2]
    my = matrix[1, 0] * xs + matrix[1, 1] * ys + matrix[1, 2]
    return (int(max(0, round(mx.min()))), int(max(0, round(my.min()))),
            int(min(width, round(mx.max()))), int(min(height, round(my.max()))))


def degrade(
    page: SyntheticPage,
    rng: np.random.Generator,
    skew: float = 0.0,
    noise: float = 0.0,
    blur: float = 0.0,
    jpeg: int | None = None,
    specks: int = 0,
    uneven: float = 0.0,
    shadow: float = 0.0,
    invert: bool = False,
) -> SyntheticPage:
    """Return a degraded copy of ``page`` with the truth boxes moved along.

    Args:
        page: clean page.
        rng: random generator.
        skew: rotate the page by this many degrees (positive = text rises to the right).
        noise: standard deviation of Gaussian noise, grey levels.
        blur: Gaussian blur sigma in pixels.
        jpeg: JPEG quality, or None.
        specks: number of random dark specks (1-2 px).
        uneven: strength (0..1) of a smooth light gradient across the page.
        shadow: darkening (0..1) of a shadow with a fairly sharp slanted edge.
        invert: make the page white on black.
    """
    image: np.ndarray = page.image.astype(np.float32)
    height, width = image.shape
    lines = page.lines
    if skew:
        matrix = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), skew, 1.0)
        image = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)

        def move(box: BBox) -> BBox:
            return _rotate_box(box, matrix, width, height)

        lines = [
            LineTruth(move(line.bbox), line.text,
                      [WordTruth(move(w.bbox), w.text, [GlyphTruth(move(g.bbox), g.char) for g in w.glyphs])
                       for w in line.words], line.baseline, line.block)
            for line in lines
        ]
    if blur:
        image = cv2.GaussianBlur(image, (0, 0), blur)
    if uneven:
        yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
        angle = rng.uniform(0, 2 * np.pi)
        ramp = (np.cos(angle) * xx / width + np.sin(angle) * yy / height)
        ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
        image = image * (1.0 - uneven * 0.6 * ramp) + 10.0 * uneven
    if shadow:
        yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
        edge = width * rng.uniform(0.3, 0.6) + (yy - height / 2.0) * rng.uniform(-0.3, 0.3)
        inside = 1.0 / (1.0 + np.exp(-(xx - edge) / max(2.0, width / 150.0)))
        image = image * (1.0 - shadow * inside)
    if specks:
        ys = rng.integers(0, height, specks)
        xs = rng.integers(0, width, specks)
        image[ys, xs] = 40
    if noise:
        image = image + rng.normal(0, noise, image.shape).astype(np.float32)
    out = np.clip(image, 0, 255).astype(np.uint8)
    if invert:
        out = 255 - out
    if jpeg:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(jpeg)])
        if ok:
            out = np.asarray(cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE), dtype=np.uint8)
    return SyntheticPage(out, lines, page.skew + skew)
