"""The find and replace bar: find next, replace, replace all (one undo step)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QGridLayout, QLabel, QLineEdit, QPushButton, QWidget

from app.gui import edits
from app.gui.commands import ReplaceLineCommand
from app.gui.find import Match, find_all, replace_text
from app.gui.refs import GlyphRef, line_at
from app.gui.session import Session
from app.gui.transcript import line_spans


class FindReplaceDialog(QDialog):
    """Non-modal find/replace over the whole document; replacements are undoable edits."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Find and replace")
        self.session = session
        self.find_edit = QLineEdit(self)
        self.replace_edit = QLineEdit(self)
        self.case = QCheckBox("Match case", self)
        self.whole = QCheckBox("Whole words", self)
        self.status = QLabel(self)
        self.next_button = QPushButton("Find next", self)
        self.replace_button = QPushButton("Replace", self)
        self.all_button = QPushButton("Replace all", self)
        grid = QGridLayout(self)
        grid.addWidget(QLabel("Find", self), 0, 0)
        grid.addWidget(self.find_edit, 0, 1, 1, 3)
        grid.addWidget(QLabel("Replace with", self), 1, 0)
        grid.addWidget(self.replace_edit, 1, 1, 1, 3)
        grid.addWidget(self.case, 2, 1)
        grid.addWidget(self.whole, 2, 2)
        grid.addWidget(self.next_button, 3, 1)
        grid.addWidget(self.replace_button, 3, 2)
        grid.addWidget(self.all_button, 3, 3)
        grid.addWidget(self.status, 4, 0, 1, 4)
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.find_next)
        self.replace_button.clicked.connect(self.replace_current)
        self.all_button.clicked.connect(self.replace_all)
        self.current: Match | None = None

    def _matches(self) -> list[Match]:
        return find_all(self.session.document, self.find_edit.text(), self.case.isChecked(), self.whole.isChecked())

    def _glyph_of(self, match: Match) -> GlyphRef | None:
        line = line_at(self.session.document, match.line)
        if line is None:
            return None
        for start, end, ref in line_spans(match.line, line):
            if start <= match.start < end:
                return ref
        return None

    def find_next(self) -> Match | None:
        """Select the first glyph of the next match after the current one (wrapping)."""
        matches = self._matches()
        if not matches:
            self.current = None
            self.status.setText("Not found.")
            return None
        after = [m for m in matches if self.current is None or m > self.current]
        self.current = after[0] if after else matches[0]
        self.session.select(self._glyph_of(self.current))
        self.status.setText(f"{matches.index(self.current) + 1} of {len(matches)}")
        return self.current

    def replace_current(self) -> None:
        """Replace the current match (finding one first if needed), then find the next."""
        if self.current is None and self.find_next() is None:
            return
        match = self.current
        assert match is not None
        line = line_at(self.session.document, match.line)
        if line is not None:
            text = replace_text(line.text, self.find_edit.text(), self.replace_edit.text(), self.case.isChecked(),
                                self.whole.isChecked(), only_at=match.start)
            if text != line.text:
                self.session.undo_stack.push(ReplaceLineCommand(
                    self.session, match.line, edits.apply_line_text(line, text), f"Replace “{self.find_edit.text()}”"))
                self.current = Match(match.line, match.start, match.start + len(self.replace_edit.text()) - 1)
        self.find_next()

    def replace_all(self) -> int:
        """Replace every match in the document as one undo step; returns the number of lines changed."""
        needle, replacement = self.find_edit.text(), self.replace_edit.text()
        lines = sorted({m.line for m in self._matches()})
        if not lines:
            self.status.setText("Not found.")
            return 0
        stack = self.session.undo_stack
        stack.beginMacro(f"Replace all “{needle}” → “{replacement}”")
        for ref in lines:
            line = line_at(self.session.document, ref)
            if line is None:
                continue
            text = replace_text(line.text, needle, replacement, self.case.isChecked(), self.whole.isChecked())
            stack.push(ReplaceLineCommand(self.session, ref, edits.apply_line_text(line, text), "Replace"))
        stack.endMacro()
        self.current = None
        self.status.setText(f"Replaced in {len(lines)} line(s).")
        return len(lines)
