"""Learning from a person's corrections (Qt-free).

* :class:`CorrectionStore` keeps every corrected glyph (its 28 x 28 crop and
  the right label) in one ``.npz`` file per user.
* :func:`finetune` adapts a copy of a model to those glyphs, holding out 20 % of
  them to report the accuracy before and after: without torch, the output layer
  on the features the ONNX graph computes (numpy); with torch, the whole network.
  The result is written beside the store; the shipped model is never touched.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MIN_CORRECTIONS = 5


def class_label(text: str, classes: tuple[str, ...] | list[str]) -> int | None:
    """Index of ``text`` among the model's classes (merged-case letters map to the capital), or None."""
    if len(text) != 1:
        return None
    if text in classes:
        return list(classes).index(text)
    if text.upper() in classes:
        return list(classes).index(text.upper())
    return None


class CorrectionStore:
    """Corrected glyphs (uint8 (N, 28, 28) crops, white on black) and their labels, in an ``.npz`` file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def load(self) -> tuple[np.ndarray, np.ndarray]:
        """All stored crops and labels (empty arrays when there are none or the file is unreadable)."""
        try:
            with np.load(self.path, allow_pickle=False) as data:
                return data["images"].astype(np.uint8), data["labels"].astype(str)
        except (OSError, KeyError, ValueError):
            return np.zeros((0, 28, 28), np.uint8), np.zeros(0, dtype="<U1")

    def __len__(self) -> int:
        return len(self.load()[1])

    def add(self, crops: np.ndarray, labels: list[str]) -> None:
        """Append corrections and rewrite the file atomically (thread-safe)."""
        if len(labels) == 0:
            return
        with self._lock:
            self._append(crops, labels)

    def _append(self, crops: np.ndarray, labels: list[str]) -> None:
        from app.atomic import write_bytes_atomic

        images, old_labels = self.load()
        images = np.concatenate([images, np.asarray(crops, np.uint8).reshape(-1, 28, 28)])
        all_labels = np.concatenate([old_labels.astype("<U4"), np.asarray(labels, dtype="<U4")])
        buffer = io.BytesIO()
        np.savez_compressed(buffer, images=images, labels=all_labels)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(self.path, buffer.getvalue())


@dataclass
class FinetuneResult:
    """What a fine-tuning run produced."""

    config_path: Path
    accuracy_before: float
    accuracy_after: float
    train_count: int
    test_count: int


class Cancelled(Exception):
    """The fine-tuning run was cancelled."""


def finetune(images: np.ndarray, labels: list[str] | np.ndarray, base_config: Path, out_dir: Path, *,
             epochs: int = 5, lr: float = 1e-4, holdout: float = 0.2, batch_size: int = 32, seed: int = 0,
             progress: Callable[[int, int], None] | None = None,
             cancel: threading.Event | None = None, whole_network: bool | None = None) -> FinetuneResult:
    """Adapt a copy of the model at ``base_config`` to corrected glyphs.

    Without torch (the plain install) the model's output layer is adapted in numpy on the features
    its ONNX graph computes (:func:`adapt_output_layer`); with torch (the ``train`` extra) the whole
    network is fine-tuned (:func:`finetune_network`). ``whole_network`` forces one or the other.

    Args:
        images: uint8 (N, 28, 28) crops, white ink on black.
        labels: the right character for each crop.
        base_config: JSON config of the model to start from.
        out_dir: where the personal model (``personal.json`` and its files) is written.
        epochs: passes over the training corrections (the whole network).
        lr: Adam learning rate (the whole network; small: we only nudge the model).
        holdout: fraction of corrections kept aside to measure accuracy before and after.
        batch_size: glyphs per step (the whole network).
        seed: makes the split and the shuffling reproducible.
        progress: called with (step done, steps).
        cancel: set it to stop; raises :class:`Cancelled`.

    Raises:
        ValueError: fewer than :data:`MIN_CORRECTIONS` usable corrections.
    """
    from recognizer.modelfile import read_config

    config = read_config(Path(base_config))
    classes = tuple(config["classes"])
    pairs = [(i, class_label(str(t), classes)) for i, t in enumerate(labels)]
    usable = [(i, c) for i, c in pairs if c is not None]
    if len(usable) < MIN_CORRECTIONS:
        raise ValueError(f"need at least {MIN_CORRECTIONS} corrected glyphs of known classes, have {len(usable)}")
    order = np.random.default_rng(seed).permutation(len(usable))
    n_test = max(1, round(holdout * len(usable)))
    split = Split(np.asarray(images, np.uint8)[[usable[k][0] for k in order]],
                  np.asarray([usable[k][1] for k in order], np.int64), n_test)
    if whole_network is None:
        whole_network = _torch_available() and "weights" in config
    if whole_network:
        return finetune_network(split, Path(base_config), Path(out_dir), epochs=epochs, lr=lr,
                                batch_size=batch_size, seed=seed, progress=progress, cancel=cancel)
    return adapt_output_layer(split, Path(base_config), Path(out_dir), progress=progress, cancel=cancel)


@dataclass
class Split:
    """Corrected glyphs and class indices, the first ``n_test`` held out."""

    images: np.ndarray
    labels: np.ndarray
    n_test: int


def _torch_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled("fine-tuning cancelled")


#: Steps of full-batch Adam on the output layer, its learning rate, and the pull back to the shipped
#: layer (L2 on the difference): a few corrections move the layer, they do not replace it.
HEAD_STEPS = 300
HEAD_LR = 0.01
HEAD_PULL = 1e-3


def adapt_output_layer(split: Split, base_config: Path, out_dir: Path, *,
                       progress: Callable[[int, int], None] | None = None,
                       cancel: threading.Event | None = None) -> FinetuneResult:
    """Adapt the output layer (numpy, no torch) on the ONNX graph's features of the corrected glyphs."""
    from recognizer import Predictor
    from recognizer.modelfile import read_config, verified_file, write_config

    base = Predictor.load(base_config, precision="fp32")
    features = base.features(split.images).astype(np.float64)
    with np.load(verified_file(base_config, base.config["onnx"]["output_layer"]), allow_pickle=False) as data:
        weight0, bias0 = data["weight"].astype(np.float64), data["bias"].astype(np.float64)
    if base.config.get("head"):  # a personal model again: start from its layer
        with np.load(verified_file(base_config, base.config["head"]), allow_pickle=False) as data:
            weight0, bias0 = data["weight"].astype(np.float64), data["bias"].astype(np.float64)
    test, train = slice(0, split.n_test), slice(split.n_test, None)
    temperature = base.temperature

    def accuracy(weight: np.ndarray, bias: np.ndarray) -> float:
        return float(((features[test] @ weight.T + bias).argmax(1) == split.labels[test]).mean())

    before = accuracy(weight0, bias0)
    weight, bias = _fit_layer(features[train], split.labels[train], weight0, bias0, temperature, progress, cancel)
    after = accuracy(weight, bias)
    out_dir.mkdir(parents=True, exist_ok=True)
    head_path = out_dir / "personal.head.npz"
    from recognizer.modelfile import file_entry, write_atomic

    buffer = io.BytesIO()
    np.savez(buffer, weight=weight.astype(np.float32), bias=bias.astype(np.float32))
    write_atomic(head_path, buffer.getvalue())
    config = read_config(base_config)
    graphs = {key: {"file": str(verified_file(base_config, entry)), "sha256": entry["sha256"]}
              for key, entry in config["onnx"].items()}
    config.update(name=f"{config.get('name', config['architecture'])}-personal",
                  version=f"{config.get('version', '1')}+{len(split.labels)}", onnx=graphs,
                  head=file_entry(head_path))
    config.pop("weights", None)
    config.pop("sha256", None)
    config["training"] = {"base": str(base_config), "method": "output layer", "corrections": len(split.labels),
                          "held_out": split.n_test, "steps": HEAD_STEPS, "accuracy_before": before,
                          "accuracy_after": after}
    config_path = out_dir / "personal.json"
    write_config(config_path, config)
    return FinetuneResult(config_path, before, after, len(split.labels) - split.n_test, split.n_test)


