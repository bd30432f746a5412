"""Selecting glyphs, alternatives, typing corrections, text edits, box edits, F3 and undo/redo."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QTextCursor

from app.gui.refs import page_glyphs
from tests.gui.helpers import existing_glyph, select_first_word


def _first_with_alternatives(window: Any) -> Any:
    for ref, glyph in page_glyphs(window.session.page, 0):
        if len(glyph.alternatives) >= 3 and glyph.alternatives[1].text != glyph.text:
            return ref, glyph
    raise AssertionError("no glyph with alternatives")


def test_click_box_selects_glyph_and_text(recognised: Any) -> None:
    window = recognised
    ref, glyph = _first_with_alternatives(window)
    x0, y0, x1, y1 = glyph.bbox
    window.view.select_at(QPointF((x0 + x1) / 2, (y0 + y1) / 2))
    assert window.session.selection == ref
    assert window.popup.isVisible()
    assert window.transcript.glyph_at_cursor() == ref  # the cursor moved to the glyph's text


def test_cursor_in_text_selects_box(recognised: Any) -> None:
    window = recognised
    window.transcript.setFocus()
    cursor = window.transcript.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    cursor.movePosition(QTextCursor.MoveOperation.NextBlock)
    cursor.movePosition(QTextCursor.MoveOperation.Right)
    window.transcript.setTextCursor(cursor)
    ref = window.session.selection
    assert ref is not None and ref.line_ref == window.transcript._refs[1]
    assert window.view._selection_item is not None


def test_pick_alternative_with_digit_and_undo_redo(recognised: Any, qtbot: Any) -> None:
    window = recognised
    ref, glyph = _first_with_alternatives(window)
    window.view.setFocus()
    window.session.select(ref)
    assert window.popup.isVisible() and window.view.popup_open
    qtbot.keyClick(window.view, "2")
    new = existing_glyph(window.session.document, ref)
    assert new.text == glyph.alternatives[1].text and new.corrected
    window.actions_.undo.trigger()
    assert existing_glyph(window.session.document, ref).text == glyph.text
    assert not existing_glyph(window.session.document, ref).corrected
    window.actions_.redo.trigger()
    assert existing_glyph(window.session.document, ref).text == glyph.alternatives[1].text


def test_click_alternative_button(recognised: Any, qtbot: Any) -> None:
    window = recognised
    ref, glyph = _first_with_alternatives(window)
    window.session.select(ref)
    qtbot.mouseClick(window.popup.buttons[2], Qt.MouseButton.LeftButton)
    assert existing_glyph(window.session.document, ref).text == glyph.alternatives[2].text


def test_typing_replaces_selected_glyph_and_advances(recognised: Any, qtbot: Any) -> None:
    window = recognised
    refs = [ref for ref, _ in page_glyphs(window.session.page, 0)]
    window.view.setFocus()
    window.session.select(refs[0])
    window.popup.hide()
    window.view.popup_open = False
    qtbot.keyClick(window.view, "Q")
    assert existing_glyph(window.session.document, refs[0]).text == "Q"
    assert window.session.selection == refs[1]
    assert window.transcript.toPlainText().startswith("Q")
    qtbot.keyClick(window, "z", Qt.KeyboardModifier.ControlModifier)
    assert existing_glyph(window.session.document, refs[0]).text != "Q" or refs[0] is None
    qtbot.keyClick(window, "z", Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert existing_glyph(window.session.document, refs[0]).text == "Q"


def test_edit_text_maps_to_glyphs_and_undoes(recognised: Any, qtbot: Any) -> None:
    window = recognised
    original = window.session.document.pages[0].lines[0].text
    editor = window.transcript
    select_first_word(window)
    qtbot.keyClicks(editor, "Tha")
    line = window.session.document.pages[0].lines[0]
    assert line.text.startswith("Tha") and editor.document().firstBlock().text() == line.text
    assert any(g.corrected for w in line.words for g in w.glyphs)
    assert window.session.undo_stack.count() == 1  # consecutive typing is one undo step
    window.session.undo_stack.undo()
    assert window.session.document.pages[0].lines[0].text == original
    assert editor.document().firstBlock().text() == original


def test_enter_does_not_split_lines(recognised: Any, qtbot: Any) -> None:
    window = recognised
    lines = window.transcript.document().blockCount()
    window.transcript.setFocus()
    qtbot.keyClick(window.transcript, Qt.Key.Key_Return)
    qtbot.keyClick(window.transcript, Qt.Key.Key_Backspace)
    assert window.transcript.document().blockCount() == lines


def test_f3_visits_doubtful_glyphs(recognised: Any) -> None:
    window = recognised
    window.apply_thresholds(1.0, 1.0)  # make every glyph read with less than certainty doubtful
    window.actions_.next_doubtful.trigger()
    first = window.session.selection
    assert first is not None
    word = window.session.document.pages[0].blocks[first.block].lines[first.line].words[first.word]
    assert existing_glyph(window.session.document, first).confidence < 1.0 or window.spelling.suspicious(word.text)
    window.actions_.next_doubtful.trigger()
    second = window.session.selection
    assert second is not None and second > first
    window.actions_.previous_doubtful.trigger()
    assert window.session.selection == first


def test_merge_split_delete_and_draw_boxes(recognised: Any, qtbot: Any) -> None:
    window = recognised
    session = window.session
    count = session.glyph_count()
    refs = [ref for ref, _ in page_glyphs(session.page, 0)]
    session.select(refs[0])
    with qtbot.waitSignal(session.undo_stack.indexChanged, timeout=30_000):
        window.actions_.merge_box.trigger()
    assert session.glyph_count() == count - 1
    merged = existing_glyph(session.document, refs[0])
    assert merged.alternatives and not merged.corrected  # recognised again
    with qtbot.waitSignal(session.undo_stack.indexChanged, timeout=30_000):
        window.actions_.split_box.trigger()
    assert session.glyph_count() == count
    window.actions_.delete_box.trigger()
    assert session.glyph_count() == count - 1
    page = session.page
    bbox = (page.width - 60, page.height - 50, page.width - 20, page.height - 5)
    with qtbot.waitSignal(session.undo_stack.indexChanged, timeout=30_000):
        window.view.box_drawn.emit(bbox)
    assert session.glyph_count() == count
    assert existing_glyph(session.document, session.selection).bbox == bbox
    while session.undo_stack.canUndo():
        session.undo_stack.undo()
    assert session.glyph_count() == count
    assert existing_glyph(session.document, refs[0]).bbox == page_glyphs(page, 0).__next__()[1].bbox


def test_corrections_are_stored(recognised: Any, qtbot: Any) -> None:
    window = recognised
    refs = [ref for ref, _ in page_glyphs(window.session.page, 0)]
    window.session.select(refs[0])
    window.editor.set_text("T")
    qtbot.waitUntil(lambda: len(window.corrections) == 1, timeout=10_000)
    images, labels = window.corrections.load()
    assert images.shape == (1, 28, 28) and labels[0] == "T" and images.max() > 100
