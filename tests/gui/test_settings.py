"""The settings dialog's recognition engine choice reaches the recognition service."""

from __future__ import annotations

from typing import Any

from app.gui.dialogs import SettingsDialog
from app.gui.workers import RecognitionService


def test_engine_setting_reaches_the_service(window: Any, monkeypatch: Any) -> None:
    assert window.settings.engine == ""  # the pipeline's default
    dialog = SettingsDialog(window.settings, window)
    dialog.engine.setCurrentIndex(dialog.engine.findData("line"))
    dialog.apply()
    assert window.settings.engine == "line"
    window.settings.engine = "nonsense"
    assert window.settings.engine == ""
    service = RecognitionService(engine="glyph")
    service._pipeline = object()
    service.configure("", True, 300.0, "line")
    assert service.engine == "line" and service._pipeline is None  # rebuilt with the new engine on next use