def _fit_layer(features: np.ndarray, labels: np.ndarray, weight0: np.ndarray, bias0: np.ndarray,
               temperature: float, progress: Callable[[int, int], None] | None,
               cancel: threading.Event | None) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch Adam on the calibrated cross-entropy plus :data:`HEAD_PULL` times the squared change."""
    params = [weight0.copy(), bias0.copy()]
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    onehot = np.eye(len(bias0))[labels]
    for step in range(1, HEAD_STEPS + 1):
        _check_cancel(cancel)
        logits = (features @ params[0].T + params[1]) / temperature
        logits -= logits.max(1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(1, keepdims=True)
        delta = (probs - onehot) / (len(labels) * temperature)
        grads = [delta.T @ features + 2 * HEAD_PULL * (params[0] - weight0),
                 delta.sum(0) + 2 * HEAD_PULL * (params[1] - bias0)]
        for param, grad, (m, v) in zip(params, grads, moments, strict=True):
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad * grad
            param -= HEAD_LR * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
        if progress is not None and step % 50 == 0:
            progress(step, HEAD_STEPS)
    return params[0], params[1]


def finetune_network(split: Split, base_config: Path, out_dir: Path, *, epochs: int, lr: float, batch_size: int,
                     seed: int, progress: Callable[[int, int], None] | None = None,
                     cancel: threading.Event | None = None) -> FinetuneResult:
    """Fine-tune the whole network with torch (the ``train`` extra) and export it with its ONNX graph."""
    import torch
    import torch.nn.functional as F

    from recognizer.weights import export_model, load_model

    model, config = load_model(base_config)
    x_all, y_all = torch.as_tensor(split.images), torch.as_tensor(split.labels)
    n_test = split.n_test
    x_test, y_test, x_train, y_train = x_all[:n_test], y_all[:n_test], x_all[n_test:], y_all[n_test:]
    mean = float(config.get("input", {}).get("mean", 0.0))
    std = float(config.get("input", {}).get("std", 1.0))

    def model_input(batch: torch.Tensor) -> torch.Tensor:
        return (batch.unsqueeze(1).float() / 255.0 - mean) / std

    @torch.no_grad()
    def accuracy() -> float:
        model.eval()
        return float((model(model_input(x_test)).argmax(1) == y_test).float().mean())

    before = accuracy()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        model.train()
        for module in model.modules():  # keep BatchNorm statistics: a few glyphs must not reset them
            if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                module.eval()
        for idx in torch.randperm(len(y_train), generator=generator).split(batch_size):
            _check_cancel(cancel)
            loss = F.cross_entropy(model(model_input(x_train[idx])), y_train[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        if progress is not None:
            progress(epoch + 1, epochs)
    after = accuracy()
    training = {"base": str(base_config), "method": "whole network", "corrections": len(y_all), "held_out": n_test,
                "epochs": epochs, "lr": lr, "accuracy_before": before, "accuracy_after": after}
    config_path = export_model(model.eval(), out_dir,
                               name=f"{config.get('name', config['architecture'])}-personal",
                               architecture=str(config["architecture"]),
                               version=f"{config.get('version', '1')}+{len(y_all)}", classes=config["classes"],
                               model_kwargs=config.get("model_kwargs", {}),
                               temperature=float(config.get("temperature", 1.0)), training=training,
                               stem="personal")
    return FinetuneResult(config_path, before, after, len(y_train), n_test)
