"""Saving and loading model weights: safetensors beside a JSON config.

The config names the architecture, classes, input normalisation, temperature,
training data and measured accuracy, and carries the sha256 of the weights file
so a damaged or swapped file is caught before it is used.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from recognizer.modelfile import (
    CONFIG_FORMAT,
    ModelFileError,
    read_config,
    sha256_of,
    verified_file,
    write_atomic,
    write_config,
)
from recognizer.models import build_model
from recognizer.preprocess import PIXEL_MEAN, PIXEL_STD

__all__ = ["ModelFileError", "export_model", "load_model", "load_state", "read_config", "sha256_of", "write_atomic"]


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
    """Write ``<stem>.safetensors``, ``<stem>.json`` and the fp32 ONNX graph into ``out_dir``; return the config path.

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
    write_config(config_path, config)
    from recognizer.export_onnx import export

    export(config_path, model)
    return config_path


def load_model(config_path: Path) -> tuple[nn.Module, dict[str, Any]]:
    """Build the model a config describes and load its verified weights (eval mode)."""
    config_path = Path(config_path)
    config = read_config(config_path, ("architecture", "classes", "weights", "temperature"))
    weights_path = verified_file(config_path, config["weights"], config.get("sha256"))
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
