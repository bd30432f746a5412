"""EMNIST-style glyph crops for the GUI (Qt-free).

Boxes a person drew or edited, the drawing pad and the corrections store all go
through segmentation's normalisation, so the model sees them exactly like the
glyphs the pipeline cut from pages.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from app.document import BBox
from segmentation import GlyphBox, normalize
from segmentation.normalize import glyph_crop


def emnist_crop(ink: np.ndarray) -> np.ndarray:
    """One 28 x 28 uint8 glyph from a whole image whose ink is bright (white on black)."""
    image = np.asarray(ink, dtype=np.uint8)
    if image.size == 0 or not image.any():
        return np.zeros((28, 28), np.uint8)
    return glyph_crop(image, (0, 0, image.shape[1], image.shape[0]))


def page_crops(image: np.ndarray, boxes: Sequence[BBox], baselines: Sequence[float] | None = None,
               x_heights: Sequence[float] | None = None) -> np.ndarray:
    """(N, 28, 28) model inputs for boxes on a grey page (dark ink on light paper)."""
    if not boxes:
        return np.zeros((0, 28, 28), np.uint8)
    glyph_boxes = [
        GlyphBox(bbox=(int(box[0]), int(box[1]), int(box[2]), int(box[3])),
                 baseline=float(baselines[i]) if baselines else float(box[3]),
                 x_height=float(x_heights[i]) if x_heights else 0.6 * (box[3] - box[1]),
                 line_top=float(box[1]))
        for i, box in enumerate(boxes)
    ]
    return normalize(image, glyph_boxes)
