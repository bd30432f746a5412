"""One test per defect found when Glyphic was tried as a new user (issue 21)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QUndoCommand
from PySide6.QtWidgets import QMessageBox, QPlainTextEdit

from app.gui.refs import page_glyphs
from app.gui.workers import FunctionTask
from tests.gui.helpers import existing_glyph, select_first_word
from tests.gui.test_recognition import _multipage_tiff


def test_1_retyping_a_word_keeps_its_character_boxes(recognised: Any, qtbot: Any) -> None:
    window = recognised
    word = window.session.document.pages[0].lines[0].words[0]
    boxes = [g.bbox for g in word.glyphs]
    new_text = "".join("Q" if g.text != "Q" else "R" for g in word.glyphs)
    select_first_word(window)
    qtbot.keyClicks(window.transcript, new_text)
    retyped = window.session.document.pages[0].lines[0].words[0]
    assert retyped.text == new_text
    assert [g.bbox for g in retyped.glyphs] == boxes  # one box per character, where it was
    assert all(g.corrected for g in retyped.glyphs)


def test_1_typed_extra_characters_get_boxes_of_their_own() -> None:
    from app.document import Glyph, Line, Word
    from app.gui.edits import apply_line_text

    glyphs = [Glyph(bbox=(10 * i, 0, 10 * i + 10, 20), text=c, confidence=0.9) for i, c in enumerate("ab")]
    line = Line(bbox=(0, 0, 20, 20), words=[Word(bbox=(0, 0, 20, 20), glyphs=glyphs)])
    new = apply_line_text(line, "a xyzw b")
    boxes = [g.bbox for w in new.words for g in w.glyphs]
    assert len(set(boxes)) == len(boxes)  # no two characters on one box


def _glyph_with_alternatives(window: Any) -> Any:
    for ref, glyph in page_glyphs(window.session.page, 0):
        if len(glyph.alternatives) >= 2:
            return ref
    raise AssertionError("no glyph with alternatives")


def test_2_popup_follows_zoom_closes_on_esc_and_refreshes(recognised: Any, qtbot: Any) -> None:
    window = recognised
    ref = _glyph_with_alternatives(window)
    window.view.setFocus()
    window.session.select(ref)
    assert window.popup.isVisible()
    before = window.popup.pos()
    window.view.zoom_by(2.0)
    anchor = window.view.glyph_view_rect(ref)
    assert window.popup.pos() != before
    assert abs(window.popup.y() - max(0, anchor.top())) < window.view.viewport().height()
    assert window.popup.x() >= anchor.right() or window.popup.x() + window.popup.width() <= anchor.left()
    window.pad.use_text.emit("%")  # the drawing pad changes the character
    assert "“%”" in window.popup.title.text()  # not the stale reading
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    assert not window.popup.isVisible() and not window.view.popup_open


def test_3_title_names_the_opened_file(recognised: Any) -> None:
    assert "page.png" in recognised.windowTitle()


def test_4_failed_open_keeps_the_document(recognised: Any, dialogs: Any, qtbot: Any, tmp_path: Path) -> None:
    window = recognised
    text = window.session.document.pages[0].text
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    window.open_paths([empty])
    assert any("empty.png" in shown and "Cannot open" in shown for _kind, shown in dialogs.shown)
    assert window.session.document.pages[0].text == text and len(window.session.document.pages) == 1
    assert "page.png" in window.windowTitle() and "failed" not in window.windowTitle()


def test_5_cancel_keeps_the_page_and_ctrl_r_recognises_the_rest(window: Any, qtbot: Any, tmp_path: Path) -> None:
    tiff = _multipage_tiff(tmp_path / "five.tif", 5)
    with qtbot.waitSignal(window.session.page_added, timeout=60_000):
        window.open_paths([tiff])
    window.actions_.cancel.trigger()  # while the first page is being recognised
    window.actions_.recognize.trigger()  # at once, before the cancelled run has stopped
    qtbot.waitUntil(lambda: not window.busy() and all(i.recognized for i in window.session.images), timeout=60_000)
    assert all(page.blocks for page in window.session.document.pages)
    assert len(window.session.document.pages) >= 1


def test_6_ctrl_equal_zooms_in(recognised: Any, qtbot: Any) -> None:
    window = recognised
    assert QKeySequence("Ctrl+=") in window.actions_.zoom_in.shortcuts()
    window.activateWindow()
    window.view.setFocus()
    zoom = window.view.zoom
    qtbot.keyClick(window.view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.view.zoom > zoom * 1.1


def test_7_drawing_mode_ends_after_a_box(recognised: Any, qtbot: Any) -> None:
    window = recognised
    window.actions_.draw_box.trigger()
    assert window.actions_.draw_box.isChecked() and window.view._draw_mode
    page = window.session.page
    with qtbot.waitSignal(window.session.undo_stack.indexChanged, timeout=30_000):
        window.view.box_drawn.emit((page.width - 60, page.height - 50, page.width - 20, page.height - 5))
    assert not window.actions_.draw_box.isChecked() and not window.view._draw_mode


def test_8_long_undo_labels_keep_export_on_the_toolbar(recognised: Any) -> None:
    window = recognised
    window.session.undo_stack.push(QUndoCommand("Correct “" + "x" * 300 + "”"))
    assert window.actions_.undo.text() == "&Undo"
    assert "xxx" in window.actions_.undo.toolTip()
    button = window.toolbar.widgetForAction(window.actions_.export)
    assert button is not None and button.isVisible()


def test_9_ctrl_r_asks_and_keeps_corrections(recognised: Any, dialogs: Any, qtbot: Any) -> None:
    window = recognised
    ref = next(iter(page_glyphs(window.session.page, 0)))[0]
    window.session.select(ref)
    window.editor.set_text("#", advance=False)
    dialogs.question_answer = QMessageBox.StandardButton.Cancel
    window.actions_.recognize.trigger()
    assert dialogs.shown[-1][0] == "question" and not window.busy()
    dialogs.question_answer = QMessageBox.StandardButton.Yes  # keep my corrections
    with qtbot.waitSignal(window.recognition_finished, timeout=60_000):
        window.actions_.recognize.trigger()
    texts = [g.text for g in window.session.document.pages[0].glyphs() if g.corrected]
    assert texts == ["#"]
    window.session.undo_stack.undo()  # recognising again is one undo step
    assert existing_glyph(window.session.document, ref).text == "#"


def test_10_quit_discard_with_work_running(service: Any, dialogs: Any, qtbot: Any, page_file: Path,
                                           tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings

    from app.gui.main_window import MainWindow
    from app.gui.settings import Settings

    settings = Settings(QSettings(str(tmp_path / "quit.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings=settings, data_folder=tmp_path / "quit-data", service=service)
    window.show()
    with qtbot.waitSignal(window.recognition_finished, timeout=60_000):
        window.open_paths([page_file])
    window.session.select(next(iter(page_glyphs(window.session.document.pages[0], 0)))[0])
    window.editor.set_text("#")
    results: list[object] = []
    task = FunctionTask(time.sleep, 0.3)
    task.signals.finished.connect(lambda _c: results.append(window.windowTitle()))
    window.start_task(task)
    dialogs.question_answer = QMessageBox.StandardButton.Discard
    window.actions_.quit.trigger()
    assert not window.isVisible()
    assert results  # the task ended while the window still existed
    window.deleteLater()  # what happens to the window once the application has quit
    qtbot.wait(50)  # a slot of the deleted window running now would raise (pytest-qt fails the test)


def test_11_transcription_wraps(window: Any) -> None:
    assert window.transcript.lineWrapMode() == QPlainTextEdit.LineWrapMode.WidgetWidth


def test_12_drawing_pad_hidden_until_asked(window: Any) -> None:
    assert not window.pad_dock.isVisible()
    window.actions_.drawing_pad.trigger()
    assert window.pad_dock.isVisible()
    assert window.pad_dock.minimumSizeHint().height() < 0.2 * window.height()  # can be shrunk
    window.actions_.drawing_pad.trigger()
    assert not window.pad_dock.isVisible()


def test_14_empty_window_shows_how_to_start(make_window: Any, page_file: Path, qtbot: Any) -> None:
    window = make_window()
    window.settings.add_recent(page_file)
    window = make_window()
    assert window.central.currentWidget() is window.welcome
    assert window.welcome.recent.count() == 1 and window.welcome.sample_button.isVisible()
    with qtbot.waitSignal(window.recognition_finished, timeout=60_000):
        window.welcome.recent_chosen.emit(str(page_file))
    assert window.central.currentWidget() is window.view
