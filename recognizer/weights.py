"""Saving and loading model weights: safetensors beside a JSON config.

The config names the architecture, classes, input normalisation, temperature,
training data and measured accuracy, and carries the sha256 of the weights file
so a damaged or swapped file is caught before it is used.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from recognizer.models import build_model
from recognizer.preprocess import PIXEL_MEAN, PIXEL_STD

CONFIG_FORMAT = 1


class ModelFileError(RuntimeError):
    """A model config or weights file is missing, damaged or does not match."""


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_model(
    model: nn.Module,
    out_dir: Path,
    *,
    name: str,
    version: str,
    classes: tuple[str, ...] | list[str],
    model_kwargs: dict[str, Any],
    temperature: float,
    training: dict[str, Any],
    stem: str = "model",
    architecture: str | None = None,
) -> Path:
    """Write ``<stem>.safetensors`` and ``<stem>.json`` into ``out_dir``; return the config path.

    ``name`` is the display name; ``architecture`` (default: ``name``) the registry name in
    :data:`recognizer.models.MODELS`.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    weights_path = out_dir / f"{stem}.safetensors"
    tensors = {k: v.detach().contiguous().float() if v.is_floating_point() else v.contiguous()
               for k, v in model.state_dict().items()}
    tmp = weights_path.with_suffix(".safetensors.tmp")
    save_file(tensors, str(tmp))
    os.replace(tmp, weights_path)
    config = {
        "format": CONFIG_FORMAT,
        "name": name,
        "version": version,
        "architecture": architecture or name,
        "model_kwargs": model_kwargs,
        "classes": list(classes),
        "input": {"size": [28, 28], "ink": "white on black", "mean": PIXEL_MEAN, "std": PIXEL_STD},
        "temperature": temperature,
        "weights": weights_path.name,
        "sha256": sha256_of(weights_path),
        "training": training,
    }
    config_path = out_dir / f"{stem}.json"
    write_atomic(config_path, json.dumps(config, indent=2).encode())
    return config_path


def read_config(config_path: Path) -> dict[str, Any]:
    """Read and check a model config JSON."""
    try:
        config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFileError(f"model config {config_path} not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"model config {config_path} is not valid JSON: {exc}") from exc
    missing = {"architecture", "classes", "weights", "temperature"} - set(config)
    if missing:
        raise ModelFileError(f"model config {config_path} lacks {sorted(missing)}")
    return config


def load_model(config_path: Path) -> tuple[nn.Module, dict[str, Any]]:
    """Build the model a config describes and load its verified weights (eval mode)."""
    config_path = Path(config_path)
    config = read_config(config_path)
    weights_path = config_path.parent / config["weights"]
    if not weights_path.exists():
        raise ModelFileError(f"model weights {weights_path} not found (named by {config_path})")
    expected = config.get("sha256")
    if expected and sha256_of(weights_path) != expected:
        raise ModelFileError(
            f"model weights {weights_path} are damaged or do not belong to {config_path.name} (sha256 mismatch)"
        )
    try:
        state = load_file(str(weights_path))
    except (SafetensorError, OSError, ValueError) as exc:
        raise ModelFileError(f"model weights {weights_path} cannot be read: {exc}") from exc
    try:
        model = build_model(config["architecture"], len(config["classes"]), **config.get("model_kwargs", {}))
        model.load_state_dict(state)
    except (RuntimeError, ValueError, TypeError) as exc:
        raise ModelFileError(f"model weights {weights_path} do not fit {config['architecture']}: {exc}") from exc
    model.eval()
    return model, config


def load_state(model: nn.Module, state: dict[str, torch.Tensor]) -> None:
    """Load a state dict, raising :class:`ModelFileError` on a mismatch."""
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:
        raise ModelFileError(str(exc)) from exc
