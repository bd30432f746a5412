"""Model files without torch: the JSON config, sha256 checks and atomic writes.

A model is a JSON config (architecture, classes, input normalisation, temperature,
training record) beside its files: the safetensors weights (for training) and the
ONNX graphs that inference runs (fp32, and int8 where it was exported). Every file
the config names carries its sha256, checked before the file is used.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

CONFIG_FORMAT = 1


class ModelFileError(RuntimeError):
    """A model config, weights or ONNX file is missing, damaged or does not match."""


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


def read_config(config_path: Path, required: tuple[str, ...] = ("architecture", "classes", "temperature")
                ) -> dict[str, Any]:
    """Read a model config JSON and check it names what a model needs."""
    try:
        config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFileError(f"model config {config_path} not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"model config {config_path} is not valid JSON: {exc}") from exc
    if not isinstance(config, dict):
        raise ModelFileError(f"model config {config_path} is not a JSON object")
    missing = set(required) - set(config)
    if missing:
        raise ModelFileError(f"model config {config_path} lacks {sorted(missing)}")
    return config


def write_config(config_path: Path, config: dict[str, Any]) -> None:
    """Write a model config atomically (indented JSON)."""
    write_atomic(Path(config_path), (json.dumps(config, indent=2, ensure_ascii=False) + "\n").encode())


def file_entry(path: Path) -> dict[str, str]:
    """The config's record of a model file: its name (beside the config) and sha256."""
    return {"file": path.name, "sha256": sha256_of(path)}


def verified_file(config_path: Path, entry: dict[str, str] | str, expected: str | None = None) -> Path:
    """The path of a file a config names, after checking it exists and has the recorded sha256.

    ``entry`` is a :func:`file_entry` dict, or a bare file name with its sha256 in ``expected``.
    Raises :class:`ModelFileError` naming the file and the expected sha256.
    """
    if isinstance(entry, dict):
        name, expected = entry.get("file", ""), entry.get("sha256")
    else:
        name = entry
    path = Path(config_path).parent / name
    if not name or not path.is_file():
        raise ModelFileError(f"model file {path} not found (named by {Path(config_path).name})")
    if expected:
        actual = sha256_of(path)
        if actual != expected:
            raise ModelFileError(f"model file {path} is damaged or does not belong to {Path(config_path).name}: "
                                 f"sha256 {actual}, expected {expected}")
    return path
