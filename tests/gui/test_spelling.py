"""Defects 13, 15, 16 and the doubtful words list: dark palettes, missing Qt libraries, misspelt words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QColor, QPalette

from app.document import Block, Document, Glyph, Line, Page, Word
from app.gui.confidence import blend, contrast, current_line_colour, selection_colour
from app.gui.main import main, missing_qt_packages, qt_libraries_message
from app.gui.refs import next_doubtful
from app.gui.spelling import Spelling


def _dark() -> QPalette:
    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Base, QColor(30, 30, 32)),
                         (QPalette.ColorRole.Text, QColor(235, 235, 235)),
                         (QPalette.ColorRole.Window, QColor(45, 45, 48)),
                         (QPalette.ColorRole.WindowText, QColor(235, 235, 235)),
                         (QPalette.ColorRole.Highlight, QColor(42, 130, 218))):
        palette.setColor(role, colour)
    return palette


def test_13_dark_palette_keeps_text_readable(recognised: Any) -> None:
    window = recognised
    window.transcript.setPalette(_dark())
    window.transcript._refresh_marks()
    palette = window.transcript.palette()
    base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
    for shade in (current_line_colour(palette), selection_colour(palette)):
        assert contrast(blend(shade, base), text) >= 4.5
    selections = window.transcript.extraSelections()
    current_format = selections[0].format
    current = QColor(current_format.background().color())
    assert contrast(blend(current, base), text) >= 4.5
    assert "#555" not in window.popup.title.styleSheet()


def test_15_missing_qt_libraries_are_named(monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    missing = missing_qt_packages(lambda soname: "cursor" not in soname)
    assert missing == ["libxcb-cursor0"]
    assert "apt-get install libxcb-cursor0" in qt_libraries_message(missing)
    monkeypatch.setattr("app.gui.main._loadable", lambda soname: False)
    assert main([]) == 1
    err = capsys.readouterr().err
    assert "libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in err
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert missing_qt_packages(lambda soname: False) == []


def _doc(words: list[str], confidence: float = 0.99) -> Document:
    built = []
    x = 0
    for text in words:
        glyphs = [Glyph(bbox=(x + 10 * i, 0, x + 10 * i + 10, 20), text=c, confidence=confidence)
                  for i, c in enumerate(text)]
        built.append(Word(bbox=(x, 0, x + 10 * len(text), 20), glyphs=glyphs))
        x += 10 * len(text) + 20
    line = Line(bbox=(0, 0, x, 20), words=built)
    return Document(source="t", pages=[Page(index=0, width=x, height=20, blocks=[Block(bbox=line.bbox, lines=[line])])])


def test_16_f3_reaches_confident_misspelt_words(tmp_path: Path) -> None:
    spelling = Spelling(tmp_path / "dictionary.txt")
    spelling.warm()
    doc = _doc(["the", "qnick", "brown", "1234", "London", "fox"])
    assert next_doubtful(doc, None, 0.7) is None  # every glyph is confident
    extra = {d.ref for d in spelling.doubtful_words(doc, 0.7)}
    stop = next_doubtful(doc, None, 0.7, extra=extra)
    assert stop is not None and stop.word == 1  # "qnick"; not the number, not the name
    assert next_doubtful(doc, stop, 0.7, extra=extra) == stop  # the only one
    spelling.accept("qnick")
    assert Spelling(tmp_path / "dictionary.txt").user_words == {"qnick"}  # learnt and kept
    assert not list(spelling.doubtful_words(doc, 0.7))


def test_16_f3_in_the_window(recognised: Any, qtbot: Any) -> None:
    window = recognised
    qtbot.waitUntil(lambda: window.spelling.ready, timeout=30_000)
    line = window.session.document.pages[0].lines[0]
    window.editor.apply_line_text(window.transcript._refs[0], "zzqx " + line.text)
    window.session.undo_stack.setClean()
    word = window.session.document.pages[0].lines[0].words[0]
    for glyph in word.glyphs:
        glyph.corrected, glyph.confidence = False, 0.999  # confidently wrong
    window.apply_thresholds(0.5, 0.01)
    window.session.select(None)
    window.actions_.next_doubtful.trigger()
    assert window.session.selection is not None and window.session.selection.word == 0


def test_doubtful_list_jumps_and_learns(recognised: Any, qtbot: Any) -> None:
    window = recognised
    qtbot.waitUntil(lambda: window.spelling.ready, timeout=30_000)
    window.apply_thresholds(1.0, 1.0)  # the line engine reads this clean page almost surely
    window.doubtful.refresh()
    assert window.doubtful.list.count() == len(window.doubtful.words) > 0
    row = window.doubtful.list.count() - 1
    window.doubtful.list.setCurrentRow(row)
    assert window.session.selection == window.doubtful.words[row].ref
    target = next((w for w in window.doubtful.words if w.reason == "not in the lexicon"), None)
    if target is not None:
        window.doubtful.list.setCurrentRow(window.doubtful.words.index(target))
        window.doubtful.accept_current()
        assert target.text.strip(".,") in window.spelling.user_words
