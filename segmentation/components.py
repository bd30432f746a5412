"""Connected components of the binary page and simple size statistics."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Components:
    """Connected components of a binary page.

    Attributes:
        labels: uint16 (int32 when there are many components) label image;
            0 = background, component ``i`` has label ``i + 1``.
        boxes: (N, 4) int64 boxes ``x0, y0, x1, y1`` (exclusive ends).
        area: (N,) ink pixel count.
    """

    labels: np.ndarray
    boxes: np.ndarray
    area: np.ndarray

    @property
    def count(self) -> int:
        """Number of components."""
        return len(self.area)

    @property
    def width(self) -> np.ndarray:
        """Box widths."""
        return self.boxes[:, 2] - self.boxes[:, 0]

    @property
    def height(self) -> np.ndarray:
        """Box heights."""
        return self.boxes[:, 3] - self.boxes[:, 1]


def find_components(binary: np.ndarray) -> Components:
    """Label the 8-connected ink components of a 0/255 image."""
    try:  # 16-bit labels are several times faster; pages with > 65534 components need 32 bits
        _, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8, ltype=cv2.CV_16U)
    except cv2.error:
        _, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8, ltype=cv2.CV_32S)
    stats = stats[1:].astype(np.int64)
    boxes = np.stack([stats[:, 0], stats[:, 1], stats[:, 0] + stats[:, 2], stats[:, 1] + stats[:, 3]], axis=1)
    return Components(labels=labels, boxes=boxes.reshape(-1, 4), area=stats[:, 4].copy())


def speck_mask(comps: Components, stroke: float, speck_area: float) -> np.ndarray:
    """True for components too small to be ink of a glyph or punctuation mark."""
    size = np.maximum(comps.width, comps.height)
    return (comps.area < max(2.0, speck_area * stroke * stroke)) | (size < max(2.0, 0.6 * stroke))


def typical_height(comps: Components, keep: np.ndarray, stroke: float) -> float:
    """Median height of glyph-sized components (ignores specks, dots and huge blobs)."""
    heights = comps.height[keep]
    areas = comps.area[keep]
    plausible = (heights >= 2.5 * stroke) & (areas >= 2.0 * stroke * stroke)
    if plausible.sum() >= 3:
        heights = heights[plausible]
    if heights.size == 0:
        return 0.0
    median = float(np.median(heights))
    trimmed = heights[heights < 4 * median]
    return float(np.median(trimmed)) if trimmed.size else median
