"""Text lines inside a block: projection bands, a straight centre line per line, geometry."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class LineModel:
    """A text line's members and geometry in deskewed coordinates.

    The centre, baseline and ascender line are straight lines ``y = a + slope * x``.
    """

    members: np.ndarray
    slope: float
    centre: float
    baseline: float = 0.0
    x_height: float = 0.0
    ascender: float = 0.0
    bimodal: bool = False
    block: int = 0

    def centre_at(self, x: np.ndarray | float) -> np.ndarray | float:
        """Centre-line y at ``x``."""
        return self.centre + self.slope * x

    def baseline_at(self, x: np.ndarray | float) -> np.ndarray | float:
        """Baseline y at ``x``."""
        return self.baseline + self.slope * x


def _split_valleys(profile: np.ndarray, lo: int, hi: int, min_size: float, out: list[tuple[int, int]]) -> None:
    """Split run [lo, hi) of a projection profile at deep valleys (recursive)."""
    if hi - lo >= 2 * min_size:
        inner = profile[lo:hi]
        margin = int(min_size)
        core = inner[margin : len(inner) - margin]
        if core.size:
            v = margin + int(np.argmin(core))
            left, right = float(inner[:v].max()), float(inner[v + 1 :].max()) if v + 1 < len(inner) else 0.0
            if float(inner[v]) <= 0.2 * min(left, right):
                _split_valleys(profile, lo, lo + v, min_size, out)
                _split_valleys(profile, lo + v + 1, hi, min_size, out)
                return
    out.append((lo, hi))


def line_bands(boxes: np.ndarray, text_height: float) -> list[tuple[int, int]]:
    """Vertical bands (y0, y1) holding one text line each, from the cores of glyph boxes."""
    y_min = int(boxes[:, 1].min())
    y_max = int(boxes[:, 3].max())
    heights = boxes[:, 3] - boxes[:, 1]
    centre = (boxes[:, 1] + boxes[:, 3]) / 2.0
    lo = np.clip(np.floor(centre - heights / 4.0).astype(np.int64) - y_min, 0, y_max - y_min)
    hi = np.clip(np.ceil(centre + heights / 4.0).astype(np.int64) - y_min + 1, 0, y_max - y_min + 1)
    diff = np.zeros(y_max - y_min + 2, dtype=np.float64)
    np.add.at(diff, lo, 1.0)
    np.add.at(diff, hi, -1.0)
    profile = np.cumsum(diff)[:-1]
    inside = profile > 0
    padded = np.concatenate([[False], inside, [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    bands: list[tuple[int, int]] = []
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        _split_valleys(profile, int(start), int(stop), max(2.0, text_height * 0.3), bands)
    return [(a + y_min, b + y_min) for a, b in bands]


def _fit(cx: np.ndarray, cy: np.ndarray, max_slope: float = 0.05) -> tuple[float, float]:
    """Robust straight line through points: (intercept, slope)."""
    if len(cx) < 4 or float(np.ptp(cx)) < 1.0:
        return float(np.median(cy)), 0.0
    slope, intercept = np.polyfit(cx, cy, 1)
    residual = np.abs(cy - (intercept + slope * cx))
    keep = residual <= max(2.0, 2.0 * float(np.median(residual)))
    if keep.sum() >= 4 and float(np.ptp(cx[keep])) >= 1.0:
        slope, intercept = np.polyfit(cx[keep], cy[keep], 1)
    slope = float(np.clip(slope, -max_slope, max_slope))
    return float(np.median(cy - slope * cx)), slope


def find_lines(boxes: np.ndarray, text_height: float) -> list[LineModel]:
    """Group glyph-sized boxes of one block into lines (top to bottom).

    Bands of the projection profile give a first grouping; a straight centre line is
    fitted to each and every box is reassigned to the nearest centre line, which
    tolerates residual skew and slight curl.
    """
    if len(boxes) == 0:
        return []
    bands = line_bands(boxes, text_height)
    cx = (boxes[:, 0] + boxes[:, 2]) / 2.0
    cy = (boxes[:, 1] + boxes[:, 3]) / 2.0
    mids = np.array([(a + b) / 2.0 for a, b in bands])
    nearest = np.argmin(np.abs(cy[:, None] - mids[None, :]), axis=1)
    models = []
    for band in range(len(bands)):
        members = np.flatnonzero(nearest == band)
        if len(members):
            centre, slope = _fit(cx[members], cy[members])
            models.append(LineModel(members, slope, centre))
    if len(models) > 1:
        predicted = np.stack([m.centre + m.slope * cx for m in models], axis=1)
        nearest = np.argmin(np.abs(cy[:, None] - predicted), axis=1)
        models = [LineModel(np.flatnonzero(nearest == i), m.slope, m.centre) for i, m in enumerate(models)]
        models = [m for m in models if len(m.members)]
    models.sort(key=lambda m: float(np.median(cy[m.members])))
    return _absorb_mark_lines(models, boxes)


def _absorb_mark_lines(models: list[LineModel], boxes: np.ndarray) -> list[LineModel]:
    """Merge "lines" of small marks (quotes, accents of a large font) into the line they sit on."""
    if len(models) < 2:
        return models
    stats = []
    for m in models:
        sub = boxes[m.members]
        stats.append((float(np.median(sub[:, 3] - sub[:, 1])), int(sub[:, 0].min()), int(sub[:, 1].min()),
                      int(sub[:, 2].max()), int(sub[:, 3].max())))
    absorbed = [False] * len(models)
    for i, (h, x0, y0, x1, y1) in enumerate(stats):
        centre = (y0 + y1) / 2.0
        for j in (i - 1, i + 1):
            if not 0 <= j < len(models) or absorbed[j]:
                continue
            hj, jx0, jy0, jx1, jy1 = stats[j]
            if h < 0.6 * hj and jy0 - 0.5 * hj <= centre <= jy1 and x0 >= jx0 - hj and x1 <= jx1 + hj:
                models[j].members = np.concatenate([models[j].members, models[i].members])
                absorbed[i] = True
                break
    return [m for m, gone in zip(models, absorbed, strict=True) if not gone]


def _two_means(values: np.ndarray) -> tuple[float, float, float]:
    """1-D 2-means: (low mean, high mean, fraction in the low cluster)."""
    lo, hi = float(values.min()), float(values.max())
    for _ in range(8):
        split = (lo + hi) / 2.0
        low, high = values[values <= split], values[values > split]
        if len(low) == 0 or len(high) == 0:
            break
        lo, hi = float(low.mean()), float(high.mean())
    frac = float(np.mean(values <= (lo + hi) / 2.0))
    return lo, hi, frac


def line_geometry(model: LineModel, boxes: np.ndarray) -> None:
    """Fill baseline, x-height and ascender height of ``model`` from its member boxes."""
    sub = boxes[model.members]
    cx = (sub[:, 0] + sub[:, 2]) / 2.0
    bottoms = sub[:, 3] - model.slope * cx
    heights = (sub[:, 3] - sub[:, 1]).astype(np.float64)
    median_h = float(np.median(heights))
    model.baseline = float(np.median(bottoms))
    on_base = np.abs(bottoms - model.baseline) <= max(2.0, 0.12 * median_h)
    above = (model.baseline - (sub[:, 1] - model.slope * cx))[on_base]
    if above.size == 0:
        above = heights
    lo, hi, frac = _two_means(above)
    model.bimodal = bool(above.size >= 3 and hi > 1.25 * lo and 0.1 <= frac <= 0.95)
    if model.bimodal:
        model.x_height, model.ascender = lo, hi
    else:
        model.x_height = model.ascender = float(np.median(above))
