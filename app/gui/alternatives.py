"""The alternatives popup: a selected glyph's top-5 readings, picked by click or digit key."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from app.document import Glyph
from app.gui.editing import Editor
from app.gui.page_view import PageView
from app.gui.refs import LineRef, glyph_at
from app.gui.session import Session

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


class AlternativesControl:
    """When the popup shows, where, and what picking does: it follows the selection, zoom and scroll,
    closes on Esc, and shows the current readings after any change of the glyph's line."""

    def __init__(self, popup: AlternativesPopup, session: Session, view: PageView, editor: Editor,
                 text_focus: Callable[[], bool]) -> None:
        self.popup = popup
        self.session = session
        self.view = view
        self.editor = editor
        self.text_focus = text_focus
        session.selection_changed.connect(self._selection_changed)
        session.line_changed.connect(self._line_changed)
        session.page_changed.connect(lambda _i: self.refresh())
        view.zoom_changed.connect(lambda _z: self.refresh())
        view.horizontalScrollBar().valueChanged.connect(lambda _v: self.refresh())
        view.verticalScrollBar().valueChanged.connect(lambda _v: self.refresh())
        view.digit_pressed.connect(lambda n: self.pick(n - 1))
        view.escape_pressed.connect(self.hide)
        popup.chosen.connect(self.pick)

    def _selection_changed(self, _ref: object) -> None:
        if glyph_at(self.session.document, self.session.selection) is None:
            self.hide()
        elif self.popup.isVisible() or self.view.hasFocus() or not self.text_focus():
            self.show()

    def _line_changed(self, ref: LineRef) -> None:
        selection = self.session.selection
        if selection is not None and selection.line_ref == ref:
            self.refresh()

    def show(self) -> None:
        """Show the selected glyph's readings beside it (or hide when it has none)."""
        ref = self.session.selection
        glyph = glyph_at(self.session.document, ref)
        anchor = self.view.glyph_view_rect(ref) if ref is not None else None
        if glyph is None or anchor is None or not glyph.alternatives:
            self.hide()
            return
        self.popup.show_for(glyph, anchor)
        self.view.popup_open = True

    def hide(self) -> None:
        self.popup.hide()
        self.view.popup_open = False

    def toggle(self) -> None:
        if self.popup.isVisible():
            self.hide()
        else:
            self.show()

    def refresh(self) -> None:
        """Keep an open popup beside its glyph and its readings current."""
        if self.popup.isVisible():
            self.show()

    def pick(self, index: int) -> None:
        self.editor.pick_alternative(index)
        self.show()
