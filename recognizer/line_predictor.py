"""The line recognizer at run time: grey line crops in, CTC frame probabilities out (ONNX Runtime).

``LinePredictor`` normalises each crop to the model's height (dark ink on light paper, grey
replicated to three channels, scaled to [-1, 1]), reads each crop on its own, and returns per line the
(T, C) frame probabilities and how many crop pixels a frame covers. Lines wider than :data:`MAX_WIDTH`
normalised pixels are read in pieces cut at the lightest column near each limit.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from recognizer.modelfile import ModelFileError, read_config, verified_file
from recognizer.predictor import onnx_session

DEFAULT_CONFIG = "lines.json"
#: Widest piece of a normalised line read at once (frames attend to each other: cost grows with width).
MAX_WIDTH = 2400
#: Blank (mid-grey, the normalised zero) columns after every piece: the model learnt from lines padded at
#: their end to a fixed width, and reads a line's last letters better with some padding after them.
END_PAD = 64


def default_line_model_path() -> Path:
    """Config of the line model shipped in ``resources/models``."""
    return Path(str(importlib.resources.files("resources") / "models" / DEFAULT_CONFIG))


@dataclass
class LineFrames:
    """A line's CTC output: frame probabilities (T, C) and crop pixels per frame."""

    probs: np.ndarray
    pixels_per_frame: float


class LinePredictor:
    """A loaded CTC line recognizer.

    Attributes:
        classes: output classes; index ``blank`` is the CTC blank ("").
        height: the model's input height in pixels.
        stride: normalised pixels per output frame.
    """

    def __init__(self, config_path: str | Path, *, threads: int | None = None, spin: bool = True) -> None:
        self.config_path = Path(config_path)
        self.config = read_config(self.config_path, ("classes", "input", "onnx"))
        self.classes: tuple[str, ...] = tuple(self.config["classes"])
        self.blank = int(self.config.get("blank", 0))
        spec = self.config["input"]
        self.height, self.stride = int(spec["height"]), int(spec["stride"])
        self.mean, self.std = float(spec["mean"]), float(spec["std"])
        self.channels = int(spec.get("channels", 1))
        self.calibration: dict[str, Any] = dict(self.config.get("calibration", {}))
        self._input = str(spec.get("name", "x"))
        self._session = onnx_session(verified_file(self.config_path, self.config["onnx"]["fp32"]), threads, spin)
        width = self._session.get_outputs()[0].shape[-1]
        if isinstance(width, int) and width != len(self.classes):
            raise ModelFileError(f"line model {self.config_path}: the graph has {width} outputs but the config "
                                 f"lists {len(self.classes)} classes")

    @classmethod
    def from_resources(cls, **kwargs: Any) -> LinePredictor:
        """The line model shipped with Glyphic."""
        return cls(default_line_model_path(), **kwargs)

    def calibrated(self, confidence: np.ndarray | list[float] | float) -> np.ndarray:
        """Character confidences (the best path's peak probabilities, which run high) mapped to the chance
        of being right: ``sigmoid(scale * logit(p) + shift)`` with the config's ``calibration`` (fitted by
        ``python -m benchmarks.line_calibration``); unchanged without one."""
        p = np.clip(np.asarray(confidence, np.float64), 1e-6, 1 - 1e-6)
        scale = float(self.calibration.get("logit_scale", 1.0))
        shift = float(self.calibration.get("logit_shift", 0.0))
        return 1 / (1 + np.exp(-(scale * np.log(p / (1 - p)) + shift)))

    @property
    def name(self) -> str:
        return f"{self.config.get('name', 'lines')} v{self.config.get('version', '?')}"

    def normalise(self, crop: np.ndarray) -> np.ndarray:
        """A grey uint8 crop as a float32 (H, W) image of the model's height in [-1, 1]."""
        return normalise_line(crop, self.height, self.stride, self.mean, self.std)

    def read(self, crops: list[np.ndarray]) -> list[LineFrames]:
        """Frame probabilities of every crop, in order. Raises ValueError for an unreadable crop.

        Every piece is read on its own: the model's frames attend to each other, so padding a line to the
        width of others in a batch would change its reading with what else is on the page (and it saves
        no time on a CPU)."""
        images = [self.normalise(c) for c in crops]
        result = []
        for crop, image in zip(crops, images, strict=True):
            parts = [self._run(part) for part in _pieces(image, MAX_WIDTH, self.stride)]
            probs = np.concatenate(parts) if parts else np.zeros((0, len(self.classes)), np.float32)
            result.append(LineFrames(probs, self.stride * crop.shape[1] / image.shape[1]))
        return result

    def _run(self, image: np.ndarray) -> np.ndarray:
        """(T, C) frame probabilities of one normalised piece, with :data:`END_PAD` blank columns after it
        (rounded up to whole frames)."""
        width = -(-(image.shape[1] + END_PAD) // self.stride) * self.stride
        x = np.zeros((1, self.channels, self.height, width), np.float32)
        x[0, :, :, : image.shape[1]] = image
        probs = self._session.run(None, {self._input: x})[0]
        return probs[0, : max(1, image.shape[1] // self.stride)]


def normalise_line(crop: np.ndarray, height: int, stride: int, mean: float, std: float) -> np.ndarray:
    """A grey uint8 crop as a float32 (H, W) image ``height`` high in [-1, 1] (what the line model reads;
    training uses the same function)."""
    crop = np.asarray(crop)
    if crop.ndim != 2 or crop.dtype != np.uint8:
        raise ValueError(f"a line crop must be a grey uint8 image, got {crop.dtype} {crop.shape}")
    h, w = crop.shape
    if h < 2 or w < 2:
        raise ValueError(f"a line crop of {w} x {h} px is too small to read")
    width = max(stride, round(w * height / h))
    resized = cv2.resize(crop, (width, height), interpolation=cv2.INTER_AREA if h > height else cv2.INTER_LINEAR)
    return (resized.astype(np.float32) * np.float32(1 / 255) - np.float32(mean)) / np.float32(std)


def _pieces(image: np.ndarray, max_width: int, stride: int) -> list[np.ndarray]:
    """``image`` cut into pieces at most ``max_width`` wide, each cut at the lightest column (on a frame
    boundary) in the last quarter before the limit, so that a cut seldom goes through a letter."""
    pieces = []
    start = 0
    width = image.shape[1]
    while width - start > max_width:
        window = image[:, start + max_width * 3 // 4 : start + max_width]
        ink = (window.max() - window).sum(0)  # dark ink: low values
        cut = start + max_width * 3 // 4 + int(np.argmin(ink))
        cut = start + max(stride, (cut - start) // stride * stride)
        pieces.append(image[:, start:cut])
        start = cut
    pieces.append(image[:, start:])
    return pieces
