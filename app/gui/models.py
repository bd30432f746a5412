"""The shipped model's config and models' display names (read cheaply: no torch, no ONNX Runtime)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from pathlib import Path


def shipped_model_config() -> Path:
    """The shipped model's JSON config."""
    return Path(str(files("resources") / "models" / "glyphic.json"))


def model_display_name(config_path: str) -> str:
    """'name vVERSION' from a model config (read again only when the file changes: the status bar asks
    on every update)."""
    path = Path(config_path) if config_path else shipped_model_config()
    try:
        return _display_name(path, path.stat().st_mtime_ns)
    except OSError:
        return f"{path.name} (unreadable)"


@lru_cache(maxsize=32)
def _display_name(path: Path, mtime_ns: int) -> str:
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
        return f"{config.get('name', path.stem)} v{config.get('version', '?')}"
    except (OSError, ValueError):
        return f"{path.name} (unreadable)"
