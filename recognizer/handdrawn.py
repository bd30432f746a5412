"""Synthetic hand-drawn punctuation: pen strokes with a wobble, normalised like page crops.

EMNIST has no punctuation, so handwritten ``. , ; : ! ? ' " - ( ) / & % $ # @ + = * [ ]``
are drawn here from stroke templates: each mark is a few polylines in a unit box
(x to the right, y down, 0 = cap height, 1 = baseline), jittered point by point,
slanted, scaled and drawn with a random pen width, then cut out with
:func:`segmentation.normalize.glyph_crop` exactly like a glyph of a page.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from recognizer.printed import PUNCTUATION, class_of
from segmentation.normalize import glyph_crop

Stroke = list[tuple[float, float]]
DOT = "dot"  # a stroke of one point is drawn as a filled dot


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, steps: int = 12) -> Stroke:
    """Points on an elliptic arc; angles in degrees, 0 = right, 90 = down."""
    angles = np.linspace(math.radians(start), math.radians(end), steps)
    return [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in angles]


_COMMA = [(0.32, 0.92), (0.31, 1.05), (0.22, 1.2)]
TEMPLATES: dict[str, list[Stroke]] = {
    ".": [[(0.3, 0.95)]],
    ",": [_COMMA],
    ";": [[(0.3, 0.45)], _COMMA],
    ":": [[(0.3, 0.45)], [(0.3, 0.95)]],
    "!": [[(0.32, 0.0), (0.31, 0.35), (0.3, 0.7)], [(0.3, 0.97)]],
    "?": [[*_arc(0.35, 0.25, 0.22, 0.22, 190, 400), (0.32, 0.55), (0.32, 0.72)], [(0.32, 0.97)]],
    "'": [[(0.3, 0.0), (0.28, 0.28)]],
    '"': [[(0.2, 0.0), (0.19, 0.28)], [(0.42, 0.0), (0.41, 0.28)]],
    "-": [[(0.1, 0.55), (0.3, 0.54), (0.5, 0.55)]],
    "(": [_arc(0.55, 0.5, 0.35, 0.6, 235, 125)],
    ")": [_arc(0.05, 0.5, 0.35, 0.6, -55, 55)],
    "/": [[(0.6, -0.05), (0.05, 1.05)]],
    "&": [[(0.65, 1.0), (0.15, 0.4), (0.18, 0.08), (0.35, 0.0), (0.47, 0.12), (0.4, 0.32), (0.1, 0.62),
           (0.12, 0.92), (0.32, 1.02), (0.52, 0.88), (0.68, 0.6)]],
    "%": [_arc(0.15, 0.2, 0.12, 0.18, 0, 360), [(0.65, 0.0), (0.05, 1.0)], _arc(0.55, 0.8, 0.12, 0.18, 0, 360)],
    "$": [_arc(0.3, 0.3, 0.22, 0.18, 330, 90) + _arc(0.3, 0.7, 0.22, 0.2, -90, 150), [(0.3, -0.1), (0.3, 1.1)]],
    "#": [[(0.3, 0.05), (0.2, 0.95)], [(0.55, 0.05), (0.45, 0.95)], [(0.05, 0.35), (0.7, 0.35)],
          [(0.02, 0.65), (0.67, 0.65)]],
    "@": [_arc(0.45, 0.55, 0.13, 0.17, 0, 360),
          [(0.58, 0.4), (0.6, 0.7), (0.75, 0.75), *_arc(0.45, 0.5, 0.4, 0.48, 20, 330)]],
    "+": [[(0.35, 0.25), (0.35, 0.85)], [(0.05, 0.55), (0.65, 0.55)]],
    "=": [[(0.08, 0.42), (0.6, 0.42)], [(0.08, 0.68), (0.6, 0.68)]],
    "*": [[(0.35, 0.1), (0.35, 0.6)], [(0.12, 0.2), (0.58, 0.5)], [(0.58, 0.2), (0.12, 0.5)]],
    "[": [[(0.5, -0.05), (0.25, -0.05), (0.25, 1.05), (0.5, 1.05)]],
    "]": [[(0.1, -0.05), (0.35, -0.05), (0.35, 1.05), (0.1, 1.05)]],
}


def draw_mark(char: str, rng: np.random.Generator, height: int = 64) -> np.ndarray:
    """One hand-drawn ``char`` on a black canvas, ink white (uint8)."""
    canvas = np.zeros((2 * height, 2 * height), dtype=np.uint8)
    slant = math.tan(math.radians(rng.normal(0, 8)))
    sx, sy = height * rng.uniform(0.8, 1.2), height * rng.uniform(0.85, 1.15)
    jitter = rng.uniform(0.01, 0.04)
    pen = max(2, round(height * rng.uniform(0.06, 0.14)))
    ox, oy = height * 0.5, height * 0.4
    for stroke in TEMPLATES[char]:
        pts = np.asarray(stroke, dtype=np.float64) + rng.normal(0, jitter, (len(stroke), 2))
        x = ox + (pts[:, 0] + slant * (1 - pts[:, 1])) * sx
        y = oy + pts[:, 1] * sy
        if len(stroke) == 1:
            radius = max(2, round(pen * rng.uniform(0.6, 1.1)))
            cv2.circle(canvas, (round(x[0]), round(y[0])), radius, 255, -1, cv2.LINE_AA)
        else:
            points = np.stack([x, y], axis=1).round().astype(np.int32)
            cv2.polylines(canvas, [points], False, 255, pen, cv2.LINE_AA)
    return canvas


def render_handdrawn(per_char: int, seed: int, chars: tuple[str, ...] = PUNCTUATION) -> tuple[np.ndarray, np.ndarray]:
    """``per_char`` hand-drawn samples of each punctuation mark: (crops (N, 28, 28) uint8, extended labels)."""
    rng = np.random.default_rng(seed)
    crops, labels = [], []
    for char in chars:
        for _ in range(per_char):
            ink = draw_mark(char, rng, int(rng.integers(24, 80)))
            if rng.random() < 0.5:
                ink = cv2.GaussianBlur(ink, (0, 0), rng.uniform(0.5, 1.5))
            ys, xs = np.nonzero(ink > 40)
            box = (int(xs.min()) - 1, int(ys.min()) - 1, int(xs.max()) + 2, int(ys.max()) + 2)
            crops.append(glyph_crop(ink, box))
            labels.append(class_of(char))
    return np.stack(crops), np.asarray(labels, dtype=np.uint8)
