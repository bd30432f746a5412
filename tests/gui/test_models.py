"""Model names in the status bar (app.gui.models)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from app.gui.models import model_display_name


def test_a_model_name_is_read_again_when_its_file_changes(tmp_path: Path) -> None:
    config = tmp_path / "model.json"
    config.write_text(json.dumps({"name": "glyphic", "version": "2"}), encoding="utf-8")
    assert model_display_name(str(config)) == "glyphic v2"
    config.write_text(json.dumps({"name": "glyphic", "version": "3"}), encoding="utf-8")
    stat = config.stat()
    os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # a later write, whatever the clock
    assert model_display_name(str(config)) == "glyphic v3"
    config.write_text("{broken", encoding="utf-8")
    os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000))
    assert model_display_name(str(config)) == "model.json (unreadable)"
    assert model_display_name(str(tmp_path / "missing.json")) == "missing.json (unreadable)"
