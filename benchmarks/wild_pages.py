"""Pages of kinds the project's own page generator does not make, with the box of every character.

Each kind is a function of a seed (the same seed gives the same page) that draws an A5 page at 300 dpi
(1748 x 2480) in colour with Pillow and OpenCV, and turns it grey the way :mod:`app.io` loads a colour
file (Pillow's ``L``):

- ``faces``: print in faces the segmentation benchmark does not use (Liberation, URW base35, FreeFont,
  Noto, Carlito, TeX Gyre, typewriter faces from the ``@fontsource`` cache), justified or ragged;
- ``handwriting``: handwriting faces from the ``@fontsource`` cache in ballpoint blue or black, lines
  that drift, letters that touch;
- ``touching``: bold and regular print set with negative tracking (5-15% of the size), letters touching
  and overlapping;
- ``ruled`` and ``squared``: the handwriting written on notebook paper: blue rules and a red margin, or
  a grid;
- ``stamps``: a letterhead with a filled logo, and one or two coloured ring or box stamps with their own
  text pressed over the body text;
- ``photo``: a ``faces`` page photographed on a desk: paper texture, uneven light, a soft shadow over a
  corner or an edge, slight perspective, camera noise and JPEG.

``own`` is the reference: :func:`segmentation.synthetic.printed_page` as ``benchmarks/segmentation.py``
draws it. Truth is the body text only: a character's box is its own ink (alpha >= :data:`INK_LEVEL`),
drawn alone, so where letters overlap their boxes overlap. Stamp text is kept apart
(:attr:`WildPage.stamp_glyphs`) and the stamps and logo are regions (:attr:`WildPage.ignore`) where a
box that matches no body character is not held against an engine. Faces that are not installed are
skipped; with none of a kind's faces it falls back to a DejaVu face (CI has only those).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from segmentation.synthetic import printed_page, ttf_path

BBox = tuple[int, int, int, int]
RGB = tuple[float, float, float]
#: A5 at 300 dpi (width, height).
A5 = (1748, 2480)
#: A pixel of a character whose alpha is at least this (of 255) is ink.
INK_LEVEL = 64
FONT_DIRS = ("/usr/share/fonts", "/usr/share/texmf/fonts", "/usr/share/texlive/texmf-dist/fonts/opentype")
PRINT_FACES = (
    "LiberationSerif-Regular.ttf", "LiberationSans-Regular.ttf", "LiberationMono-Regular.ttf", "C059-Roman.otf",
    "P052-Roman.otf", "NimbusSans-Regular.otf", "NimbusRoman-Regular.otf", "URWBookman-Light.otf",
    "URWGothic-Book.otf", "NimbusMonoPS-Regular.otf", "FreeSerif.ttf", "FreeSans.ttf", "FreeMono.ttf",
    "NotoSans-Regular.ttf", "NotoSerif-Regular.ttf", "Carlito-Regular.ttf", "texgyretermes-regular.otf",
    "texgyrepagella-regular.otf", "texgyreschola-regular.otf", "texgyreheros-regular.otf",
    "texgyrebonum-regular.otf", "texgyreadventor-regular.otf", "LiberationSerif-Italic.ttf",
    "texgyrepagella-italic.otf", "special-elite.woff", "courier-prime.woff", "cutive-mono.woff",
    "ibm-plex-mono.woff", "anonymous-pro.woff",
)
TOUCHING_FACES = (
    "LiberationSans-Bold.ttf", "LiberationSerif-Bold.ttf", "NimbusSans-Bold.otf", "C059-Bold.otf",
    "FreeSansBold.ttf", "Carlito-Bold.ttf", "NotoSans-Bold.ttf", "texgyreheros-bold.otf",
    "texgyretermes-bold.otf", "URWGothic-Demi.otf", "LiberationSans-Regular.ttf", "NimbusRoman-Regular.otf",
    "texgyrepagella-regular.otf", "Carlito-Regular.ttf",
)
#: Everyday hands; the formal calligraphy faces of the cache (allura, great-vibes, ...) are left out.
HAND_FACES = (
    "caveat.woff", "kalam.woff", "indie-flower.woff", "patrick-hand.woff", "dancing-script.woff",
    "homemade-apple.woff", "cedarville-cursive.woff", "reenie-beanie.woff", "shadows-into-light.woff",
    "architects-daughter.woff", "gochi-hand.woff", "nothing-you-could-do.woff", "just-another-hand.woff",
    "la-belle-aurore.woff", "satisfy.woff",
)
STAMP_FACES = ("LiberationSans-Bold.ttf", "NimbusSans-Bold.otf", "FreeSansBold.ttf", "texgyreheros-bold.otf")
#: DejaVu faces (bundled with matplotlib) used when none of a kind's faces is installed.
FALLBACK = {"print": "DejaVuSerif-Italic.ttf", "bold": "DejaVuSans-Bold.ttf", "hand": "DejaVuSans-Oblique.ttf"}
INKS: dict[str, RGB] = {"black": (0.08, 0.08, 0.1), "blue": (0.1, 0.17, 0.55), "navy": (0.12, 0.14, 0.3)}
STAMP_INKS: tuple[RGB, ...] = ((0.78, 0.12, 0.16), (0.16, 0.24, 0.68), (0.45, 0.16, 0.55))
STAMP_WORDS = ("RECEIVED", "APPROVED", "PAID", "COPY", "URGENT", "FILED", "CHECKED", "ENTERED")
STAMP_RINGS = ("CITY ARCHIVES * LONDON *", "NOTARY PUBLIC * STATE SEAL *", "POST OFFICE * BRIGHTON *",
               "REGISTRY OFFICE * 1987 *")
#: Words of the frequency list left out of the pages (swearing, sex, violence).
UNWANTED = re.compile(r"^(fuck|shit|bullshit|porn|sex|nigg|cunt|raped?$|rapes|penis|vagin|bitch|slut|whore|dick|cock|"
                      r"puss|nude|naked|tits|nazi|murder|suicid|kill|anal$|ass$|asshole|cum$|slave|damn|terror|"
                      r"cocaine|drug|dead|death|gay|lesbian|weed|hell$)")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass(frozen=True)
class TruthGlyph:
    """A character and the ``(x0, y0, x1, y1)`` box (x1, y1 exclusive) of its ink."""

    char: str
    bbox: BBox


@dataclass
class WildPage:
    """A page, its body characters, its stamp characters and the regions of stamps and logos."""

    kind: str
    image: np.ndarray  # grey uint8, as the application loads it
    colour: np.ndarray | None  # the RGB page it was made from (None: drawn grey)
    glyphs: list[TruthGlyph]
    stamp_glyphs: list[TruthGlyph] = field(default_factory=list)
    ignore: list[BBox] = field(default_factory=list)
    faces: list[str] = field(default_factory=list)

    def boxes(self) -> np.ndarray:
        """(N, 4) int array of the body characters' boxes."""
        return np.array([g.bbox for g in self.glyphs], dtype=np.int64).reshape(-1, 4)

    def stamp_boxes(self) -> np.ndarray:
        """(N, 4) int array of the stamp characters' boxes."""
        return np.array([g.bbox for g in self.stamp_glyphs], dtype=np.int64).reshape(-1, 4)


