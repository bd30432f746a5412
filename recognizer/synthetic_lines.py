"""Synthetic text lines for the line model, generated on the fly and reproducible from a seed.

``LineGenerator(seed).sample(i)`` always gives the same grey line crop (dark ink on light paper,
cut like the line engine's crops) and its text for the same ``(seed, i)``, whatever was drawn
before, so a training run resumes exactly and a validation set is just a range of indices.

Kinds of lines (:data:`DEFAULT_MIX`):

- ``emnist``: handwritten block letters composed from EMNIST **train** glyphs only, the way
  :func:`benchmarks.textpages.handwritten_text_page` writes its pages (x-height letters smaller,
  descenders lowered), English words by frequency, numbers, capitals-only lines;
- ``print``: Debian serif / sans / mono faces (and DejaVu);
- ``typewriter``: typewriter, monospace and receipt faces (``@fontsource``, fetched by
  ``scripts/fetch_fonts.py``), each character with its own ribbon darkness and a little jitter;
- ``hand``: handwriting and cursive faces (``@fontsource``).

Texts: ``wordfreq`` word sequences with punctuation, capitals-only lines, Faker names, addresses,
dates in many formats, amounts, phone numbers, letter phrases, receipt rows. Degradations are
cheap OpenCV effects: paper level and texture, uneven light, ink erosion and fill-in, faded broken
print, dot-matrix print, bleed-through, blur, noise, JPEG, skew, shear, ruled lines, specks, tight and loose
crops, and the ascenders and descenders of neighbouring lines.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

#: Share of each kind of line in training.
DEFAULT_MIX = {"emnist": 0.4, "print": 0.25, "typewriter": 0.2, "hand": 0.15}
FONT_CACHE_ENV = "GLYPHIC_FONT_CACHE"
DEBIAN_FONT_GLOBS = ("/usr/share/fonts/truetype/**/*.ttf", "/usr/share/fonts/opentype/**/*.otf")
#: Debian faces that make no sense as running text (symbols, maths, display, non-Latin scripts).
SKIP_FONT_WORDS = ("Math", "Symbol", "Dingbat", "D050000L", "Z003", "Emoji", "Noto", "cursor", "Display")
PUNCT_END = (".", ".", ".", ",", ",", ",", ";", ":", "!", "?")
#: EMNIST Balanced classes, and the letter proportions of the benchmark's handwritten pages
#: (benchmarks/textpages.py): x-height letters 0.62 of a capital, descenders 0.92 and lowered 0.3.
EMNIST_CLASSES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghnqrt"
X_HEIGHT_LETTERS = frozenset("acemnorsuvwxz")
DESCENDERS = frozenset("gjpqy")
#: Longest text of one line (characters): lines longer than this cost more than they teach.
MAX_CHARS = 34


@dataclass(frozen=True)
class LineSample:
    """A synthetic line: grey uint8 crop (dark ink on light paper), its text and its kind."""

    image: np.ndarray
    text: str
    kind: str


def font_cache() -> Path:
    """Folder of the fetched ``@fontsource`` faces (``scripts/fetch_fonts.py``)."""
    return Path(os.environ.get(FONT_CACHE_ENV, Path.home() / ".cache" / "glyphic" / "fonts"))


@lru_cache(maxsize=1)
def font_families() -> dict[str, tuple[str, ...]]:
    """Font files by kind: ``print`` (Debian, DejaVu), ``typewriter`` and ``hand`` (the fetched faces).

    The families held out for measurement (:data:`recognizer.printed.HELD_OUT_FAMILIES`: the faces of the
    printed benchmark pages) are left out, and so is the ``courier-prime`` face.
    """
    import json

    from recognizer.printed import HELD_OUT_FAMILIES

    printed: set[str] = set()
    for pattern in DEBIAN_FONT_GLOBS:
        printed.update(p for p in glob.glob(pattern, recursive=True)
                       if not any(w in os.path.basename(p) for w in SKIP_FONT_WORDS)
                       and not os.path.basename(p).startswith(HELD_OUT_FAMILIES))
    typewriter = {p for p in printed if "Mono" in p or "Courier" in p or "NimbusMono" in p}
    kinds: dict[str, set[str]] = {"print": printed, "typewriter": set(typewriter), "hand": set()}
    record = font_cache() / "licences.json"
    if record.exists():
        for entry in json.loads(record.read_text()).values():
            path = font_cache() / entry["file"]
            if entry["file"].replace("-", " ").lower().startswith(tuple(f.lower() for f in HELD_OUT_FAMILIES)):
                continue
            look = {"typewriter": "typewriter", "handwriting": "hand"}.get(entry.get("look", ""))
            if look and path.exists():
                kinds[look].add(str(path))
    return {kind: tuple(sorted(paths)) for kind, paths in kinds.items()}


@lru_cache(maxsize=256)
def _cmap(path: str) -> frozenset[str]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True, fontNumber=0) as font:
        return frozenset(chr(c) for c in font.getBestCmap())


@lru_cache(maxsize=512)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[tuple[str, ...], np.ndarray]:
    from wordfreq import top_n_list

    words = tuple(w for w in top_n_list("en", 30000) if w.isalpha() and w.isascii())
    weights = 1.0 / np.arange(1, len(words) + 1) ** 0.8
    return words, np.cumsum(weights / weights.sum())


def _word(rng: np.random.Generator) -> str:
    words, cumulative = _vocabulary()
    return words[min(len(words) - 1, int(np.searchsorted(cumulative, rng.random())))]


def _number(rng: np.random.Generator) -> str:
    r = rng.random()
    if r < 0.3:
        return str(int(rng.integers(1, 100)))
    if r < 0.5:
        return str(int(rng.integers(1700, 2030)))
    if r < 0.75:
        return f"{rng.uniform(0, 500):.2f}"
    if r < 0.9:
        return f"{int(rng.integers(1, 60))},{int(rng.integers(0, 1000)):03d}"
    return str(int(rng.integers(100, 100000)))


def word_text(rng: np.random.Generator, alphanumeric: bool = False) -> str:
    """English words by frequency, sentence-cased, numbers and (unless ``alphanumeric``) punctuation now and then."""
    target = int(rng.integers(3, MAX_CHARS))
    parts: list[str] = []
    start = rng.random() < 0.6
    capitals = rng.random() < 0.12
    while sum(len(p) + 1 for p in parts) < target:
        word = _number(rng) if rng.random() < 0.06 else _word(rng)
        if start or rng.random() < 0.05:
            word = word.capitalize()
        start = False
        if not alphanumeric:
            r = rng.random()
            if r < 0.1:
                word += str(rng.choice(PUNCT_END))
                start = word[-1] in ".!?"
            elif r < 0.12:
                word = f'"{word}"' if rng.random() < 0.5 else f"({word})"
            elif r < 0.14:
                word = f"{word}-{_word(rng)}"
            elif r < 0.15:
                word = f"{word}'s"
        parts.append(word)
    text = " ".join(parts)
    if alphanumeric:
        text = "".join(c for c in text if c.isalnum() or c == " ")
    if capitals:
        text = text.upper()
    return text[:MAX_CHARS].strip() or "a"


@lru_cache(maxsize=1)
def _faker() -> object:
    from faker import Faker

    return Faker(["en_GB", "en_US"])


DATE_FORMATS = ("%d/%m/%Y", "%d.%m.%y", "%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%d %b %Y", "%m/%d/%y", "%A, %d %B")
LETTER_PHRASES = ("Dear Sir,", "Dear Madam,", "Yours faithfully,", "Yours truly,", "Dear {first},",
                  "With kind regards,", "Sincerely yours,", "My dear {first},", "P.S. {word}", "To: {name}")
ITEMS = ("TEA", "COFFEE", "MILK", "BREAD", "EGGS", "SUGAR", "BUTTER", "CHEESE", "APPLES", "SOAP", "RICE", "BEANS",
         "WATER", "JUICE", "CAKE", "TOMATOES", "PASTA", "SALT", "PEPPER", "CHICKEN", "FISH", "BEER", "WINE")


def faker_text(rng: np.random.Generator) -> str:
    """Names, addresses, dates, amounts, phone numbers, letter phrases and receipt rows."""
    fake = _faker()
    fake.seed_instance(int(rng.integers(1 << 31)))  # type: ignore[attr-defined]
    kind = int(rng.integers(9))
    if kind == 0:
        text = fake.name()  # type: ignore[attr-defined]
    elif kind == 1:
        text = fake.street_address()  # type: ignore[attr-defined]
    elif kind == 2:
        text = f"{fake.city()}, {fake.postcode()}"  # type: ignore[attr-defined]
    elif kind == 3:
        text = fake.date_time().strftime(str(rng.choice(DATE_FORMATS)))  # type: ignore[attr-defined]
    elif kind == 4:
        text = f"{rng.choice(['£', '$', '€', ''])}{rng.uniform(0, 2000):,.2f}"
    elif kind == 5:
        text = fake.phone_number()  # type: ignore[attr-defined]
    elif kind == 6:
        text = str(rng.choice(LETTER_PHRASES)).format(first=fake.first_name(), name=fake.name(),  # type: ignore
                                                      word=_word(rng))
    elif kind == 7:
        item = str(rng.choice(ITEMS))
        count = int(rng.integers(1, 6))
        price = rng.uniform(0.3, 30)
        gap = " " * int(rng.integers(1, 6))
        text = (f"{count} x {item}{gap}{price * count:.2f}" if rng.random() < 0.5
                else f"{item}{gap}{price:.2f}")
    else:
        label = str(rng.choice(["TOTAL", "SUBTOTAL", "CASH", "CHANGE", "VAT 20%", "Total", "Card", "TAX"]))
        text = f"{label}{' ' * int(rng.integers(1, 8))}{rng.uniform(0, 200):.2f}"
    return text[:MAX_CHARS].strip() or "0"


def line_text(rng: np.random.Generator) -> str:
    """A line of printed text: words (most), or Faker data and receipt rows."""
    return faker_text(rng) if rng.random() < 0.35 else word_text(rng)


# ---------------------------------------------------------------------------------------------- rendering


def _render_font(text: str, path: str, size: int, rng: np.random.Generator, per_char: bool) -> np.ndarray:
    """Ink coverage (float32 0..1, H x W) of ``text`` in a face; ``per_char`` draws each character with
    its own darkness and vertical jitter (typewriter keys)."""
    font = _font(path, size)
    ascent, descent = font.getmetrics()
    pad = size // 2
    width = int(font.getlength(text)) + 2 * pad + size
    height = ascent + descent + 2 * pad
    canvas = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(canvas)
    if per_char:
        x = float(pad)
        for char in text:
            shade = int(255 * rng.uniform(0.55, 1.0))
            draw.text((x, pad + rng.uniform(-0.04, 0.04) * size), char, font=font, fill=shade)
            x += font.getlength(char)
    else:
        draw.text((pad, pad), text, font=font, fill=255)
    return np.asarray(canvas, np.float32) / 255.0


def _render_emnist(text: str, glyphs: np.ndarray, by_class: list[np.ndarray], rng: np.random.Generator
                   ) -> np.ndarray:
    """Ink coverage of ``text`` written with EMNIST glyphs, laid out like the benchmark's handwritten pages."""
    cap = int(rng.integers(26, 46))
    boxes: list[tuple[np.ndarray, int, int]] = []
    x = 0.0
    for char in text:
        if char == " ":
            x += rng.uniform(0.8, 1.2) * cap - rng.uniform(0.15, 0.3) * cap
            continue
        pick = by_class[emnist_class(char)]
        ink = ink_crop(glyphs[pick[rng.integers(len(pick))]])
        if ink is None:
            continue
        big = sized_letter(ink, char, cap, rng)
        w = big.shape[1]
        drop = cap * 0.3 if char in DESCENDERS else 0.0
        bottom = round(cap * 1.5 + drop + rng.uniform(-0.04, 0.04) * cap)
        boxes.append((big, round(x), bottom))
        x += w + rng.uniform(0.15, 0.3) * cap
    width = int(x) + 2 * cap
    canvas = np.zeros((cap * 3, width + cap), np.float32)
    darkness = rng.uniform(0.8, 0.95)
    for big, left, bottom in boxes:
        region = canvas[bottom - big.shape[0] : bottom, cap + left : cap + left + big.shape[1]]
        np.maximum(region, big.astype(np.float32) / 255.0 * darkness, out=region)
    return canvas


