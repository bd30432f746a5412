"""EMNIST-style 28 x 28 glyph crops.

EMNIST glyphs were made by: Gaussian blur (sigma 1), crop to the ink's bounding
box, centre in a square frame keeping the aspect ratio, pad by 2 pixels (of the
final 28 x 28 frame), resize with bicubic interpolation, white ink on black,
maximum scaled to 255. :func:`glyph_crop` repeats these steps on one glyph of a
page, after masking out ink of neighbouring components and thickening strokes
that are much thinner than EMNIST's (printed text at large sizes).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from segmentation.preprocess import check_image, is_inverted, to_grey
from segmentation.types import BBox, GlyphBox, PageLayout

SIZE = 28
PAD = 2
#: Stroke width / ink box size of EMNIST glyphs: median ink run (>127) is 4 px for an
#: ink box of about 22-25 px (measured on 5,000 train glyphs: 0.16).
EMNIST_STROKE_RATIO = 0.16
#: Thicken strokes whose ratio is below this fraction of EMNIST's.
THIN_FRACTION = 0.8
#: EMNIST blurred NIST's 128 x 128 binary scans with sigma 1, glyphs about 80 px tall;
#: the blur is scaled to the glyph's size so small printed glyphs are not washed out.
BLUR_SIGMA = 1.0
NIST_GLYPH_SIZE = 80.0


#: Patches with a longer side (px) are shrunk to it before thickening and framing, so a crop takes a
#: bounded time whatever the size of its ink (thickening dilates by up to a seventh of the glyph's size).
MAX_WORK_SIDE = 256

#: Pixels around a glyph's box that its crop looks at: its own ink this close is kept unless it is
#: next to (1 px) another component's.
MARGIN = 3
_NEAR_OWN = np.ones((2 * MARGIN + 1, 2 * MARGIN + 1), np.uint8)
_NEAR_OTHER = np.ones((3, 3), np.uint8)


def _quantile(values: np.ndarray, q: float) -> float:
    """``np.quantile(values, q)`` (linear interpolation) of a non-empty 1-d array, at a fraction of its cost."""
    position = q * (len(values) - 1)
    low, high = int(np.floor(position)), int(np.ceil(position))
    part = np.partition(values, (low, high))
    return float(part[low] + (part[high] - part[low]) * (position - low))


def _run_width(mask: np.ndarray, vertical: bool = False) -> float:
    """Median horizontal (or vertical) ink run length of a boolean mask."""
    if vertical:
        padded = np.zeros((mask.shape[0] + 2, mask.shape[1]), dtype=bool)
        padded[1:-1] = mask
        changes = (padded[1:] != padded[:-1]).T  # column by column
    else:
        padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=bool)
        padded[:, 1:-1] = mask
        changes = padded[:, 1:] != padded[:, :-1]
    # every row (column) starts and ends without ink, so its changes alternate: run start, run end, ...
    edges = np.flatnonzero(changes)
    runs = edges[1::2] - edges[::2]
    return _quantile(runs, 0.5) if runs.size else 0.0


def _ink_extent(values: np.ndarray, floor: float) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the pixels above ``floor``; None when there are none."""
    x, y, w, h = cv2.boundingRect((values > floor).view(np.uint8))
    return (x, y, x + w, y + h) if w else None


def frame_glyph(ink: np.ndarray) -> np.ndarray:
    """Blur, crop to ink, centre in a padded square frame and resize to 28 x 28.

    Args:
        ink: float32 image of one glyph, ink bright, background 0.

    Returns:
        (28, 28) uint8, maximum 255 (all zero when there is no ink).
    """
    peak = float(ink.max()) if ink.size else 0.0
    if peak <= 0:
        return np.zeros((SIZE, SIZE), dtype=np.uint8)
    ink = cv2.copyMakeBorder(ink, 3, 3, 3, 3, cv2.BORDER_CONSTANT, value=0)
    extent = _ink_extent(ink, 0.05 * peak)
    size = max(extent[2] - extent[0], extent[3] - extent[1]) if extent else 1
    sigma = BLUR_SIGMA * min(max(size / NIST_GLYPH_SIZE, 0.25), 1.5)
    ink = cv2.GaussianBlur(ink, (0, 0), sigma)
    extent = _ink_extent(ink, 0.05 * float(ink.max()))
    if extent is None:
        return np.zeros((SIZE, SIZE), dtype=np.uint8)
    x0, y0, x1, y1 = extent
    ink = ink[y0:y1, x0:x1]
    side = max(x1 - x0, y1 - y0)
    frame = max(side + 2, int(np.ceil(side * SIZE / (SIZE - 2 * PAD))))
    square = np.zeros((frame, frame), dtype=np.float32)
    top, left = (frame - ink.shape[0]) // 2, (frame - ink.shape[1]) // 2
    square[top : top + ink.shape[0], left : left + ink.shape[1]] = ink
    interpolation = cv2.INTER_AREA if frame > 2 * SIZE else cv2.INTER_CUBIC
    small = cv2.resize(square, (SIZE, SIZE), interpolation=interpolation)
    np.maximum(small, 0, out=small)  # bicubic overshoots below zero
    peak = float(small.max())
    if peak <= 0:
        return np.zeros((SIZE, SIZE), dtype=np.uint8)
    return (small * (255.0 / peak) + 0.5).astype(np.uint8)  # 0.5 ... 255.5: rounds into 0 ... 255