# --- faces -------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _installed() -> dict[str, str]:
    """Font files by file name, from the system folders and the ``@fontsource`` cache."""
    from recognizer.synthetic_lines import font_cache

    found: dict[str, str] = {}
    for folder in (*FONT_DIRS, str(font_cache())):
        for root, _, files in os.walk(folder):
            for name in files:
                found.setdefault(name, os.path.join(root, name))
    return found


def available(names: Sequence[str], fallback: str) -> list[str]:
    """Paths of the installed faces among ``names``, or of the DejaVu ``fallback`` face when none is."""
    paths = [_installed()[n] for n in names if n in _installed()]
    return paths or [ttf_path(FALLBACK[fallback])]


def face_name(path: str) -> str:
    """A face's file name without its extension."""
    return Path(path).stem


@lru_cache(maxsize=64)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=64)
def _charset(path: str) -> frozenset[str] | None:
    """The characters a face has (None when fontTools is missing: assume all)."""
    try:
        from fontTools.ttLib import TTFont
    except ImportError:
        return None
    with TTFont(path, lazy=True, fontNumber=0) as font:
        return frozenset(chr(c) for c in font.getBestCmap())


@lru_cache(maxsize=8192)
def _glyph(path: str, size: int, char: str) -> tuple[np.ndarray, int, int]:
    """A character's alpha (uint8, cropped to its ink) and its offset from the pen on the baseline."""
    font = _font(path, size)
    left, top, right, bottom = (int(v) for v in font.getbbox(char, anchor="ls"))
    pad = 2 + size // 8
    canvas = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
    ImageDraw.Draw(canvas).text((pad - left, pad - top), char, font=font, fill=255, anchor="ls")
    alpha = np.asarray(canvas)
    ys, xs = np.nonzero(alpha)
    if len(xs) == 0:
        return np.zeros((0, 0), np.uint8), 0, 0
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    return alpha[y0:y1, x0:x1].copy(), int(x0 + left - pad), int(y0 + top - pad)


def _x_height(path: str, size: int) -> float:
    return float(-_font(path, size).getbbox("x", anchor="ls")[1])


# --- text --------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[str, ...]:
    from wordfreq import top_n_list

    return tuple(w for w in top_n_list("en", 8000) if w.isalpha() and w.isascii() and not UNWANTED.match(w))


def _token(rng: np.random.Generator) -> str:
    roll = rng.random()
    if roll < 0.04:
        return str(int(rng.integers(1, 100)) if rng.random() < 0.5 else int(rng.integers(1800, 2030)))
    if roll < 0.06:
        return f"{rng.uniform(1, 900):.2f}"
    words = _vocabulary()
    word = words[int(len(words) * rng.random() ** 2.5)]
    return word.capitalize() if roll < 0.1 else word


def sentence(rng: np.random.Generator) -> list[str]:
    """Words of one sentence: frequent English words, numbers, commas, quotes, brackets, an end mark."""
    words = [_token(rng) for _ in range(int(rng.integers(4, 16)))]
    words[0] = words[0].capitalize()
    for n in range(len(words) - 1):
        roll = rng.random()
        if roll < 0.08:
            words[n] += ","
        elif roll < 0.1:
            words[n] = f'"{words[n]}"'
        elif roll < 0.115:
            words[n] = f"({words[n]})"
        elif roll < 0.125:
            words[n] += "'s"
        elif roll < 0.135:
            words[n] += "-" + _token(rng)
    words[-1] += str(rng.choice([".", ".", ".", ".", "?", "!", ":", ";"]))
    return words


def paragraph(rng: np.random.Generator, path: str) -> list[str]:
    """Two to six sentences, characters the face lacks left out."""
    chars = _charset(path)
    words = [w for _ in range(int(rng.integers(2, 7))) for w in sentence(rng)]
    if chars is not None:
        words = ["".join(c for c in w if c in chars) for w in words]
    return [w for w in words if w]