def emnist_class(char: str) -> int:
    """EMNIST Balanced class of a letter or digit (merged lower-case letters use their capital)."""
    return EMNIST_CLASSES.index(char if char in EMNIST_CLASSES else char.upper())


def ink_crop(glyph: np.ndarray) -> np.ndarray | None:
    """An EMNIST glyph cut to its ink (None for an empty one)."""
    ys, xs = np.nonzero(glyph > 60)
    if len(xs) == 0:
        return None
    return glyph[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def sized_letter(ink: np.ndarray, char: str, cap: float, rng: np.random.Generator) -> np.ndarray:
    """A glyph's ink scaled to its letter's height beside capitals ``cap`` px tall (x-height letters 0.62,
    descenders 0.92, each within 8 %)."""
    letter = cap * (0.62 if char in X_HEIGHT_LETTERS else 0.92 if char in DESCENDERS else 1.0)
    scale = letter * rng.uniform(0.92, 1.08) / ink.shape[0]
    w, h = max(1, round(ink.shape[1] * scale)), max(1, round(ink.shape[0] * scale))
    return cv2.resize(ink, (w, h), interpolation=cv2.INTER_CUBIC)


@lru_cache(maxsize=4)
def _texture(seed: int) -> np.ndarray:
    """A paper texture field (zero mean), made once: fibres and blotches at several scales."""
    rng = np.random.default_rng(seed)
    field = np.zeros((256, 2048), np.float32)
    for sigma, weight in ((0.7, 0.5), (3.0, 1.0), (12.0, 1.5)):
        noise = cv2.GaussianBlur(rng.standard_normal(field.shape).astype(np.float32), (0, 0), sigma)
        field += weight * noise / max(float(noise.std()), 1e-6)
    return field / float(field.std())


def _crop_to_ink(coverage: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The line's ink with tight or loose margins; now and then with the ascenders and descenders of the
    lines above and below entering the crop, as in a real page's line crops."""
    rows = np.flatnonzero(coverage.max(1) > 0.2)
    cols = np.flatnonzero(coverage.max(0) > 0.2)
    if len(rows) == 0:
        return coverage
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    band = bottom - top
    tight = rng.random() < 0.15
    above = band * (rng.uniform(-0.04, 0.05) if tight else rng.uniform(0.05, 0.35))
    below = band * (rng.uniform(-0.04, 0.05) if tight else rng.uniform(0.05, 0.35))
    side = band * rng.uniform(0.0, 0.8), band * rng.uniform(0.0, 0.8)
    pad = int(band) + 4
    padded = np.pad(coverage, pad)
    if rng.random() < 0.15:  # neighbouring lines: this line's own ink shifted by a line pitch
        pitch = band * rng.uniform(1.05, 1.5)
        own = padded
        for direction in (-1, 1):
            if rng.random() < 0.6:
                shift = np.array([[1, 0, rng.uniform(-3, 3) * band], [0, 1, direction * pitch]], np.float32)
                moved = cv2.warpAffine(own, shift, (own.shape[1], own.shape[0]), flags=cv2.INTER_NEAREST)
                padded = np.maximum(padded, moved)
    y0, y1 = round(top + pad - above), round(bottom + pad + below)
    x0, x1 = round(left + pad - side[0]), round(right + pad + side[1])
    return padded[max(0, y0) : max(y0 + 2, y1), max(0, x0) : max(x0 + 2, x1)]


def _dot_matrix(coverage: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Ink as the dots of a dot-matrix or thermal print head."""
    h, w = coverage.shape
    cell = max(2, round(h * rng.uniform(0.035, 0.06)))
    grid = cv2.resize(coverage, (max(1, w // cell), max(1, h // cell)), interpolation=cv2.INTER_AREA) > 0.25
    dot = np.zeros((cell, cell), np.float32)
    cv2.circle(dot, (cell // 2, cell // 2), max(1, round(cell * rng.uniform(0.35, 0.5))), 1.0, -1)
    dots = np.kron(grid.astype(np.float32), dot)
    out = np.zeros_like(coverage)
    out[: dots.shape[0], : dots.shape[1]] = dots[:h, :w]
    return cv2.GaussianBlur(out, (0, 0), 0.5)


def degrade(coverage: np.ndarray, rng: np.random.Generator, kind: str) -> np.ndarray:
    """A grey uint8 scan of an ink coverage map (0..1): geometry, ink, paper, optics and compression."""
    h, w = coverage.shape
    if rng.random() < 0.6:  # skew and shear (slanted writing, a crooked page)
        angle = np.deg2rad(rng.normal(0, 0.8))
        shear = rng.normal(0, 0.12 if kind in ("hand", "emnist") else 0.04)
        matrix = np.array([[1.0, shear + np.tan(angle), -shear * h / 2], [-np.tan(angle), 1.0, np.tan(angle) * w / 2]],
                          np.float32)
        coverage = cv2.warpAffine(coverage, matrix, (w, h), flags=cv2.INTER_LINEAR)
    coverage = _crop_to_ink(coverage, rng)
    h, w = coverage.shape
    if kind == "typewriter" and rng.random() < 0.15:
        coverage = _dot_matrix(coverage, rng)
    r = rng.random()
    if r < 0.15:  # ink fill-in
        coverage = cv2.dilate(coverage, np.ones((2, 2), np.uint8))
    elif r < 0.3:  # eroded or faded, broken strokes (worn ribbon, thermal print)
        coverage = cv2.erode(coverage, np.ones((2, 2), np.uint8)) if max(h, 1) > 30 else coverage
        if rng.random() < 0.5:
            y, x = rng.integers(0, 256 - min(h, 256) + 1), rng.integers(0, 2048 - min(w, 2048) + 1)
            field = _texture(1)[y : y + min(h, 256), x : x + min(w, 2048)]
            field = cv2.resize(field, (w, h)) if field.shape != (h, w) else field
            coverage = coverage * np.clip(1.2 + 0.6 * field, 0, 1)
    paper = rng.uniform(170, 250)
    ink = rng.uniform(0, min(110, paper - 60))
    if rng.random() < 0.12:  # faint print
        ink = paper - rng.uniform(45, 90)
    image = paper - (paper - ink) * np.clip(coverage, 0, 1)
    if rng.random() < 0.7:  # paper texture
        y = int(rng.integers(0, 256 - min(h, 256) + 1))
        x = int(rng.integers(0, 2048 - min(w, 2048) + 1))
        field = _texture(0)[y : y + min(h, 256), x : x + min(w, 2048)]
        if field.shape != (h, w):
            field = cv2.resize(field, (w, h))
        image = image + field * rng.uniform(1, 9)
    if rng.random() < 0.5:  # uneven light
        ramp = np.linspace(-1, 1, w, dtype=np.float32)[None, :] * rng.uniform(-25, 25)
        ramp = ramp + np.linspace(-1, 1, h, dtype=np.float32)[:, None] * rng.uniform(-15, 15)
        image = image + ramp
    if rng.random() < 0.08:  # bleed-through: the back of the sheet's ink, mirrored and blurred
        back = cv2.GaussianBlur(coverage[::-1, ::-1], (0, 0), rng.uniform(1, 3))
        image = image - back * (paper - ink) * rng.uniform(0.08, 0.25)
    if rng.random() < 0.08:  # a ruled line or an underline
        y = int(rng.uniform(0.75, 0.98) * h)
        image[y : y + 1 + int(rng.integers(0, 2))] -= rng.uniform(30, 120)
    if rng.random() < 0.15:  # specks
        for _ in range(int(rng.integers(1, 6))):
            cv2.circle(image, (int(rng.integers(w)), int(rng.integers(h))), int(rng.integers(0, 2)),
                       float(rng.uniform(0, 120)), -1)
    if rng.random() < 0.6:
        image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.3, 1.3))
    if rng.random() < 0.3:  # scanned at a lower resolution
        f = rng.uniform(0.45, 0.8)
        small = cv2.resize(image, (max(2, int(w * f)), max(2, int(h * f))), interpolation=cv2.INTER_AREA)
        image = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.6:
        image = image + rng.standard_normal(image.shape).astype(np.float32) * rng.uniform(1, 12)
    out = np.clip(image, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        ok, data = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(25, 90))])
        if ok:
            out = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    return out


class LineGenerator:
    """Synthetic lines: ``sample(i)`` depends only on the generator's seed and ``i``.

    Args:
        seed: the stream's seed (training and validation use different seeds).
        mix: share of each kind (``emnist``, ``print``, ``typewriter``, ``hand``); kinds without fonts
            or glyphs are left out.
        emnist: EMNIST train glyphs (N, 28, 28 upright, white ink) and labels; None leaves out
            ``emnist`` lines.
        charset: characters the model reads; a character outside it, or missing from a face, is dropped.
    """

    def __init__(self, seed: int, mix: dict[str, float] | None = None,
                 emnist: tuple[np.ndarray, np.ndarray] | None = None, charset: str | None = None) -> None:
        self.seed = seed
        self.fonts = font_families()
        self.charset = set(charset) if charset else None
        self.emnist = emnist
        self.by_class: list[np.ndarray] = []
        if emnist is not None:
            labels = emnist[1]
            self.by_class = [np.flatnonzero(labels == c) for c in range(47)]
        mix = dict(mix or DEFAULT_MIX)
        usable = {k: v for k, v in mix.items()
                  if v > 0 and ((k == "emnist" and emnist is not None) or self.fonts.get(k))}
        if not usable:
            raise ValueError(f"no kind of line can be made from {mix} (no fonts or EMNIST glyphs)")
        total = sum(usable.values())
        self.kinds = tuple(usable)
        self.shares = np.array([usable[k] / total for k in self.kinds])

    def sample(self, index: int) -> LineSample:
        rng = np.random.default_rng([self.seed, index])
        kind = self.kinds[int(rng.choice(len(self.kinds), p=self.shares))]
        for _ in range(5):
            sample = self._make(kind, rng)
            if sample is not None:
                return sample
        fallback = self.fonts["print"] or self.fonts["typewriter"] or self.fonts["hand"]
        coverage = _render_font("the", fallback[0], 32, rng, False) if fallback else np.zeros((48, 96), np.float32)
        return LineSample(degrade(coverage, rng, "print"), "the" if fallback else "", "print")

    def _make(self, kind: str, rng: np.random.Generator) -> LineSample | None:
        if kind == "emnist":
            assert self.emnist is not None
            text = " ".join(word_text(rng, alphanumeric=True).split())
            if not text.strip():
                return None
            coverage = _render_emnist(text, self.emnist[0], self.by_class, rng)
            return LineSample(degrade(coverage, rng, kind), text, kind)
        faces = self.fonts[kind]
        path = faces[int(rng.integers(len(faces)))]
        text = word_text(rng) if kind == "hand" and rng.random() < 0.7 else line_text(rng)
        known = _cmap(path)
        text = "".join(c for c in text if (c == " " or c in known) and (self.charset is None or c in self.charset))
        text = " ".join(text.split())
        if not text:
            return None
        size = int(rng.integers(22, 44))
        coverage = _render_font(text, path, size, rng, per_char=kind == "typewriter" and rng.random() < 0.7)
        if coverage.max() < 0.2:
            return None
        return LineSample(degrade(coverage, rng, kind), text, kind)
