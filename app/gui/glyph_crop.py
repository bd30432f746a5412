"""EMNIST-style glyph crops for the GUI (Qt-free).

Used for boxes a person drew or edited, for the drawing pad and for the
corrections store. When the segmentation package offers ``normalize`` it is
used for page boxes, so re-recognised boxes look to the model exactly like the
ones the pipeline produced; otherwise :func:`emnist_crop` does the EMNIST recipe:
Gaussian blur (sigma 1), crop to the ink, centre in a square keeping the aspect
ratio, pad 2 px, resize to 28 x 28 (bicubic), white ink on black.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from app.document import BBox


def emnist_crop(ink: np.ndarray, blur_sigma: float = 1.0, ink_threshold: int = 40) -> np.ndarray:
    """One 28 x 28 uint8 glyph from an image where ink is bright (white on black).

    Args:
        ink: 2-D uint8, ink > background.
        blur_sigma: Gaussian blur applied before cropping.
        ink_threshold: pixels above this (after blurring) count as ink for the crop box.

    Returns:
        (28, 28) uint8, all zero when there is no ink.
    """
    image: np.ndarray = np.asarray(ink, dtype=np.uint8)
    if blur_sigma > 0:
        image = cv2.GaussianBlur(image, (0, 0), blur_sigma)
    ys, xs = np.nonzero(image > ink_threshold)
    if len(xs) == 0:
        return np.zeros((28, 28), np.uint8)
    crop = image[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1]
    h, w = crop.shape
    side = max(h, w)
    square = np.zeros((side + 4, side + 4), np.uint8)
    y0, x0 = 2 + (side - h) // 2, 2 + (side - w) // 2
    square[y0: y0 + h, x0: x0 + w] = crop
    resized = cv2.resize(square, (28, 28), interpolation=cv2.INTER_CUBIC if side + 4 > 28 else cv2.INTER_LINEAR)
    peak = int(resized.max())
    if peak > 0:
        resized = np.clip(resized.astype(np.float32) * (255.0 / peak), 0, 255).astype(np.uint8)
    return resized


def page_ink(region: np.ndarray) -> np.ndarray:
    """Grey page region (dark ink on light paper) -> ink image (bright ink, background 0)."""
    inverted = 255 - np.asarray(region, dtype=np.uint8)
    if inverted.size == 0:
        return inverted
    threshold, _ = cv2.threshold(inverted, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    background = min(float(threshold), float(np.median(inverted)) + 10.0)
    scaled = (inverted.astype(np.float32) - background) * (255.0 / max(1.0, 255.0 - background))
    return np.clip(scaled, 0, 255).astype(np.uint8)


def page_crops(image: np.ndarray, boxes: Sequence[BBox], baselines: Sequence[float] | None = None,
               x_heights: Sequence[float] | None = None) -> np.ndarray:
    """(N, 28, 28) model inputs for boxes on a grey page.

    Tries ``segmentation.normalize`` first (same processing as the pipeline) and
    falls back to :func:`emnist_crop` on each box.
    """
    if not boxes:
        return np.zeros((0, 28, 28), np.uint8)
    try:
        from segmentation import GlyphBox, normalize

        glyph_boxes = [
            GlyphBox(bbox=tuple(int(v) for v in box),  # type: ignore[arg-type]
                     baseline=float(baselines[i]) if baselines else float(box[3]),
                     x_height=float(x_heights[i]) if x_heights else 0.6 * (box[3] - box[1]),
                     line_top=float(box[1]), deskewed_bbox=tuple(int(v) for v in box))  # type: ignore[arg-type]
            for i, box in enumerate(boxes)
        ]
        crops = np.asarray(normalize(image, glyph_boxes), dtype=np.uint8)
        if crops.shape == (len(boxes), 28, 28):
            return crops
    except Exception:  # any failure of the optional path falls back to our own crop
        pass
    out = np.zeros((len(boxes), 28, 28), np.uint8)
    height, width = image.shape[:2]
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        x0, y0 = max(0, int(x0)), max(0, int(y0))
        x1, y1 = min(width, int(x1)), min(height, int(y1))
        if x1 > x0 and y1 > y0:
            out[i] = emnist_crop(page_ink(image[y0:y1, x0:x1]))
    return out