# --- drawing -----------------------------------------------------------------------------------------------


@dataclass
class Pen:
    """How text is drawn: face, size, ink colour, tracking (px per character) and handwriting wobble."""

    path: str
    size: int
    colour: RGB
    tracking: float = 0.0
    wobble: float = 0.0  # standard deviation of a word's baseline offset (px), and per-word ink pressure

    @property
    def font(self) -> ImageFont.FreeTypeFont:
        return _font(self.path, self.size)

    def width(self, word: str) -> float:
        """Advance of a word, tracking included."""
        return float(self.font.getlength(word)) + self.tracking * len(word)


@dataclass
class Inked:
    """A drawn character: its text and the corners of the convex hull of its ink (page coordinates)."""

    char: str
    points: np.ndarray  # (N, 2) float

    def bbox(self, width: int, height: int) -> BBox:
        lo, hi = np.floor(self.points.min(0)), np.ceil(self.points.max(0))
        return (int(max(0, lo[0])), int(max(0, lo[1])), int(min(width, hi[0])), int(min(height, hi[1])))


def _hull(alpha: np.ndarray, x: float, y: float) -> np.ndarray | None:
    """Corners of the ink pixels on the convex hull of ``alpha``'s ink, placed at (x, y)."""
    points = cv2.findNonZero((alpha >= INK_LEVEL).astype(np.uint8))
    if points is None:
        return None
    hull = cv2.convexHull(points).reshape(-1, 2).astype(np.float64)
    corners = np.concatenate([hull + d for d in ((0, 0), (1, 0), (0, 1), (1, 1))])
    return corners + np.array([x, y], np.float64)


class Sheet:
    """A colour page being drawn (float RGB in 0..1) and the characters on it."""

    def __init__(self, paper: np.ndarray) -> None:
        self.rgb = paper
        self.body: list[Inked] = []
        self.stamps: list[Inked] = []
        self.ignore: list[BBox] = []

    @property
    def size(self) -> tuple[int, int]:
        return self.rgb.shape[1], self.rgb.shape[0]

    def ink(self, alpha: np.ndarray, x: int, y: int, colour: RGB, strength: float = 1.0) -> None:
        """Multiply ink of ``colour`` into the page through ``alpha`` (uint8 or float 0..1) at (x, y)."""
        h, w = alpha.shape
        x0, y0, x1, y1 = max(0, x), max(0, y), min(self.rgb.shape[1], x + w), min(self.rgb.shape[0], y + h)
        if x1 <= x0 or y1 <= y0:
            return
        a = alpha[y0 - y : y1 - y, x0 - x : x1 - x].astype(np.float32)
        a = a / 255.0 if alpha.dtype == np.uint8 else a
        absorb = 1.0 - np.asarray(colour, np.float32)
        self.rgb[y0:y1, x0:x1] *= 1.0 - (strength * a)[..., None] * absorb

    def char(self, pen: Pen, char: str, x: float, baseline: float, strength: float = 1.0) -> None:
        """Draw one body character with its pen at (x, baseline) and keep its ink hull."""
        alpha, dx, dy = _glyph(pen.path, pen.size, char)
        if not alpha.size:
            return
        px, py = round(x) + dx, round(baseline) + dy
        self.ink(alpha, px, py, pen.colour, strength)
        points = _hull(alpha, px, py)
        if points is not None:
            self.body.append(Inked(char, points))

    def word(self, pen: Pen, word: str, x: float, baseline: float, strength: float = 1.0) -> None:
        """Draw a word character by character at the positions its face sets (kerning, tracking)."""
        font = pen.font
        for n, char in enumerate(word):
            pen_x = font.getlength(word[: n + 1]) - font.getlength(char) + pen.tracking * n
            self.char(pen, char, x + pen_x, baseline, strength)


