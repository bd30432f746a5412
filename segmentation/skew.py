"""Skew detection from component positions and page rotation."""

from __future__ import annotations

import cv2
import numpy as np


def _sharpness(x: np.ndarray, y: np.ndarray, weight: np.ndarray, angles_deg: np.ndarray, bin_px: float) -> np.ndarray:
    """Sum of squared projection-profile bins for each angle (higher = lines better aligned)."""
    theta = np.deg2rad(angles_deg)[:, None]
    projected = x[None, :] * np.sin(theta) + y[None, :] * np.cos(theta)
    bins = np.floor((projected - projected.min()) / bin_px).astype(np.int64)
    nbins = int(bins.max()) + 1
    offsets = np.arange(len(angles_deg), dtype=np.int64)[:, None] * nbins
    counts = np.bincount((bins + offsets).ravel(), weights=np.broadcast_to(weight, bins.shape).ravel(),
                         minlength=nbins * len(angles_deg))
    counts = counts.reshape(len(angles_deg), nbins)
    return (counts * counts).sum(axis=1)


def estimate_skew(stats: np.ndarray, max_angle: float = 15.0) -> float:
    """Estimate the text skew from connected-component boxes.

    The bottom-centre and top-centre of every glyph-sized component are projected on
    a direction perpendicular to a candidate text direction; the angle whose
    projection profile is sharpest wins (coarse-to-fine search).

    Args:
        stats: (N, 5) cv2 component stats (x, y, w, h, area) of candidate glyphs.
        max_angle: search range in degrees.

    Returns:
        Skew in degrees; positive when the text rises to the right in the image.
    """
    if len(stats) < 3:
        return 0.0
    heights = stats[:, 3].astype(np.float64)
    median_h = float(np.median(heights))
    centre_x = stats[:, 0] + stats[:, 2] / 2.0
    x = np.concatenate([centre_x, centre_x]).astype(np.float64)
    y = np.concatenate([stats[:, 1] + heights, stats[:, 1].astype(np.float64)])
    weight = np.ones_like(x)
    best = 0.0
    span = max_angle
    for step, bin_frac in ((0.5, 0.35), (0.05, 0.2), (0.01, 0.12)):
        angles = np.arange(best - span, best + span + step / 2, step)
        angles = angles[np.abs(angles) <= max_angle + 1e-9]
        score = _sharpness(x, y, weight, angles, max(1.0, median_h * bin_frac))
        # Smooth the score over neighbouring angles to avoid single-bin flukes.
        if len(score) >= 3:
            score = np.convolve(np.pad(score, 1, mode="edge"), np.ones(3) / 3.0, mode="valid")
        best = float(angles[int(np.argmax(score))])
        span = step * 1.5
    # Text rising to the right has y decreasing with x: y' = x sin(t) + y cos(t) is flat for t = skew.
    return best


def rotation_matrix(width: int, height: int, skew_deg: float) -> tuple[np.ndarray, int, int]:
    """Affine matrix (2 x 3) that removes ``skew_deg`` and the size of the expanded canvas."""
    theta = np.deg2rad(skew_deg)
    cos, sin = abs(np.cos(theta)), abs(np.sin(theta))
    new_w = int(np.ceil(width * cos + height * sin))
    new_h = int(np.ceil(width * sin + height * cos))
    matrix = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), -skew_deg, 1.0)
    matrix[0, 2] += new_w / 2.0 - width / 2.0
    matrix[1, 2] += new_h / 2.0 - height / 2.0
    return matrix, new_w, new_h


def rotate(image: np.ndarray, matrix: np.ndarray, size: tuple[int, int], nearest: bool = False) -> np.ndarray:
    """Warp ``image`` with ``matrix`` onto a canvas of ``size`` = (width, height), zero border."""
    flags = cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR
    return cv2.warpAffine(image, matrix, size, flags=flags, borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def boxes_to_original(boxes: np.ndarray, matrix: np.ndarray | None, width: int, height: int) -> np.ndarray:
    """Map (N, 4) deskewed boxes back to original coordinates (axis-aligned hull, clipped)."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    if matrix is None:
        out = boxes.copy()
    else:
        inverse = cv2.invertAffineTransform(matrix)
        corners_x = boxes[:, [0, 2, 2, 0]]
        corners_y = boxes[:, [1, 1, 3, 3]]
        mapped_x = inverse[0, 0] * corners_x + inverse[0, 1] * corners_y + inverse[0, 2]
        mapped_y = inverse[1, 0] * corners_x + inverse[1, 1] * corners_y + inverse[1, 2]
        out = np.stack([mapped_x.min(1), mapped_y.min(1), mapped_x.max(1), mapped_y.max(1)], axis=1)
    out = np.round(out)
    out[:, [0, 2]] = np.clip(out[:, [0, 2]], 0, width)
    out[:, [1, 3]] = np.clip(out[:, [1, 3]], 0, height)
    return out.astype(np.int64)


def points_to_original(x: np.ndarray, y: np.ndarray, matrix: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Map deskewed points to original coordinates."""
    if matrix is None:
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    inverse = cv2.invertAffineTransform(matrix)
    return (inverse[0, 0] * x + inverse[0, 1] * y + inverse[0, 2],
            inverse[1, 0] * x + inverse[1, 1] * y + inverse[1, 2])