def thicken(ink: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Dilate thin strokes so their width relative to the glyph size matches EMNIST."""
    _, _, box_width, box_height = cv2.boundingRect(mask.view(np.uint8))
    if box_width == 0:
        return ink
    size = max(box_width, box_height)
    width = min(_run_width(mask), _run_width(mask, vertical=True))
    if width <= 0 or width / size >= THIN_FRACTION * EMNIST_STROKE_RATIO:
        return ink
    grow = round(0.9 * EMNIST_STROKE_RATIO * size - width)
    if grow < 1:
        return ink
    ink = cv2.copyMakeBorder(ink, grow, grow, grow, grow, cv2.BORDER_CONSTANT, value=0)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (grow + 1, grow + 1))
    return cv2.dilate(ink, kernel)


def glyph_crop(ink: np.ndarray, box: BBox, labels: np.ndarray | None = None,
               components: Sequence[int] = (), restrict_columns: bool = False) -> np.ndarray:
    """Normalise one glyph of a bright-ink page to an EMNIST-like 28 x 28 crop.

    Args:
        ink: page with ink bright (uint8), e.g. ``PageLayout.ink``.
        box: glyph box in ``ink`` coordinates.
        labels: component labels of ``ink``; with ``components`` masks out other ink.
        components: label ids of this glyph's ink.
        restrict_columns: keep only ink inside the box's columns (pieces of a split component).

    Returns:
        (28, 28) uint8 crop, white ink on black.
    """
    height, width = ink.shape
    x0, y0, x1, y1 = (int(v) for v in box)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(width, x1), min(height, y1)
    if x1 <= x0 or y1 <= y0:
        return np.zeros((SIZE, SIZE), dtype=np.uint8)
    ex0, ey0, ex1, ey1 = max(0, x0 - MARGIN), max(0, y0 - MARGIN), min(width, x1 + MARGIN), min(height, y1 + MARGIN)
    patch = ink[ey0:ey1, ex0:ex1].astype(np.float32)
    inner = np.zeros(patch.shape, dtype=bool)
    inner[y0 - ey0 : y1 - ey0, x0 - ex0 : x1 - ex0] = True
    if labels is not None and len(components):
        lab = labels[ey0:ey1, ex0:ex1]
        own = (lab == components[0] if len(components) == 1 else np.isin(lab, np.asarray(components))) & inner
        other = (lab > 0) & ~own
        keep = cv2.dilate(own.view(np.uint8), _NEAR_OWN).view(bool)
        keep &= ~cv2.dilate(other.view(np.uint8), _NEAR_OTHER).view(bool) | own
        if restrict_columns:
            keep[:, : x0 - ex0] = False
            keep[:, x1 - ex0 :] = False
        background = lab == 0
        level = _quantile(patch[background], 0.5) if background.any() else 0.0
        patch = np.maximum(patch - level, 0) * keep
    else:
        level = _quantile(patch.ravel(), 0.5)
        patch = np.clip(patch - level, 0, None)
        patch[patch < 0.2 * float(patch.max(initial=0.0))] = 0
        own = patch > 0.5 * float(patch.max(initial=0.0))
    if own.any():  # saturate the stroke cores like EMNIST's binary sources
        level = _quantile(patch[own], 0.75)
        if level > 0:
            patch = np.minimum(patch * (255.0 / level), 255.0).astype(np.float32)
    if max(patch.shape) > MAX_WORK_SIDE:  # a flourish or a blot: its 28 x 28 crop is made small
        scale = MAX_WORK_SIDE / max(patch.shape)
        size = (max(1, round(patch.shape[1] * scale)), max(1, round(patch.shape[0] * scale)))
        patch = cv2.resize(patch, size, interpolation=cv2.INTER_AREA)
        own = cv2.resize(own.view(np.uint8), size, interpolation=cv2.INTER_NEAREST).view(bool)
    return frame_glyph(thicken(patch, own))


def normalize(image: np.ndarray, glyphs: Sequence[GlyphBox], layout: PageLayout | None = None) -> np.ndarray:
    """EMNIST-style crops of ``glyphs``.

    With ``layout`` (the result of ``segment`` on this image), crops come from the
    deskewed, illumination-corrected page kept in the layout and ink of neighbouring
    components is masked out. Without it, crops are cut from ``image`` at
    ``GlyphBox.bbox`` with a local background estimate (fine for unskewed pages; white-on-black
    pages are detected and inverted).

    Args:
        image: the original page as passed to ``segment``.
        glyphs: glyph boxes, e.g. ``layout.glyphs()``.
        layout: the page layout, optional.

    Returns:
        (N, 28, 28) uint8 array, white ink on black.

    Raises:
        ValueError: invalid image.
    """
    if layout is None or layout.ink is None:
        check_image(image, max_pixels=np.iinfo(np.int64).max)
    if not glyphs:
        return np.zeros((0, SIZE, SIZE), dtype=np.uint8)
    if layout is not None and layout.ink is not None:
        ink, labels = layout.ink, layout.labels
        crops = [g.crop if g.crop is not None else glyph_crop(ink, g.deskewed_bbox, labels, g.components, g.split)
                 for g in glyphs]
    else:
        grey = to_grey(image)
        ink = grey if is_inverted(grey) else 255 - grey
        crops = [glyph_crop(ink, g.bbox) for g in glyphs]
    return np.stack(crops).astype(np.uint8)