def _noise(rng: np.random.Generator, size: tuple[int, int], scale: int) -> np.ndarray:
    """Smooth noise in about -1..1 with features ``scale`` pixels across."""
    width, height = size
    small = rng.standard_normal((max(2, height // scale + 2), max(2, width // scale + 2))).astype(np.float32)
    big = cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    return np.clip(big / 1.5, -1.0, 1.0)


def paper(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    """Off-white paper with a little cloudiness and fibre."""
    red = rng.uniform(0.94, 0.99)
    green = red - rng.uniform(0.0, 0.015)
    tint = np.array([red, green, green - rng.uniform(0.0, 0.05)], np.float32)  # white to cream
    cloud = 0.015 * _noise(rng, size, 60) + 0.008 * _noise(rng, size, 4)
    return np.clip(tint[None, None, :] * (1.0 + cloud[..., None]), 0, 1)


# --- text on the page --------------------------------------------------------------------------------------


def _fit(pen: Pen, words: list[str], width: float, space: float) -> int:
    """How many of ``words`` fit on a line ``width`` wide (at least one)."""
    used, n = 0.0, 0
    for word in words:
        used += (space if n else 0.0) + pen.width(word)
        if n and used > width:
            break
        n += 1
    return n


def write_line(sheet: Sheet, pen: Pen, words: list[str], left: float, right: float, baseline: float,
               rng: np.random.Generator, justify: bool = False, slope: float = 0.0) -> list[str]:
    """Draw the words that fit between ``left`` and ``right`` on ``baseline``; return the rest.

    ``justify`` spreads a full line to the right edge; ``slope`` (rise per pixel, handwriting) tilts it."""
    space = pen.width(" ") - pen.tracking * 0.5
    n = _fit(pen, words, right - left, space)
    line, rest = words[:n], words[n:]
    if justify and rest and n > 1:
        space += (right - left - sum(pen.width(w) for w in line) - space * (n - 1)) / (n - 1)
    x = left
    for word in line:
        shift = rng.normal(0, pen.wobble) if pen.wobble else 0.0
        strength = float(rng.uniform(0.8, 1.0)) if pen.wobble else 1.0
        sheet.word(pen, word, x, baseline - slope * (x - left) + shift, strength)
        x += pen.width(word) + space * (float(rng.uniform(0.8, 1.5)) if pen.wobble else 1.0)
    return rest


def write_text(sheet: Sheet, pen: Pen, rng: np.random.Generator, box: tuple[float, float, float], first: float,
               step: Callable[[float, bool], float], justify: bool = False, slant: float = 0.0) -> None:
    """Paragraphs from baseline ``first`` down to the bottom of ``box`` (left, right, bottom).

    ``step(baseline, new_paragraph)`` gives the next baseline; a paragraph's first line may be indented;
    ``slant`` is the standard deviation of each handwritten line's slope (degrees)."""
    left, right, bottom = box
    baseline = first
    while baseline <= bottom:
        words = paragraph(rng, pen.path)
        indent = pen.size * float(rng.choice([0.0, 1.5, 2.5]))
        while words and baseline <= bottom:
            slope = float(np.tan(np.radians(rng.normal(0, slant)))) if slant else 0.0
            words = write_line(sheet, pen, words, left + indent, right, baseline, rng, justify, slope)
            indent = 0.0
            baseline = step(baseline, not words)


# --- printed and handwritten pages -------------------------------------------------------------------------


def _pick(rng: np.random.Generator, paths: Sequence[str]) -> str:
    return str(paths[int(rng.integers(len(paths)))])


def _title(rng: np.random.Generator, path: str) -> list[str]:
    words = [w.capitalize() for w in sentence(rng)[:4]]
    chars = _charset(path)
    words = ["".join(c for c in w if c.isalnum() and (chars is None or c in chars)) for w in words]
    return [w for w in words if w] or ["Notes"]


def _printed(sheet: Sheet, rng: np.random.Generator, path: str, top: float, tracking: float = 0.0,
             justify: bool = False) -> None:
    """A heading, justified or ragged paragraphs and a page number, in one face from ``top`` down."""
    width, height = sheet.size
    size = int(rng.integers(40, 53))
    pen = Pen(path, size, INKS["black"], tracking=tracking * size)
    heading = Pen(path, int(size * 1.5), INKS["black"], tracking=tracking * size * 1.5)
    margin = width * rng.uniform(0.08, 0.12)
    write_line(sheet, heading, _title(rng, path), margin, width - margin, top + heading.size, rng)
    pitch = size * rng.uniform(1.2, 1.45)
    bottom = height - 0.07 * height - 2.5 * pitch

    def step(y: float, new: bool) -> float:
        return y + pitch * (1.6 if new else 1.0)

    write_text(sheet, pen, rng, (margin, width - margin, bottom), top + heading.size + 2.2 * pitch, step,
               justify=justify)
    number = str(int(rng.integers(2, 300)))
    sheet.word(pen, number, (width - pen.width(number)) / 2, height - 0.07 * height, 1.0)


def _hand_pen(rng: np.random.Generator, path: str, x_height: float) -> Pen:
    """A pen in blue or black whose face is scaled to ``x_height`` pixels."""
    ratio = max(_x_height(path, 100) / 100.0, 0.2)
    colour = INKS["blue"] if rng.random() < 0.6 else INKS[str(rng.choice(["black", "navy"]))]
    return Pen(path, round(x_height / ratio), colour, wobble=0.06 * x_height)


def _date(rng: np.random.Generator) -> list[str]:
    month = ("January", "March", "April", "June", "July", "October", "November")[int(rng.integers(7))]
    return [str(int(rng.integers(1, 29))), month, str(int(rng.integers(1950, 2026)))]


def _handwritten(sheet: Sheet, rng: np.random.Generator, pen: Pen, left: float, first: float,
                 step: Callable[[float, bool], float], slant: float) -> None:
    """A date at the top right, then paragraphs of handwriting from baseline ``first`` down."""
    width, height = sheet.size
    date = _date(rng)
    right = width - width * rng.uniform(0.06, 0.1)
    date_width = sum(pen.width(w) for w in date) + 2 * pen.width(" ")
    write_line(sheet, pen, date, right - date_width - pen.size, right, first, rng)
    write_text(sheet, pen, rng, (left, right, height * 0.93), step(step(first, False), True), step, slant=slant)


def _lines(size: tuple[int, int], ys: Sequence[float], xs: Sequence[float], thickness: int) -> np.ndarray:
    """Alpha (float) of full-width horizontal lines at ``ys`` and full-height vertical lines at ``xs``."""
    width, height = size
    alpha = np.zeros((height, width), np.float32)
    for y in ys:
        cv2.line(alpha, (0, round(y)), (width - 1, round(y)), 1.0, thickness, cv2.LINE_AA)
    for x in xs:
        cv2.line(alpha, (round(x), 0), (round(x), height - 1), 1.0, thickness, cv2.LINE_AA)
    return alpha


def _on_rules(rng: np.random.Generator, rules: Sequence[float], every: int = 1) -> Callable[[float, bool], float]:
    """The next baseline: sitting on the next rule (every ``every`` rules), sometimes one more after a
    paragraph."""
    used = list(rules[::every])

    def step(y: float, new: bool) -> float:
        later = [r for r in used if r > y + 8]
        if not later:
            return 1e9
        skip = 1 if new and rng.random() < 0.4 and len(later) > 1 else 0
        return later[skip] - float(rng.uniform(0, 4))

    return step


# --- stamps and logos --------------------------------------------------------------------------------------


@dataclass
class Layer:
    """A stamp or logo drawn in its own square: alpha (float 0..1) and its characters' ink hulls."""

    alpha: np.ndarray
    chars: list[Inked] = field(default_factory=list)


def _layer_char(layer: Layer, path: str, size: int, char: str, anchor: tuple[float, float], angle: float) -> None:
    """Draw ``char`` with the middle of its advance on the baseline at ``anchor``, turned ``angle`` degrees
    clockwise."""
    alpha, dx, dy = _glyph(path, size, char)
    if not alpha.size:
        return
    t = np.radians(angle)
    rotate = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    offset = np.array([dx - _font(path, size).getlength(char) / 2.0, dy])
    matrix = np.hstack([rotate, (rotate @ offset + np.asarray(anchor))[:, None]])
    side = layer.alpha.shape[0]
    drawn = cv2.warpAffine(alpha.astype(np.float32) / 255.0, matrix, (side, side), flags=cv2.INTER_LINEAR)
    np.maximum(layer.alpha, drawn, out=layer.alpha)
    points = _hull(alpha, 0, 0)
    if points is not None:
        layer.chars.append(Inked(char, points @ rotate.T + matrix[:, 2]))


def _layer_text(layer: Layer, path: str, size: int, text: str, centre: tuple[float, float]) -> None:
    """Straight text centred on ``centre`` (its baseline)."""
    font = _font(path, size)
    x = centre[0] - font.getlength(text) / 2.0
    for n, char in enumerate(text):
        pen_x = font.getlength(text[: n + 1]) - font.getlength(char)
        _layer_char(layer, path, size, char, (x + pen_x + font.getlength(char) / 2.0, centre[1]), 0.0)


def _stamp_date(rng: np.random.Generator) -> str:
    return f"{int(rng.integers(1, 29)):02d} {MONTHS[int(rng.integers(12))]} {int(rng.integers(1960, 2026))}"


def ring_stamp(rng: np.random.Generator, path: str, radius: int) -> Layer:
    """Two rings with text running round between them and a date across the middle."""
    side = 2 * radius + 24
    layer, centre = Layer(np.zeros((side, side), np.float32)), side / 2.0
    band = radius * rng.uniform(0.22, 0.3)
    cv2.circle(layer.alpha, (round(centre), round(centre)), radius, 1.0, max(3, radius // 30), cv2.LINE_AA)
    cv2.circle(layer.alpha, (round(centre), round(centre)), round(radius - band), 1.0, 3, cv2.LINE_AA)
    text = str(rng.choice(STAMP_RINGS))
    size = round(band * 0.62)
    font = _font(path, size)
    base = radius - band * 0.8
    spread = 2 * np.pi * base / max(font.getlength(text), 1.0)  # the text fills the ring
    along = 0.0
    for char in text:
        advance = font.getlength(char) * spread
        angle = np.degrees((along + advance / 2.0) / base)
        t = np.radians(angle)
        _layer_char(layer, path, size, char, (centre + base * np.sin(t), centre - base * np.cos(t)), angle)
        along += advance
    _layer_text(layer, path, round(band * 0.55), _stamp_date(rng), (centre, centre + band * 0.2))
    return layer


def box_stamp(rng: np.random.Generator, path: str, size: int) -> Layer:
    """A word in a double-bordered box with a date under it."""
    word, date = str(rng.choice(STAMP_WORDS)), _stamp_date(rng)
    width = max(_font(path, size).getlength(word), _font(path, size // 2).getlength(date)) + size
    side = round(width + 40)
    layer, centre = Layer(np.zeros((side, side), np.float32)), side / 2.0
    half_w, half_h = width / 2.0, size * 1.05
    for inset, thick in ((0, max(4, size // 12)), (size * 0.14, 2)):
        cv2.rectangle(layer.alpha, (round(centre - half_w + inset), round(centre - half_h + inset)),
                      (round(centre + half_w - inset), round(centre + half_h - inset)), 1.0, thick, cv2.LINE_AA)
    _layer_text(layer, path, size, word, (centre, centre + size * 0.15))
    _layer_text(layer, path, size // 2, date, (centre, centre + size * 0.75))
    return layer


def logo(rng: np.random.Generator, path: str, side: int) -> Layer:
    """A filled disc, rounded square or triangle with two white initials knocked out."""
    layer = Layer(np.zeros((side, side), np.float32))
    c, r = side // 2, side // 2 - 4
    shape = int(rng.integers(3))
    if shape == 0:
        cv2.circle(layer.alpha, (c, c), r, 1.0, -1, cv2.LINE_AA)
    elif shape == 1:
        cv2.rectangle(layer.alpha, (4, 4), (side - 5, side - 5), 1.0, -1)
    else:
        triangle = np.array([[c, 4], [side - 5, side - 5], [4, side - 5]], np.int32)
        cv2.fillPoly(layer.alpha, [triangle], 1.0, cv2.LINE_AA)
    letters = Layer(np.zeros_like(layer.alpha))
    initials = "".join(chr(ord("A") + int(rng.integers(26))) for _ in range(2))
    _layer_text(letters, path, side // 3, initials, (c, c + side // 8 if shape != 2 else c + side // 4))
    layer.alpha *= 1.0 - letters.alpha
    return layer


def _place(sheet: Sheet, layer: Layer, centre: tuple[float, float], angle: float, colour: RGB, strength: float,
           rng: np.random.Generator, worn: bool) -> None:
    """Press ``layer`` onto the page turned ``angle`` degrees about its middle; keep its characters and region."""
    side = layer.alpha.shape[0]
    matrix = cv2.getRotationMatrix2D((side / 2.0, side / 2.0), angle, 1.0)
    matrix[:, 2] += (centre[0] - side / 2.0, centre[1] - side / 2.0)
    corners = np.array([[0, 0], [side, 0], [0, side], [side, side]], np.float64) @ matrix[:, :2].T + matrix[:, 2]
    x0, y0 = np.floor(corners.min(0)).astype(int)
    x1, y1 = np.ceil(corners.max(0)).astype(int)
    local = matrix.copy()
    local[:, 2] -= (x0, y0)
    alpha = layer.alpha
    if worn:  # uneven pressure and bare spots
        alpha = alpha * np.clip(0.9 + 0.4 * _noise(rng, (side, side), 18), 0.2, 1.0)
        alpha = alpha * (rng.random(alpha.shape) > 0.07)
    drawn = cv2.warpAffine(alpha.astype(np.float32), local, (int(x1 - x0), int(y1 - y0)), flags=cv2.INTER_LINEAR)
    sheet.ink(drawn, int(x0), int(y0), colour, strength)
    ys, xs = np.nonzero(drawn > 0.05)
    width, height = sheet.size
    if len(xs):
        sheet.ignore.append((int(max(0, x0 + xs.min())), int(max(0, y0 + ys.min())),
                             int(min(width, x0 + xs.max() + 1)), int(min(height, y0 + ys.max() + 1))))
    sheet.stamps += [Inked(c.char, c.points @ matrix[:, :2].T + matrix[:, 2]) for c in layer.chars]


# --- photographs -------------------------------------------------------------------------------------------


def _shadow(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    """A soft shadow (0..1) over one corner or along one edge, made at a quarter of the size."""
    width, height = size
    w, h = width // 4, height // 4
    mask = np.zeros((h, w), np.float32)
    if rng.random() < 0.5:  # a corner
        a, b = rng.uniform(0.3, 0.6) * w, rng.uniform(0.25, 0.5) * h
        polygon = np.array([[0, 0], [a, 0], [0, b]])
        polygon = np.abs(np.array([w, h]) * (rng.integers(0, 2, 2)) - polygon)  # flip to one of the four corners
    else:  # an edge, with a slanted border
        d0, d1 = rng.uniform(0.08, 0.25, 2) * w
        polygon = np.array([[0, 0], [d0, 0], [d1, h], [0, h]])
        if rng.random() < 0.5:
            polygon[:, 0] = w - polygon[:, 0]
    cv2.fillPoly(mask, [polygon.astype(np.int32)], 1.0)
    soft = cv2.GaussianBlur(mask, (0, 0), w * rng.uniform(0.015, 0.035))
    return np.asarray(cv2.resize(soft, (width, height), interpolation=cv2.INTER_LINEAR), np.float32)


def photograph(sheet: Sheet, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The page photographed on a desk: (RGB uint8 photo, 3 x 3 homography from page to photo)."""
    width, height = sheet.size
    border = round(0.05 * width)
    out = (width + 2 * border, height + 2 * border)
    source = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    target = source + border + rng.uniform(-0.6, 0.6, (4, 2)).astype(np.float32) * border
    homography = cv2.getPerspectiveTransform(source, target)
    page = cv2.warpPerspective(sheet.rgb, homography, out, flags=cv2.INTER_LINEAR)
    inside = cv2.warpPerspective(np.ones((height, width), np.float32), homography, out, flags=cv2.INTER_LINEAR)
    desk = np.array([(0.42, 0.31, 0.22), (0.3, 0.3, 0.32), (0.55, 0.5, 0.45)][int(rng.integers(3))], np.float32)
    desk_img = desk * (1.0 + 0.08 * _noise(rng, out, 30))[..., None]
    image = page * inside[..., None] + desk_img * (1.0 - inside[..., None])
    yy, xx = np.mgrid[0 : out[1], 0 : out[0]].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * xx / out[0] + np.sin(angle) * yy / out[1]
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    light = 1.0 - rng.uniform(0.2, 0.4) * ramp
    warm = np.array([1.0, rng.uniform(0.95, 0.99), rng.uniform(0.85, 0.95)], np.float32)
    image = image * light[..., None] * warm * (1.0 - rng.uniform(0.35, 0.55) * _shadow(rng, out))[..., None]
    image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.5, 0.9))
    image = image + rng.normal(0, 0.012, image.shape).astype(np.float32)
    rgb = np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8)
    ok, buffer = cv2.imencode(".jpg", rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(60, 81))])
    decoded = cv2.imdecode(buffer, cv2.IMREAD_COLOR) if ok else None
    if decoded is not None:
        rgb = decoded[..., ::-1]
    return np.ascontiguousarray(rgb), homography


# --- finishing ---------------------------------------------------------------------------------------------


def grey(rgb: np.ndarray) -> np.ndarray:
    """A colour page turned grey as :mod:`app.io` turns a colour file grey (Pillow's ``L``)."""
    return np.array(Image.fromarray(rgb, "RGB").convert("L"), dtype=np.uint8)


def scan(sheet: Sheet, rng: np.random.Generator) -> np.ndarray:
    """A flatbed scan of the page: a little blur and noise (RGB uint8)."""
    image = cv2.GaussianBlur(sheet.rgb, (0, 0), 0.5) + rng.normal(0, 0.008, sheet.rgb.shape).astype(np.float32)
    return np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8)


def finish(kind: str, sheet: Sheet, rgb: np.ndarray, faces: Sequence[str],
           homography: np.ndarray | None = None) -> WildPage:
    """The page as the application sees it, with truth boxes (moved by ``homography`` when given)."""
    height, width = rgb.shape[:2]

    def truth(chars: list[Inked]) -> list[TruthGlyph]:
        out = []
        for c in chars:
            points = c.points
            if homography is not None:
                points = cv2.perspectiveTransform(points.reshape(-1, 1, 2), homography).reshape(-1, 2)
            out.append(TruthGlyph(c.char, Inked(c.char, points).bbox(width, height)))
        return [g for g in out if g.bbox[2] > g.bbox[0] and g.bbox[3] > g.bbox[1]]

    ignore = sheet.ignore
    if homography is not None:
        ignore = [b.bbox(width, height) for b in truth_regions(sheet.ignore, homography)]
    return WildPage(kind, grey(rgb), rgb, truth(sheet.body), truth(sheet.stamps), ignore,
                    [face_name(f) for f in faces])


def truth_regions(boxes: Sequence[BBox], homography: np.ndarray) -> list[Inked]:
    """Boxes moved by a homography, as hulls of their corners."""
    out = []
    for x0, y0, x1, y1 in boxes:
        corners = np.array([[x0, y0], [x1, y0], [x0, y1], [x1, y1]], np.float64).reshape(-1, 1, 2)
        out.append(Inked("", cv2.perspectiveTransform(corners, homography).reshape(-1, 2)))
    return out


# --- the kinds ---------------------------------------------------------------------------------------------


def faces_page(seed: int, faces: Sequence[str] | None = None, size: tuple[int, int] = A5) -> WildPage:
    """Print in a face the segmentation benchmark does not use, justified or ragged."""
    rng = np.random.default_rng(seed)
    path = _pick(rng, faces or available(PRINT_FACES, "print"))
    sheet = Sheet(paper(rng, size))
    _printed(sheet, rng, path, size[1] * rng.uniform(0.05, 0.08), justify=bool(rng.random() < 0.5))
    return finish("faces", sheet, scan(sheet, rng), [path])


def touching_page(seed: int, faces: Sequence[str] | None = None, size: tuple[int, int] = A5) -> WildPage:
    """Bold and regular print set 5-15% of the size tighter than its face: letters touch and overlap."""
    rng = np.random.default_rng(seed)
    path = _pick(rng, faces or available(TOUCHING_FACES, "bold"))
    sheet = Sheet(paper(rng, size))
    _printed(sheet, rng, path, size[1] * rng.uniform(0.05, 0.08), tracking=-float(rng.uniform(0.05, 0.15)))
    return finish("touching", sheet, scan(sheet, rng), [path])


def handwriting_page(seed: int, faces: Sequence[str] | None = None, size: tuple[int, int] = A5) -> WildPage:
    """A handwriting face on plain paper, lines drifting a little."""
    rng = np.random.default_rng(seed)
    path = _pick(rng, faces or available(HAND_FACES, "hand"))
    sheet = Sheet(paper(rng, size))
    x_height = rng.uniform(26, 38)
    pen = _hand_pen(rng, path, x_height)
    pitch = x_height * rng.uniform(2.7, 3.4)

    def step(y: float, new: bool) -> float:
        return y + pitch * (1.0 + (rng.uniform(0.3, 1.0) if new else 0.0)) + rng.normal(0, 0.05 * pitch)

    _handwritten(sheet, rng, pen, size[0] * rng.uniform(0.07, 0.12), size[1] * rng.uniform(0.06, 0.09), step, 0.6)
    return finish("handwriting", sheet, scan(sheet, rng), [path])


def ruled_page(seed: int, faces: Sequence[str] | None = None, size: tuple[int, int] = A5) -> WildPage:
    """Handwriting on ruled paper: blue rules 7-8.5 mm apart and a red margin line, writing on the rules."""
    rng = np.random.default_rng(seed)
    path = _pick(rng, faces or available(HAND_FACES, "hand"))
    width, height = size
    sheet = Sheet(paper(rng, size))
    spacing = rng.uniform(82, 100)
    rules = list(np.arange(height * rng.uniform(0.08, 0.11), height - 0.03 * height, spacing))
    sheet.ink(_lines(size, rules, [], 2), 0, 0, (0.55, 0.7, 0.92), float(rng.uniform(0.6, 0.9)))
    margin = width * rng.uniform(0.11, 0.15)
    sheet.ink(_lines(size, [], [margin, margin + 8] if rng.random() < 0.3 else [margin], 3), 0, 0,
              (0.88, 0.3, 0.35), float(rng.uniform(0.6, 0.9)))
    pen = _hand_pen(rng, path, spacing * rng.uniform(0.28, 0.38))
    step = _on_rules(rng, rules)
    _handwritten(sheet, rng, pen, margin + rng.uniform(15, 35), rules[0] - 2, step, 0.25)
    return finish("ruled", sheet, scan(sheet, rng), [path])


def squared_page(seed: int, faces: Sequence[str] | None = None, size: tuple[int, int] = A5) -> WildPage:
    """Handwriting on squared paper (5 mm grid), every second grid line a baseline."""
    rng = np.random.default_rng(seed)
    path = _pick(rng, faces or available(HAND_FACES, "hand"))
    width, height = size
    sheet = Sheet(paper(rng, size))
    spacing = rng.uniform(56, 62)
    offset = rng.uniform(0, spacing, 2)
    rows = list(np.arange(offset[0], height, spacing))
    sheet.ink(_lines(size, rows, list(np.arange(offset[1], width, spacing)), int(rng.integers(1, 3))), 0, 0,
              (0.58, 0.68, 0.82), float(rng.uniform(0.5, 0.85)))
    pen = _hand_pen(rng, path, spacing * rng.uniform(0.5, 0.65))
    first = next(r for r in rows if r > 0.06 * height)
    step = _on_rules(rng, [r for r in rows if r >= first], every=2)
    _handwritten(sheet, rng, pen, offset[1] + spacing * int(rng.integers(1, 3)) + 4, first - 2, step, 0.25)
    return finish("squared", sheet, scan(sheet, rng), [path])


def stamps_page(seed: int, faces: Sequence[str] | None = None, size: tuple[int, int] = A5,
                stamp_faces: Sequence[str] | None = None) -> WildPage:
    """A letterhead with a filled logo, print, and one or two coloured stamps pressed over the print."""
    rng = np.random.default_rng(seed)
    path = _pick(rng, faces or available(PRINT_FACES, "print"))
    bold = _pick(rng, stamp_faces or available(STAMP_FACES, "bold"))
    width, height = size
    sheet = Sheet(paper(rng, size))
    side = int(rng.integers(150, 230))
    left, top = round(width * rng.uniform(0.07, 0.1)), round(height * rng.uniform(0.03, 0.05))
    _place(sheet, logo(rng, bold, side), (left + side / 2, top + side / 2), 0.0,
           [(0.1, 0.15, 0.35), (0.05, 0.3, 0.15), (0.5, 0.08, 0.1)][int(rng.integers(3))], 1.0, rng, worn=False)
    name = Pen(bold, int(rng.integers(50, 70)), INKS["navy"])
    write_line(sheet, name, _title(rng, bold)[:3], left + side + 40, width - left, top + side * 0.6, rng)
    _printed(sheet, rng, path, top + side + 40, justify=bool(rng.random() < 0.5))
    for _ in range(int(rng.integers(1, 3))):
        stamp = (ring_stamp(rng, bold, int(rng.integers(140, 210))) if rng.random() < 0.5
                 else box_stamp(rng, bold, int(rng.integers(60, 90))))
        centre = (width * rng.uniform(0.25, 0.75), height * rng.uniform(0.3, 0.85))
        colour = STAMP_INKS[int(rng.integers(len(STAMP_INKS)))]
        _place(sheet, stamp, centre, float(rng.uniform(-25, 25)), colour, float(rng.uniform(0.8, 0.95)), rng, True)
    return finish("stamps", sheet, scan(sheet, rng), [path, bold])


def photo_page(seed: int, faces: Sequence[str] | None = None, size: tuple[int, int] = A5) -> WildPage:
    """A ``faces`` page photographed on a desk: uneven light, a soft shadow, slight perspective, JPEG."""
    rng = np.random.default_rng(seed)
    path = _pick(rng, faces or available(PRINT_FACES, "print"))
    sheet = Sheet(paper(rng, size))
    sheet.rgb *= (1.0 + 0.03 * _noise(rng, size, 12))[..., None]  # a rougher paper under the camera's light
    _printed(sheet, rng, path, size[1] * rng.uniform(0.05, 0.08), justify=bool(rng.random() < 0.5))
    rgb, homography = photograph(sheet, rng)
    return finish("photo", sheet, rgb, [path], homography)


def own_page(seed: int, faces: Sequence[str] | None = None, size: tuple[int, int] = (1700, 2200)) -> WildPage:
    """The reference: the project's own printed page (``benchmarks/segmentation.py``'s printed_clean)."""
    rng = np.random.default_rng(seed)
    font = str(rng.choice(["DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf"]))
    page = printed_page(rng, size=size, font=font, font_sizes=(30, 40), margin=min(120, size[0] // 10))
    glyphs = [TruthGlyph(g.char, g.bbox) for line in page.lines for w in line.words for g in w.glyphs]
    return WildPage("own", page.image, None, glyphs, faces=[face_name(font)])


#: The kinds: name -> page function ``(seed, faces=None, size=...) -> WildPage``.
KINDS: dict[str, Callable[..., WildPage]] = {
    "own": own_page, "faces": faces_page, "touching": touching_page, "handwriting": handwriting_page,
    "ruled": ruled_page, "squared": squared_page, "stamps": stamps_page, "photo": photo_page,
}
#: The faces each kind chooses from, and the DejaVu face it falls back to.
KIND_FACES: dict[str, tuple[tuple[str, ...], str]] = {
    "faces": (PRINT_FACES, "print"), "touching": (TOUCHING_FACES, "bold"), "handwriting": (HAND_FACES, "hand"),
    "ruled": (HAND_FACES, "hand"), "squared": (HAND_FACES, "hand"), "stamps": (PRINT_FACES, "print"),
    "photo": (PRINT_FACES, "print"),
}
