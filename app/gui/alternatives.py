"""The alternatives popup: a selected glyph's top-5 readings, picked by click or digit key."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from app.document import Glyph

MAX_ALTERNATIVES = 5


class AlternativesPopup(QFrame):
    """A floating list of readings over the page view (a child widget, so it never grabs input).

    Signals:
        chosen(int): index of the picked alternative (0-based).
    """

    chosen = Signal(int)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("alternatives")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#alternatives { background: palette(base); border: 1px solid palette(mid); border-radius: 4px; }"
            "QPushButton { text-align: left; padding: 2px 8px; border: none; font-family: monospace; }"
            "QPushButton:hover { background: palette(highlight); color: palette(highlighted-text); }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(0)
        self.title = QLabel(self)
        self.title.setStyleSheet("padding: 2px 8px; font-size: 11px; font-weight: bold;")  # palette colours
        layout.addWidget(self.title)
        self.buttons: list[QPushButton] = []
        for i in range(MAX_ALTERNATIVES):
            button = QPushButton(self)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _checked=False, i=i: self.chosen.emit(i))
            layout.addWidget(button)
            self.buttons.append(button)
        self.hide()

    def show_for(self, glyph: Glyph, anchor: QRectF) -> None:
        """Fill with ``glyph``'s alternatives and show beside ``anchor`` (viewport coordinates)."""
        self.title.setText(f"“{glyph.text}”  {glyph.confidence:.0%}" + ("  ✎" if glyph.corrected else ""))
        for i, button in enumerate(self.buttons):
            if i < len(glyph.alternatives):
                alt = glyph.alternatives[i]
                bar = "█" * max(1, round(alt.probability * 10))
                mark = "•" if alt.text == glyph.text else " "
                button.setText(f"{i + 1} {mark} {alt.text}  {alt.probability:5.1%}  {bar}")
                button.show()
            else:
                button.hide()
        self.adjustSize()
        parent = self.parentWidget()
        x = int(anchor.right()) + 8
        y = int(anchor.top())
        if parent is not None:
            if x + self.width() > parent.width():
                x = max(0, int(anchor.left()) - self.width() - 8)
            y = min(max(0, y), max(0, parent.height() - self.height()))
        self.move(x, y)
        self.show()
        self.raise_()
