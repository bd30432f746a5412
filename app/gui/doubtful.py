"""The doubtful words list: words with a low confidence or outside the lexicon; click to jump."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from app.gui.session import Session
from app.gui.spelling import DoubtfulWord, Spelling

MAX_SHOWN = 2000


class DoubtfulList(QWidget):
    """Lists the document's doubtful words (refreshed shortly after every change).

    Signals:
        accepted(str): a word was added to the user dictionary.
    """

    accepted = Signal(str)

    def __init__(self, session: Session, spelling: Spelling, threshold: Callable[[], float],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.spelling = spelling
        self.threshold = threshold
        self.words: list[DoubtfulWord] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.summary = QLabel(self)
        self.list = QListWidget(self)
        self.accept_button = QPushButton("Add to my dictionary", self)
        self.accept_button.setToolTip("The selected word is right: never flag it again")
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.accept_button)
        self.list.currentRowChanged.connect(self._jump)
        self.list.itemClicked.connect(lambda item: self._jump(self.list.row(item)))
        self.accept_button.clicked.connect(self.accept_current)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.refresh)
        for signal in (session.document_reset, session.page_changed, session.line_changed):
            signal.connect(lambda *_: self._timer.start())

    def refresh(self) -> None:
        """List the doubtful words again."""
        words = list(self.spelling.doubtful_words(self.session.document, self.threshold()))
        self.words = words[:MAX_SHOWN]
        self.list.blockSignals(True)
        self.list.clear()
        for word in self.words:
            item = QListWidgetItem(f"p{word.ref.page + 1}  {word.text}   ({word.reason})")
            item.setData(Qt.ItemDataRole.UserRole, word.text)
            self.list.addItem(item)
        self.list.blockSignals(False)
        pending = "" if self.spelling.ready else " (checking spelling…)"
        self.summary.setText(f"{len(words)} doubtful word(s){pending}")

    def _jump(self, row: int) -> None:
        if 0 <= row < len(self.words):
            self.session.select(self.words[row].ref)

    def accept_current(self) -> None:
        """Add the selected word to the user dictionary."""
        row = self.list.currentRow()
        if 0 <= row < len(self.words):
            text = self.words[row].text
            self.spelling.accept(text)
            self.accepted.emit(text)
            self.refresh()
