"""Printed glyphs rendered from TrueType/OpenType fonts, normalised like the page crops.

Used to teach the recognizer printed and typewritten text and punctuation. Each
glyph is drawn with a random font and size, degraded like a scan (blur, noise,
thinner or thicker strokes, broken strokes, JPEG) and normalised with
:func:`segmentation.normalize.glyph_crop`, the same function the application
applies to glyphs cut from pages. Whole font families are held out for measurement.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from recognizer.data import EMNIST_CLASSES
from segmentation.normalize import glyph_crop

#: Punctuation and symbols added after the 47 EMNIST classes.
PUNCTUATION: tuple[str, ...] = tuple(".,;:!?'\"-()/&%$#@+=*[]")
EXTENDED_CLASSES: tuple[str, ...] = EMNIST_CLASSES + PUNCTUATION
#: Font families kept out of training, for measurement only.
HELD_OUT_FAMILIES = ("LiberationSerif", "FreeSans", "Courier Prime", "C059", "DejaVuSansMono")
FONT_GLOBS = (
    "/usr/share/fonts/truetype/**/*.ttf",
    "/usr/share/fonts/opentype/**/*.otf",
    "/usr/share/fonts/truetype/**/*.otf",
)
#: Characters drawn, with the class each one belongs to.
PRINTED_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" + "".join(PUNCTUATION)


def class_of(char: str) -> int:
    """Extended class of a printed character (merged lower-case letters use their capital)."""
    if char in EXTENDED_CLASSES:
        return EXTENDED_CLASSES.index(char)
    return EXTENDED_CLASSES.index(char.upper())


@lru_cache(maxsize=1)
def available_fonts() -> tuple[str, ...]:
    """Latin text fonts on this machine (matplotlib's DejaVu plus Debian font packages)."""
    import matplotlib

    paths = set(glob.glob(os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVu*.ttf")))
    for pattern in FONT_GLOBS:
        paths.update(glob.glob(pattern, recursive=True))
    keep, seen = [], set()
    for path in sorted(paths):
        name = os.path.basename(path)
        if name in seen:
            continue
        seen.add(name)
        if any(skip in name for skip in ("Display", "Math", "Symbol", "Z003", "D050000L", "Emoji", "Mono-Bold")) and \
                "DejaVuSansMono" not in name:
            continue
        if "Noto" in name and not any(f in name for f in ("NotoSans-", "NotoSerif-", "NotoSansMono-")):
            continue
        keep.append(path)
    return tuple(keep)


def split_fonts(fonts: tuple[str, ...] | None = None) -> tuple[list[str], list[str]]:
    """(training fonts, held-out fonts) by family."""
    fonts = fonts or available_fonts()
    held = [f for f in fonts if os.path.basename(f).startswith(HELD_OUT_FAMILIES)]
    return [f for f in fonts if f not in held], held


@dataclass(frozen=True)
class Degradation:
    """Ranges of the scan degradations."""

    blur: float = 1.2
    noise: float = 18.0
    stroke: int = 2
    break_prob: float = 0.15
    jpeg_prob: float = 0.3


#: Light damage of a clean office scan at 300 dpi (slight blur and noise, some JPEG); the
#: default :class:`Degradation` also thins, thickens and breaks strokes like old typewriting.
SCAN_QUALITY = Degradation(blur=0.6, noise=8.0, stroke=1, break_prob=0.0, jpeg_prob=0.2)


def _render(char: str, font: ImageFont.FreeTypeFont) -> np.ndarray:
    size = int(font.size)
    canvas = Image.new("L", (3 * size, 3 * size), 0)
    ImageDraw.Draw(canvas).text((size, 2 * size), char, fill=255, font=font, anchor="ls")
    return np.asarray(canvas, dtype=np.uint8)


def degrade(ink: np.ndarray, rng: np.random.Generator, cfg: Degradation, size: int) -> np.ndarray:
    """Scan-like damage to a bright-on-black glyph image drawn at font ``size`` pixels."""
    out: np.ndarray = ink.astype(np.float32)
    scale = min(1.0, size / 40.0)
    roll = rng.random() if size >= 24 else 1.0
    k = int(rng.integers(1, max(1, round(cfg.stroke * scale)) + 1))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k + 1, k + 1))
    if roll < 0.2:
        out = cv2.dilate(out, kernel)  # ink bleed, bold typewriter
    elif roll < 0.35:
        out = cv2.erode(out, kernel)  # faint ribbon
    if rng.random() < cfg.break_prob:  # broken strokes: a few erased specks
        ys, xs = np.nonzero(out > 128)
        if len(xs):
            for i in rng.integers(0, len(xs), int(rng.integers(1, 4))):
                cv2.circle(out, (int(xs[i]), int(ys[i])), int(rng.integers(1, 3)), 0, -1)
    sigma = rng.uniform(0, cfg.blur) * scale
    if sigma > 0.2:
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    out = out * rng.uniform(0.6, 1.0) + rng.normal(0, rng.uniform(0, cfg.noise), out.shape)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < cfg.jpeg_prob:
        ok, buf = cv2.imencode(".jpg", 255 - out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(40, 90))])
        decoded = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE) if ok else None
        if decoded is not None:
            out = 255 - decoded
    return out


def render_glyphs(fonts: list[str], per_char: int, seed: int, chars: str = PRINTED_CHARS,
                  cfg: Degradation | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Render ``per_char`` degraded samples of every character; returns (crops (N, 28, 28), labels)."""
    if not fonts:
        raise ValueError("no fonts to render printed glyphs with (install fonts-dejavu or matplotlib)")
    cfg = cfg or Degradation()
    rng = np.random.default_rng(seed)
    crops, labels = [], []
    cache: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}
    for char in chars:
        for _ in range(per_char):
            path = fonts[int(rng.integers(len(fonts)))]
            size = int(rng.choice((16, 20, 24, 32, 40, 56)))
            font = cache.get((path, size))
            if font is None:
                font = cache[(path, size)] = ImageFont.truetype(path, size)
            clean = _render(char, font)
            ys, xs = np.nonzero(clean > 40)
            if len(xs) == 0:
                continue
            box = (int(xs.min()) - 1, int(ys.min()) - 1, int(xs.max()) + 2, int(ys.max()) + 2)
            crops.append(glyph_crop(degrade(clean, rng, cfg, size), box))
            labels.append(class_of(char))
    return np.stack(crops), np.asarray(labels, dtype=np.uint8)


#: Characters that many fonts draw with one shape, told apart only by size, position on the
#: line and the word around them (the page decoder's job, not the 28 x 28 crop's).
CONTEXT_ONLY_GROUPS: tuple[str, ...] = ("lI1", "Oo0", ",'")


def context_equivalent(char: str, predicted: int) -> bool:
    """Whether class ``predicted`` is ``char``'s class or one it shares a shape with (:data:`CONTEXT_ONLY_GROUPS`)."""
    if predicted == class_of(char):
        return True
    return any(char in group and predicted in {class_of(c) for c in group} for group in CONTEXT_ONLY_GROUPS)
