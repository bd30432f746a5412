"""Glyph classification for the application: pre-process, batched ONNX Runtime model, post-process.

``Predictor`` takes EMNIST-style crops (uint8 (N, 28, 28), upright, white ink on black),
runs the model's ONNX graph in passes of :data:`BATCH_SIZE` and returns the top-k classes
with temperature-calibrated probabilities. No torch: the plain install runs this.

Precision: the int8 graph where the model ships one and :mod:`recognizer.precision` has
measured it on this CPU (as accurate and faster), fp32 otherwise.
"""

from __future__ import annotations

import importlib.resources
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from recognizer.modelfile import ModelFileError, read_config, verified_file
from recognizer.precision import choose_int8, measure_int8
from recognizer.preprocess import check_glyphs, model_input

DEFAULT_CONFIG = "glyphic.json"
PRECISIONS = ("auto", "fp32", "int8")
#: Glyphs per forward pass: small enough to stay in the CPU's caches, large enough for the kernels.
BATCH_SIZE = 256

log = logging.getLogger("glyphic")


def default_model_path() -> Path:
    """Config file of the model shipped in ``resources/models`` (works from an installed package)."""
    root = importlib.resources.files("resources") / "models" / DEFAULT_CONFIG
    return Path(str(root))


def default_threads() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def onnx_session(path: Path, threads: int | None = None, spin: bool = True) -> Any:
    """An ONNX Runtime CPU session with deliberate settings: all graph optimisations, ``threads``
    intra-op threads, sequential execution. ``spin``: the threads busy-wait between passes, ~40%
    faster on a page's back-to-back passes, but they take the cores an interactive program's own
    thread needs. Raises :class:`ModelFileError` for an unreadable graph."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.intra_op_num_threads = threads or default_threads()
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # ONNX Runtime raises its own exception types for bad graphs
        raise ModelFileError(f"model file {path} cannot be loaded by ONNX Runtime: {exc}") from exc


@dataclass(frozen=True)
class Prediction:
    """Top-k class indices and calibrated probabilities, both (N, k); and the raw logits (N, C)."""

    indices: np.ndarray
    probabilities: np.ndarray
    logits: np.ndarray


class Predictor:
    """A loaded, calibrated glyph classifier.

    Attributes:
        classes: the characters in class order.
        temperature: divides the logits before softmax (fitted on validation data).
        config: the model's JSON config.
        precision: ``"fp32"`` or ``"int8"``, the graph in use.
    """

    def __init__(self, config_path: str | Path, *, precision: str | None = None, threads: int | None = None,
                 batch_size: int = BATCH_SIZE, spin: bool = True) -> None:
        self.config_path = Path(config_path)
        self.config = read_config(self.config_path)
        self.classes: tuple[str, ...] = tuple(self.config["classes"])
        self.temperature = float(self.config.get("temperature", 1.0))
        self.mean = float(self.config.get("input", {}).get("mean", 0.0))
        self.std = float(self.config.get("input", {}).get("std", 1.0))
        self.batch_size = batch_size
        self.threads = threads
        self.spin = spin
        graphs = self.config.get("onnx")
        if not isinstance(graphs, dict) or "fp32" not in graphs:
            raise ModelFileError(f"model config {self.config_path} names no ONNX graph; export one with "
                                 f"'python -m recognizer.export_onnx {self.config_path}' (needs glyphic[train])")
        self._head = self._load_head()
        self._session = onnx_session(verified_file(self.config_path, graphs["fp32"]), threads, spin)
        self.precision = "fp32"
        wanted = precision or os.environ.get("GLYPHIC_PRECISION", "auto")
        if wanted not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {wanted!r}")
        if wanted != "fp32" and "int8" in graphs:
            self._try_int8(graphs, forced=wanted == "int8")

    def _try_int8(self, graphs: dict[str, Any], forced: bool) -> None:
        """Switch to the int8 graph when forced or when the check on this CPU allows it.

        A damaged or swapped file raises :class:`ModelFileError`; a graph this CPU or ONNX Runtime
        build cannot run (a missing kernel) leaves fp32 in use with a one-line notice.
        """
        path = verified_file(self.config_path, graphs["int8"])
        try:
            session = onnx_session(path, self.threads, self.spin)
            fp32_run, int8_run = self._run_with(self._session), self._run_with(session)
            int8_run(np.zeros((1, 1, 28, 28), np.float32))  # fails here, not mid-page, if a kernel is missing
            if forced or choose_int8(graphs["int8"]["sha256"], lambda: self._check(graphs, fp32_run, int8_run)):
                self._session, self.precision = session, "int8"
        except Exception as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            log.warning("glyphic: the int8 glyph model cannot run here (%s); using fp32", reason[:200])

    def _check(self, graphs: dict[str, Any], fp32_run: Any, int8_run: Any) -> dict[str, float]:
        with np.load(verified_file(self.config_path, graphs["check"]), allow_pickle=False) as data:
            images, labels = data["images"], data["labels"]
        x = model_input(images, self.mean, self.std)
        return measure_int8(lambda v: self._batched(fp32_run, v)[0], lambda v: self._batched(int8_run, v)[0],
                            x, labels)

    def _run_with(self, session: Any) -> Any:
        def run(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            logits, features = session.run(["logits", "features"], {"glyphs": x})
            return logits, features
        return run

    def _batched(self, run: Any, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if len(x) == 0:
            return np.zeros((0, len(self.classes)), np.float32), np.zeros((0, 0), np.float32)
        parts = [run(x[i : i + self.batch_size]) for i in range(0, len(x), self.batch_size)]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def _load_head(self) -> tuple[np.ndarray, np.ndarray] | None:
        """A personal output layer (weights (C, F), bias (C,)) that replaces the graph's, if the config names one."""
        entry = self.config.get("head")
        if not entry:
            return None
        try:
            with np.load(verified_file(self.config_path, entry), allow_pickle=False) as data:
                weight, bias = data["weight"].astype(np.float32), data["bias"].astype(np.float32)
        except (OSError, KeyError, ValueError) as exc:
            raise ModelFileError(f"output layer {entry} of {self.config_path} cannot be read: {exc}") from exc
        if weight.shape[0] != len(self.classes) or bias.shape != (len(self.classes),):
            raise ModelFileError(f"output layer of {self.config_path} has {weight.shape[0]} rows for "
                                 f"{len(self.classes)} classes")
        return weight, bias

    @classmethod
    def load(cls, config_path: str | Path, **kwargs: Any) -> Predictor:
        """Load a model from its JSON config (ONNX graphs beside it). Raises ``ModelFileError``."""
        return cls(config_path, **kwargs)

    @classmethod
    def from_resources(cls, **kwargs: Any) -> Predictor:
        """Load the model shipped with Glyphic."""
        return cls.load(default_model_path(), **kwargs)

    @property
    def name(self) -> str:
        return f"{self.config.get('name', 'model')} v{self.config.get('version', '?')}"

    def outputs(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Raw logits (N, C) and the last layer's input features (N, F), float32, for uint8 glyphs."""
        glyphs = check_glyphs(images)
        logits, features = self._batched(self._run_with(self._session), model_input(glyphs, self.mean, self.std))
        if self._head is not None and len(glyphs):
            weight, bias = self._head
            logits = features @ weight.T + bias
        return logits.astype(np.float32, copy=False), features

    def logits(self, images: np.ndarray) -> np.ndarray:
        """Raw logits (N, C) as float32 for uint8 glyphs (N, 28, 28)."""
        return self.outputs(images)[0]

    def features(self, images: np.ndarray) -> np.ndarray:
        """The input of the output layer (N, F) for uint8 glyphs (N, 28, 28)."""
        return self.outputs(images)[1]

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities (N, C)."""
        return softmax(self.logits(images) / self.temperature)

    def predict(self, images: np.ndarray, k: int = 5) -> Prediction:
        """Top-k class indices and calibrated probabilities, best first."""
        return self.top_k(self.logits(images), k)

    def calibrated(self, logits: np.ndarray) -> np.ndarray:
        """Calibrated probabilities (N, C) from logits computed by :meth:`logits`."""
        return softmax(logits / self.temperature)

    def top_k(self, logits: np.ndarray, k: int = 5) -> Prediction:
        """The prediction of :meth:`predict` from logits already computed by :meth:`logits`."""
        probs = self.calibrated(logits)
        k = max(1, min(k, len(self.classes)))
        top = np.argsort(-probs, axis=1, kind="stable")[:, :k]
        return Prediction(top, np.take_along_axis(probs, top, axis=1), logits)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float64 for stable probabilities."""
    z = logits.astype(np.float64)
    z -= z.max(axis=1, keepdims=True) if z.size else 0.0
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
