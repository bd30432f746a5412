"""Making a page's text lines level: a vertical shear whose slope may change down the page.

Handwritten lines drift: a letter's first lines run level and its last ones climb. The slope is the
shear that makes the row profile of the ink sharpest, measured in overlapping horizontal bands (each
band's slope the median of it and its neighbours') and interpolated between them; each column x then
moves up or down by slope * x. A page is sheared by one slope unless the changing slope makes the
whole page's row profile clearly sharper.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: Text lines sloping less than this (dy/dx) are read as they are.
MIN_SHEAR = 0.004
#: The page is measured in bands of this share of its height, overlapping by half.
BAND = 0.2
#: A band with less ink than this share of its pixels takes its slope from its neighbours.
MIN_BAND_INK = 0.002
#: A changing slope is used only when it makes the page's row profile this much sharper than one slope.
FIELD_GAIN = 1.2


def page_shear(binary: np.ndarray) -> float:
    """The text line slope (dy/dx) of an ink mask: the shear that makes its row profile sharpest."""
    return _sharpest_shear(_quarter(binary))


def _quarter(binary: np.ndarray) -> np.ndarray:
    """An ink mask at a quarter of its size (as it is when it is narrow), as float32 ink shares."""
    size = (max(1, binary.shape[1] // 4), max(1, binary.shape[0] // 4))
    small = cv2.resize(binary, size, interpolation=cv2.INTER_AREA) if binary.shape[1] > 400 else binary
    return small.astype(np.float32)


def _profile_sharpness(profile: np.ndarray) -> float:
    return float(np.square(np.diff(profile)).sum())


def _sharpness(small: np.ndarray, t: float) -> float:
    """How sharp the row profile of ``small`` is when its lines of slope ``t`` are made level."""
    return _profile_sharpness(shear_image(small, -t, cv2.INTER_LINEAR)[0].sum(1))


def _sharpest_shear(small: np.ndarray) -> float:
    if not small.any():
        return 0.0
    candidates = np.linspace(-0.08, 0.08, 33)
    best = float(candidates[int(np.argmax([_sharpness(small, t) for t in candidates]))])
    fine = best + np.linspace(-0.005, 0.005, 11)
    best = float(fine[int(np.argmax([_sharpness(small, t) for t in fine]))])
    return best if abs(best) >= MIN_SHEAR else 0.0


def shear_image(image: np.ndarray, t: float, interpolation: int) -> tuple[np.ndarray, float]:
    """``image`` sheared vertically (y' = y + t x + offset; x unchanged) and the offset that keeps it whole."""
    if t == 0:
        return image, 0.0
    height, width = image.shape
    offset = max(0.0, -t * width)
    matrix = np.array([[1.0, 0.0, 0.0], [t, 1.0, offset]])
    size = (width, height + int(np.ceil(abs(t) * width)))
    return cv2.warpAffine(image, matrix, size, flags=interpolation, borderValue=0), offset


@dataclass
class Leveller:
    """The shear of one page: level row y' shows page row y = y' - offset + slope(y') * x.

    Attributes:
        slopes: the slope at every level row (one value when the page has one slope).
        offset: rows added above the page so that no ink leaves the level image.
        shape: the page's (height, width).
    """

    slopes: np.ndarray
    offset: float
    shape: tuple[int, int]

    @classmethod
    def of(cls, binary: np.ndarray) -> Leveller:
        """The leveller of an ink mask (working scale)."""
        small = _quarter(binary)
        whole = _sharpest_shear(small)
        height, width = binary.shape
        constant = cls(np.array([whole]), max(0.0, whole * width), (height, width))
        factor = height / small.shape[0]
        band = max(4, int(BAND * small.shape[0]))
        centres, values = [], []
        for top in range(0, max(1, small.shape[0] - band // 2), max(1, band // 2)):
            part = small[top: top + band]
            if part.mean() >= MIN_BAND_INK:
                centres.append((top + part.shape[0] / 2) * factor)
                values.append(_sharpest_shear(part))
        if len(values) < 2 or np.ptp(values) < 2 * MIN_SHEAR:
            return constant
        padded = np.pad(np.array(values), 1, mode="edge")
        values = [float(np.median(padded[n: n + 3])) for n in range(len(values))]  # one odd band is noise
        low, high = min(values), max(values)
        offset = max(0.0, high * width)
        rows = np.arange(height + int(np.ceil(offset + max(0.0, -low) * width)) + 1)
        # a band's middle row at the page's middle column lies on level row centre - slope * width / 2 + offset
        level_centres = np.array(centres) - np.array(values) * width / 2 + offset
        field = cls(np.interp(rows, level_centres, values).astype(np.float64), offset, (height, width))
        ink = binary.astype(np.float32)
        changing = _profile_sharpness(field.level(ink, cv2.INTER_LINEAR).sum(1))
        one = _profile_sharpness(constant.level(ink, cv2.INTER_LINEAR).sum(1))
        return field if changing >= FIELD_GAIN * one else constant

    @property
    def constant(self) -> bool:
        return len(self.slopes) == 1

    def slope(self, y: float) -> float:
        """The slope at level row ``y``."""
        return float(self.slopes[0] if self.constant else self.slopes[int(np.clip(y, 0, len(self.slopes) - 1))])

    def level(self, image: np.ndarray, interpolation: int) -> np.ndarray:
        """``image`` (page frame) in the level frame."""
        if self.constant:
            return shear_image(image, -float(self.slopes[0]), interpolation)[0]
        rows = np.arange(len(self.slopes), dtype=np.float32)[:, None]
        columns = np.arange(self.shape[1], dtype=np.float32)[None, :]
        map_y = rows - np.float32(self.offset) + self.slopes.astype(np.float32)[:, None] * columns
        map_x = np.broadcast_to(columns, map_y.shape).astype(np.float32)
        return cv2.remap(image, map_x, map_y, interpolation, borderMode=cv2.BORDER_CONSTANT, borderValue=0)

    def page(self, image: np.ndarray) -> np.ndarray:
        """A level-frame label image back in the page frame (nearest neighbour)."""
        if self.constant and self.slopes[0] == 0:
            return image
        height, width = self.shape
        rows = np.arange(height, dtype=np.float64)
        columns = np.arange(width, dtype=np.float32)[None, :]
        start = (rows + self.offset).astype(np.float32)[:, None]
        level_y = start - self._row_slopes(rows).astype(np.float32)[:, None] * columns
        if not self.constant:  # one more step with each pixel's own row slope
            slopes = self.slopes.astype(np.float32)[np.clip(level_y, 0, len(self.slopes) - 1).astype(np.int64)]
            level_y = start - slopes * columns
        map_x = np.broadcast_to(columns, level_y.shape).astype(np.float32)
        back = cv2.remap(image.astype(np.float32), map_x, level_y, cv2.INTER_NEAREST,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        return back.astype(np.int32)

    def page_y(self, x: float, y: float) -> float:
        """The page row of level point (x, y)."""
        return y - self.offset + self.slope(y) * x

    def level_y(self, x: float, y: float) -> float:
        """The level row of page point (x, y)."""
        level = y + self.offset - float(self._row_slopes(np.array([float(y)]))[0]) * x
        return y + self.offset - self.slope(level) * x

    def _row_slopes(self, rows: np.ndarray) -> np.ndarray:
        """The slope of the line through each page row at the page's middle column (the level row it lies on
        found by two fixed-point steps)."""
        if self.constant:
            return np.full(len(rows), float(self.slopes[0]))
        middle = self.shape[1] / 2
        level = rows + self.offset
        for _ in range(2):
            slopes = self.slopes[np.clip(level, 0, len(self.slopes) - 1).astype(np.int64)]
            level = rows - slopes * middle + self.offset
        return self.slopes[np.clip(level, 0, len(self.slopes) - 1).astype(np.int64)]
