"""Fixtures of the GUI tests: a window with settings and data under tmp_path, synthetic pages, no blocking dialogs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

cv2 = pytest.importorskip("cv2")
pytest.importorskip("pytestqt")

import shiboken6  # noqa: E402
from PySide6.QtCore import QSettings, QStandardPaths, QThreadPool  # noqa: E402
from PySide6.QtWidgets import QFileDialog, QMessageBox  # noqa: E402

LINES = ["The quick brown fox", "jumps over the lazy", "dog 1234 times"]


def draw_page(lines: list[str] = LINES, width: int = 900, scale: float = 1.6) -> np.ndarray:
    """A small synthetic page: black text on white, one cv2.putText line each."""
    height = 90 + 70 * len(lines)
    page = np.full((height, width), 255, np.uint8)
    for i, text in enumerate(lines):
        cv2.putText(page, text, (40, 90 + 70 * i), cv2.FONT_HERSHEY_SIMPLEX, scale, 0, 3, cv2.LINE_AA)
    return page


@pytest.fixture
def page_file(tmp_path: Path) -> Path:
    path = tmp_path / "page.png"
    cv2.imwrite(str(path), draw_page())
    return path


@pytest.fixture(scope="session")
def service() -> Any:
    """One recognition service for the whole run: the model loads once."""
    from app.gui.workers import RecognitionService

    return RecognitionService()


class Dialogs:
    """Records dialogs instead of showing them; answers are set per test."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []
        self.question_answer = QMessageBox.StandardButton.Yes
        self.save_path = ""
        self.open_paths: list[str] = []

    def message(self, kind: str) -> Any:
        def show(_parent: Any, title: str, text: str, *args: Any, **kwargs: Any) -> Any:
            self.shown.append((kind, f"{title}: {text}"))
            return self.question_answer if kind == "question" else QMessageBox.StandardButton.Ok
        return show


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    recorder = Dialogs()
    for kind in ("critical", "warning", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(recorder.message(kind)))
    monkeypatch.setattr(QMessageBox, "about", staticmethod(lambda *a, **k: None))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (recorder.save_path, "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: (recorder.open_paths, "")))
    return recorder


@pytest.fixture
def make_window(qtbot: Any, tmp_path: Path, dialogs: Dialogs, service: Any) -> Iterator[Any]:
    """Factory of main windows sharing settings and data folder under tmp_path."""
    from app.gui.main_window import MainWindow
    from app.gui.settings import Settings

    QStandardPaths.setTestModeEnabled(True)
    windows: list[Any] = []

    def make(**kwargs: Any) -> Any:
        settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
        kwargs.setdefault("service", service)
        window = MainWindow(settings=settings, data_folder=tmp_path / "data", **kwargs)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    alive = [window for window in windows if shiboken6.isValid(window)]  # a test may have deleted one
    for window in alive:
        window.cancel_work()
    QThreadPool.globalInstance().waitForDone(30_000)
    for window in alive:
        window.session.undo_stack.setClean()


@pytest.fixture
def window(make_window: Any) -> Any:
    return make_window()


@pytest.fixture
def recognised(window: Any, page_file: Path, qtbot: Any) -> Any:
    """A window with the synthetic page recognised by the real pipeline."""
    with qtbot.waitSignal(window.recognition_finished, timeout=60_000):
        window.open_paths([page_file])
    assert window.session.glyph_count() > 10
    return window
