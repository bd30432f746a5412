"""Page preprocessing: input checks, grey conversion, inversion, illumination, binarisation."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from segmentation.blur import unblur
from segmentation.paper import textured_paper
from segmentation.types import SegmentOptions

#: Background non-uniformity (grey levels between the 5th and 95th percentile of the
#: estimated background) above which the illumination is flattened.
UNEVEN_BACKGROUND_LEVELS = 25.0
BACKGROUND_SIDE = 320
#: Text covers less than this share of a page; a binary page with more ink is tested for textured paper.
MAX_INK_SHARE = 0.2


def check_image(image: object, max_pixels: int) -> np.ndarray:
    """Validate an input page.

    Args:
        image: (H, W), (H, W, 1), (H, W, 3) RGB or (H, W, 4) RGBA array, uint8 or uint16.
        max_pixels: largest accepted H * W.

    Returns:
        The same array (no copy).

    Raises:
        ValueError: not an array, wrong dtype, wrong shape, empty, or too large.
    """
    if not isinstance(image, np.ndarray):
        raise ValueError(f"image must be a numpy array, got {type(image).__name__}")
    if image.dtype not in (np.uint8, np.uint16):
        raise ValueError(f"image dtype must be uint8 or uint16, got {image.dtype}")
    if image.ndim not in (2, 3):
        raise ValueError(f"image must have 2 or 3 dimensions, got shape {image.shape}")
    if image.ndim == 3 and image.shape[2] not in (1, 3, 4):
        raise ValueError(f"image must have 1, 3 or 4 channels, got shape {image.shape}")
    height, width = image.shape[:2]
    if height == 0 or width == 0:
        raise ValueError(f"image is empty (shape {image.shape})")
    if height * width > max_pixels:
        raise ValueError(f"image has {height * width} pixels, more than max_pixels={max_pixels}")
    return image


def to_grey(image: np.ndarray) -> np.ndarray:
    """Convert a checked image to 8-bit grey (RGB order; RGBA is composited over white)."""
    if image.dtype == np.uint16:
        image = (image.astype(np.float32) * (255.0 / 65535.0) + 0.5).astype(np.uint8)
    if image.ndim == 2:
        return np.ascontiguousarray(image)
    channels = image.shape[2]
    if channels == 1:
        return np.ascontiguousarray(image[:, :, 0])
    grey = cv2.cvtColor(np.ascontiguousarray(image[:, :, :3]), cv2.COLOR_RGB2GRAY)
    if channels == 4:
        alpha = image[:, :, 3].astype(np.float32) / 255.0
        grey = (grey.astype(np.float32) * alpha + 255.0 * (1.0 - alpha) + 0.5).astype(np.uint8)
    return grey


@dataclass
class Binarized:
    """Result of :func:`binarize_page`.

    Attributes:
        ink: grey page with ink bright and background near 0 (illumination flattened).
        binary: ink mask, 0/255 uint8.
        threshold: global threshold on ``ink`` (Otsu, or below a textured paper's fibres) or -1 for adaptive.
        inverted: the page was white on black.
        method: "otsu", "sauvola" or "paper" (textured paper: see :func:`segmentation.paper.textured_paper`).
    """

    ink: np.ndarray
    binary: np.ndarray
    threshold: float
    inverted: bool
    method: str


def _small(grey: np.ndarray) -> tuple[np.ndarray, float]:
    """A subsampled copy (every n-th pixel) about BACKGROUND_SIDE pixels on its long side."""
    step = max(1, int(np.ceil(max(grey.shape) / BACKGROUND_SIDE)))
    if step == 1:
        return grey, 1.0
    return np.ascontiguousarray(grey[::step, ::step]), 1.0 / step


def is_inverted(grey: np.ndarray) -> bool:
    """True for white-on-black pages.

    Text is the minority of pixels that differ sharply from their neighbourhood's
    median; on a normal page those pixels are darker than it, on an inverted page
    brighter. Shadows and dark borders do not fool this test.
    """
    small, _ = _small(grey)
    kernel = max(3, min(31, (min(small.shape) // 8) | 1))
    diff = small.astype(np.int16) - cv2.medianBlur(small, kernel).astype(np.int16)
    darker = int(np.count_nonzero(diff < -30))
    brighter = int(np.count_nonzero(diff > 30))
    return brighter > 1.5 * darker and brighter > 10


def estimate_background(grey: np.ndarray) -> tuple[np.ndarray, float]:
    """Estimate the paper brightness (small image) and its non-uniformity in grey levels."""
    small, scale = _small(grey)
    kernel = max(3, round(24 * scale * max(grey.shape) / 1000) | 1)
    kernel = min(kernel, 31)
    background = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kernel, kernel)))
    background = cv2.medianBlur(background, 5)
    background = cv2.blur(background, (kernel, kernel))
    low, high = np.percentile(background, [5, 95])
    return background, float(high - low)


def flatten_illumination(grey: np.ndarray, background_small: np.ndarray) -> np.ndarray:
    """Divide the page by its background so the paper becomes uniformly white."""
    background = cv2.resize(background_small, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_LINEAR)
    background = np.maximum(background, 1)
    return cv2.divide(grey, background, scale=255)


def sauvola(ink: np.ndarray, window: int, k: float) -> np.ndarray:
    """Sauvola threshold on a bright-ink image; returns a 0/255 ink mask."""
    paper = 255.0 - ink.astype(np.float32)
    mean = cv2.boxFilter(paper, cv2.CV_32F, (window, window), borderType=cv2.BORDER_REFLECT)
    sq_mean = cv2.boxFilter(paper * paper, cv2.CV_32F, (window, window), borderType=cv2.BORDER_REFLECT)
    std = np.sqrt(np.maximum(sq_mean - mean * mean, 0.0))
    threshold = mean * (1.0 + k * (std / 128.0 - 1.0))
    binary = (paper < threshold) & (ink > 24)
    return binary.astype(np.uint8) * 255


def binarize_page(grey: np.ndarray, options: SegmentOptions, text_height: float | None = None) -> Binarized:
    """Invert if needed, flatten the illumination and binarise; on textured paper whose fibres a global
    threshold takes for ink (more than :data:`MAX_INK_SHARE` of the page), threshold below the fibres.

    Args:
        grey: uint8 grey page.
        options: segmentation options.
        text_height: estimated glyph height (sets the Sauvola window); guessed when None.

    Returns:
        The bright-ink page, its binary mask and how they were made.
    """
    inverted = options.detect_inversion and is_inverted(grey)
    if inverted:
        grey = 255 - grey
    page = grey
    uneven = False
    if options.illumination != "off":
        background, spread = estimate_background(grey)
        uneven = options.illumination == "on" or spread > UNEVEN_BACKGROUND_LEVELS
        if uneven:
            grey = flatten_illumination(grey, background)
            # Division flattens smooth light gradients; shadows with hard edges remain uneven.
            uneven = estimate_background(grey)[1] > UNEVEN_BACKGROUND_LEVELS
    ink = 255 - grey
    method = options.binarize if options.binarize in ("otsu", "sauvola") else ("sauvola" if uneven else "otsu")
    threshold, binary = cv2.threshold(ink, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if method == "otsu" and options.sharpen_blurred and float(threshold) >= 24:
        sharper = unblur(ink, binary)
        if sharper is not ink:
            ink = sharper
            threshold, binary = cv2.threshold(ink, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if float(threshold) < 24 or (int(ink.max()) - int(ink.min())) < 32:
        binary = np.zeros_like(ink)  # no contrast: a blank page
    elif method == "sauvola":
        height = text_height if text_height else max(12.0, max(grey.shape) / 100.0)
        window = int(max(15, options.sauvola_window * height * 2)) | 1
        binary = sauvola(ink, window, options.sauvola_k)
        threshold = -1.0
    if cv2.countNonZero(binary) > MAX_INK_SHARE * binary.size and (textured := textured_paper(page)) is not None:
        flat, binary, floor = textured  # the paper's fibres were taken for ink: threshold below them
        return Binarized(ink=255 - flat, binary=binary, threshold=255 - floor, inverted=inverted, method="paper")
    return Binarized(ink=ink, binary=binary, threshold=float(threshold), inverted=inverted, method=method)


def stroke_width(binary: np.ndarray, max_rows: int = 400) -> float:
    """Median horizontal run length of ink over a sample of rows (about the stroke width)."""
    step = max(1, binary.shape[0] // max_rows)
    rows = binary[::step] > 0
    padded = np.zeros((rows.shape[0], rows.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = rows
    change = np.diff(padded, axis=1)
    starts = np.nonzero(change == 1)
    ends = np.nonzero(change == -1)
    if starts[0].size == 0:
        return 1.0
    runs = ends[1] - starts[1]
    return float(max(1.0, np.median(runs)))
