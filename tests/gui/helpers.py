"""Small helpers shared by the GUI tests."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QTextCursor

from app.document import Document, Glyph
from app.gui.refs import GlyphRef, glyph_at


def existing_glyph(document: Document, ref: GlyphRef | None) -> Glyph:
    """The glyph at ``ref``; fails the test when there is none."""
    glyph = glyph_at(document, ref)
    assert glyph is not None
    return glyph


def select_first_word(window: Any) -> None:
    """Focus the transcription and select its first word."""
    editor = window.transcript
    editor.setFocus()
    cursor = editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfWord, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
