"""Learning from a person's corrections (Qt-free).

* :class:`CorrectionStore` keeps every corrected glyph (its 28 x 28 crop and
  the right label) in one ``.npz`` file per user.
* :func:`finetune` trains a copy of a model on those glyphs for a few epochs
  with a small learning rate, holding out 20 % of them to report the accuracy
  before and after, and exports the result beside the store (safetensors +
  JSON, :func:`recognizer.weights.export_model`). The shipped model is never touched.
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
             cancel: threading.Event | None = None) -> FinetuneResult:
    """Fine-tune a copy of the model at ``base_config`` on corrected glyphs.

    Args:
        images: uint8 (N, 28, 28) crops, white ink on black.
        labels: the right character for each crop.
        base_config: JSON config of the model to start from.
        out_dir: where the personal model (``personal.json`` + weights) is written.
        epochs: passes over the training corrections.
        lr: Adam learning rate (small: we only nudge the model).
        holdout: fraction of corrections kept aside to measure accuracy before and after.
        batch_size: glyphs per step.
        seed: makes the split and the shuffling reproducible.
        progress: called with (epoch done, epochs).
        cancel: set it to stop; raises :class:`Cancelled`.

    Raises:
        ValueError: fewer than :data:`MIN_CORRECTIONS` usable corrections.
    """
    import torch
    import torch.nn.functional as F

    from recognizer.weights import export_model, load_model

    model, config = load_model(Path(base_config))
    classes = tuple(config["classes"])
    pairs = [(i, class_label(str(t), classes)) for i, t in enumerate(labels)]
    usable = [(i, c) for i, c in pairs if c is not None]
    if len(usable) < MIN_CORRECTIONS:
        raise ValueError(f"need at least {MIN_CORRECTIONS} corrected glyphs of known classes, have {len(usable)}")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(usable))
    n_test = max(1, round(holdout * len(usable)))
    x_all = torch.as_tensor(np.asarray(images, np.uint8)[[usable[k][0] for k in order]])
    y_all = torch.as_tensor([usable[k][1] for k in order], dtype=torch.long)
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
            if cancel is not None and cancel.is_set():
                raise Cancelled("fine-tuning cancelled")
            loss = F.cross_entropy(model(model_input(x_train[idx])), y_train[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        if progress is not None:
            progress(epoch + 1, epochs)
    after = accuracy()
    training = {"base": str(base_config), "corrections": len(usable), "held_out": n_test, "epochs": epochs,
                "lr": lr, "accuracy_before": before, "accuracy_after": after}
    config_path = export_model(model.eval(), Path(out_dir),
                               name=f"{config.get('name', config['architecture'])}-personal",
                               architecture=str(config["architecture"]),
                               version=f"{config.get('version', '1')}+{len(usable)}", classes=classes,
                               model_kwargs=config.get("model_kwargs", {}),
                               temperature=float(config.get("temperature", 1.0)), training=training,
                               stem="personal")
    return FinetuneResult(config_path, before, after, len(y_train), n_test)
