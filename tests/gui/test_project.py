"""Project save/reopen, autosave recovery and the unsaved-changes warning."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from app.document import Document
from app.gui.project import ProjectError, load_project
from app.gui.refs import page_glyphs
from tests.gui.helpers import existing_glyph


def _correct_first_glyph(window: Any, text: str = "W") -> Any:
    ref = next(page_glyphs(window.session.page, 0))[0]
    window.session.select(ref)
    window.editor.set_text(text, advance=False)
    return ref


def test_save_and_reopen_project(recognised: Any, make_window: Any, qtbot: Any, tmp_path: Path,
                                 dialogs: Any) -> None:
    window = recognised
    ref = _correct_first_glyph(window)
    window.view.set_zoom(1.5)
    path = tmp_path / "saved.glyphic"
    dialogs.save_path = str(path)
    with qtbot.waitSignal(window.project_saved, timeout=10_000):
        window.actions_.save.trigger()
    assert window.session.undo_stack.isClean() and not window.isWindowModified()
    with zipfile.ZipFile(path) as archive:
        assert {"document.json", "state.json", "pages/0000.png"} <= set(archive.namelist())
    other = make_window()
    other.open_paths([path])
    assert other.session.document.to_json() == window.session.document.to_json()
    assert other.session.selection == ref
    assert existing_glyph(other.session.document, ref).text == "W"
    assert other.view.zoom == pytest.approx(1.5)
    assert other.transcript.toPlainText() == window.transcript.toPlainText()
    assert (other.session.page_image(0) == window.session.page_image(0)).all()
    assert other.session.project_path == path and other.session.undo_stack.isClean()


def test_damaged_project_is_reported(window: Any, dialogs: Any, tmp_path: Path) -> None:
    path = tmp_path / "broken.glyphic"
    path.write_bytes(b"PK not really a zip")
    with pytest.raises(ProjectError):
        load_project(path)
    window.open_paths([path])
    assert dialogs.shown[-1][0] == "critical" and "broken.glyphic" in dialogs.shown[-1][1]
    assert window.session.is_empty()


def test_autosave_and_recovery(recognised: Any, make_window: Any, qtbot: Any, dialogs: Any) -> None:
    window = recognised
    _correct_first_glyph(window, "K")
    with qtbot.waitSignal(window.autosaver.saved, timeout=10_000):
        assert window.autosaver.autosave()
    assert window.autosaver.path.is_file()
    expected = window.session.document.to_json()
    # the "crashed" window never discards its recovery file; a new start offers it
    dialogs.question_answer = QMessageBox.StandardButton.Yes
    fresh = make_window()
    assert fresh.check_recovery()
    assert fresh.session.document.to_json() == expected
    assert not fresh.session.undo_stack.isClean()  # recovered work still needs saving
    assert fresh.session.project_path is None


def test_declined_recovery_discards_file(recognised: Any, make_window: Any, qtbot: Any, dialogs: Any) -> None:
    window = recognised
    _correct_first_glyph(window)
    with qtbot.waitSignal(window.autosaver.saved, timeout=10_000):
        window.autosaver.autosave()
    dialogs.question_answer = QMessageBox.StandardButton.No
    fresh = make_window()
    assert not fresh.check_recovery()
    assert not fresh.autosaver.path.exists() and fresh.session.is_empty()


def test_autosave_timer_writes_only_changes(window: Any, qtbot: Any) -> None:
    assert window.autosaver.timer.isActive()
    assert not window.autosaver.autosave()  # nothing to save in an empty session


def test_close_warns_about_unsaved_changes(recognised: Any, dialogs: Any, tmp_path: Path) -> None:
    window = recognised
    _correct_first_glyph(window)
    assert window.isWindowModified()
    dialogs.question_answer = QMessageBox.StandardButton.Cancel
    assert not window.close()
    assert window.isVisible()
    dialogs.question_answer = QMessageBox.StandardButton.Save
    dialogs.save_path = str(tmp_path / "on-close.glyphic")
    assert window.close()
    assert (tmp_path / "on-close.glyphic").is_file()
    assert not window.autosaver.path.exists()  # a clean exit leaves no recovery file
    assert isinstance(load_project(tmp_path / "on-close.glyphic").document, Document)


def test_a_correction_is_autosaved_within_seconds(recognised: Any, qtbot: Any) -> None:
    """Nothing lost: an edit reaches the recovery file once typing pauses, not a minute later."""
    from app.gui.project import load_project
    from app.gui.refs import page_glyphs

    window = recognised
    window.autosaver.soon.setInterval(200)
    ref = next(iter(page_glyphs(window.session.page, 0)))[0]
    window.session.select(ref)
    window.editor.set_text("#", advance=False)
    with qtbot.waitSignal(window.autosaver.saved, timeout=10_000):
        pass
    saved = load_project(window.autosaver.path)
    assert saved.document.pages[0].text.startswith("#")
