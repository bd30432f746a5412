"""The line-by-line correction view: each line's image strip right above its editable text.

The current glyph is framed in the strip and shaded in the text; doubtful glyphs are underlined in
both; Enter moves to the next line. Rows are built cheaply (strips are cut and scaled when first
painted) so a 60-line page opens without a stall; an edit or a selection change touches one or two rows.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QLineEdit, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from app.document import Line
from app.gui.confidence import Thresholds, selection_colour
from app.gui.images import grey_pixmap
from app.gui.refs import GlyphRef, LineRef, page_lines
from app.gui.session import Session
from app.gui.transcript import Span, line_spans

MAX_STRIP_HEIGHT = 64
PAD = 4


class Strip(QWidget):
    """A line's image, scaled to the view's width, with its glyph boxes marked."""

    clicked = Signal(float)  # page x of the click

    def __init__(self, row: LineRow) -> None:
        super().__init__(row)
        self.row = row
        self._pixmap: QPixmap | None = None
        self.setFixedHeight(self.strip_height())
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def scale(self) -> float:
        """Page pixels to strip pixels: the line fits the view's width, at most MAX_STRIP_HEIGHT high."""
        x0, y0, x1, y1 = self.row.line.bbox
        by_height = MAX_STRIP_HEIGHT / max(1, y1 - y0 + 2 * PAD)
        by_width = self.row.view.strip_width() / max(1, x1 - x0 + 2 * PAD)
        return min(by_height, by_width, 1.5)

    def strip_height(self) -> int:
        _x0, y0, _x1, y1 = self.row.line.bbox
        return max(12, round((y1 - y0 + 2 * PAD) * self.scale()) + 2)

    def origin(self) -> tuple[int, int]:
        x0, y0, _x1, _y1 = self.row.line.bbox
        return x0 - PAD, y0 - PAD

    def preferred_width(self) -> int:
        x0, _y0, x1, _y1 = self.row.line.bbox
        return round((x1 - x0 + 2 * PAD) * self.scale())

    def invalidate(self) -> None:
        """Cut the strip again (the line's box or the view's width changed)."""
        self._pixmap = None
        self.setFixedHeight(self.strip_height())
        self.update()

    def _strip(self) -> QPixmap | None:
        if self._pixmap is None:
            image = self.row.view.session.page_image(self.row.ref.page)
            if image is None:
                return None
            ox, oy = self.origin()
            x1, y1 = self.row.line.bbox[2] + PAD, self.row.line.bbox[3] + PAD
            crop = image[max(0, oy):max(0, y1), max(0, ox):max(0, x1)]
            if crop.size == 0:
                return None
            self._pixmap = grey_pixmap(crop).scaledToHeight(self.strip_height() - 2,
                                                            Qt.TransformationMode.SmoothTransformation)
        return self._pixmap

    def glyph_rect(self, bbox: tuple[int, int, int, int]) -> QRectF:
        s = self.scale()
        ox, oy = self.origin()
        return QRectF((bbox[0] - ox) * s, (bbox[1] - oy) * s + 1, (bbox[2] - bbox[0]) * s, (bbox[3] - bbox[1]) * s)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        pixmap = self._strip()
        if pixmap is not None:
            painter.drawPixmap(0, 1, pixmap)
        thresholds = self.row.view.thresholds
        selected = self.row.view.session.selection
        for w, word in enumerate(self.row.line.words):
            for g, glyph in enumerate(word.glyphs):
                rect = self.glyph_rect(glyph.bbox)
                if thresholds.uncertain(glyph.confidence, glyph.corrected):
                    painter.setPen(QPen(thresholds.colour(glyph.confidence), 2))
                    painter.drawLine(QPointF(rect.left(), rect.bottom() + 1), QPointF(rect.right(), rect.bottom() + 1))
                if selected is not None and (selected.line_ref, selected.word, selected.glyph) == (self.row.ref, w, g):
                    painter.setPen(QPen(QColor(0, 150, 255), 2))
                    painter.drawRect(rect.adjusted(-1, -1, 1, 1))
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        ox, _oy = self.origin()
        self.clicked.emit(event.position().x() / self.scale() + ox)


class LineText(QLineEdit):
    """A line's text; doubtful characters underlined, the current one shaded."""

    def __init__(self, row: LineRow) -> None:
        super().__init__(row)
        self.row = row
        self.current: tuple[int, int] | None = None  # span of the selected glyph

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        painter = QPainter(self)
        metrics = self.fontMetrics()
        text = self.text()
        base = self.cursorRect().left() + self.cursorRect().width() // 2 - metrics.horizontalAdvance(
            text[:self.cursorPosition()])
        bottom = self.rect().bottom() - 4
        thresholds = self.row.view.thresholds
        for start, end, ref in self.row.spans:
            if end > len(text):
                continue
            x0 = base + metrics.horizontalAdvance(text[:start])
            x1 = base + metrics.horizontalAdvance(text[:end])
            if self.current == (start, end):
                painter.fillRect(QRect(x0, 3, x1 - x0, self.height() - 6), selection_colour(self.palette()))
            glyph = self.row.line.words[ref.word].glyphs[ref.glyph]
            if thresholds.uncertain(glyph.confidence, glyph.corrected):
                painter.setPen(QPen(thresholds.colour(glyph.confidence), 2))
                painter.drawLine(x0, bottom, x1, bottom)
        painter.end()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Down):
            self.row.view.focus_row(self.row.index + 1)
            return
        if event.key() == Qt.Key.Key_Up:
            self.row.view.focus_row(self.row.index - 1)
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.row.view.current_row = self.row.index


class LineRow(QWidget):
    """One line: strip above text."""

    def __init__(self, view: LineView, index: int, ref: LineRef, line: Line) -> None:
        super().__init__(view.container)
        self.view = view
        self.index = index
        self.ref = ref
        self.line = line
        self.spans: list[Span] = line_spans(ref, line)
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(4, 4, 4, 6)
        self.box.setSpacing(1)
        self.strip = Strip(self)
        self.edit = LineText(self)
        self.edit.setText(line.text)
        self.box.addWidget(self.strip)
        self.box.addWidget(self.edit)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.fit()
        self.strip.clicked.connect(self._strip_clicked)
        self.edit.textEdited.connect(lambda text: view.line_edited.emit(self.ref, text))
        self.edit.cursorPositionChanged.connect(lambda _old, new: self._cursor_moved(new))

    def fit(self) -> None:
        """Size the strip for the view's width (rows scroll vertically; they are never squeezed)."""
        self.strip.invalidate()
        margins = self.box.contentsMargins()
        self.setFixedHeight(self.strip.strip_height() + self.box.spacing() + self.edit.sizeHint().height()
                            + margins.top() + margins.bottom())

    def set_line(self, line: Line) -> None:
        """The document's line changed: show it (keeping the cursor where it was)."""
        geometry_changed = line.bbox != self.line.bbox
        self.line = line
        self.spans = line_spans(self.ref, line)
        if self.edit.text() != line.text:
            position = self.edit.cursorPosition()
            self.view.updating = True
            try:
                self.edit.setText(line.text)
                self.edit.setCursorPosition(min(position, len(line.text)))
            finally:
                self.view.updating = False
        if geometry_changed:
            self.fit()
        self.refresh_marks()

    def refresh_marks(self) -> None:
        selected = self.view.session.selection
        self.edit.current = None
        if selected is not None and selected.line_ref == self.ref:
            for start, end, ref in self.spans:
                if ref == selected:
                    self.edit.current = (start, end)
        self.strip.update()
        self.edit.update()

    def glyph_at_column(self, column: int) -> GlyphRef | None:
        for start, end, ref in self.spans:
            if start <= column < end:
                return ref
        for start, end, ref in reversed(self.spans):
            if end == column and end > start:
                return ref
        return None

    def _cursor_moved(self, column: int) -> None:
        if self.view.updating or not self.edit.hasFocus():
            return
        ref = self.glyph_at_column(column)
        if ref is not None:
            self.view.select_from_row(ref)

    def _strip_clicked(self, x: float) -> None:
        for _start, _end, ref in self.spans:
            glyph = self.line.words[ref.word].glyphs[ref.glyph]
            if glyph.bbox[0] <= x < glyph.bbox[2]:
                self.view.select_from_row(ref)
                return


class LineView(QScrollArea):
    """All lines of the current page as strip + text rows, linked with the session's selection.

    Signals:
        line_edited(object, str): a :class:`LineRef` and its new text (applied by the window's editor).
    """

    line_edited = Signal(object, str)

    def __init__(self, session: Session, thresholds: Thresholds, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.thresholds = thresholds
        self.updating = False
        self.current_row = -1
        self.rows: list[LineRow] = []
        self.row_of: dict[LineRef, LineRow] = {}
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._width = 0
        self._new_container()
        session.document_reset.connect(self.rebuild)
        session.current_page_changed.connect(lambda _i: self.rebuild())
        session.page_changed.connect(lambda i: self.rebuild() if i == session.current_page else None)
        session.line_changed.connect(self._line_changed)
        session.selection_changed.connect(self._selection_changed)
        self._marked: LineRow | None = None

    def strip_width(self) -> int:
        """Width available to a strip."""
        return max(120, self.viewport().width() - 16)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if abs(self.viewport().width() - self._width) > 8:
            self._width = self.viewport().width()
            for row in self.rows:
                row.fit()

    def _new_container(self) -> None:
        self.container = QWidget()
        self.layout_ = QVBoxLayout(self.container)
        self.layout_.setContentsMargins(2, 2, 2, 2)
        self.layout_.setSpacing(2)
        self.layout_.addStretch(1)
        self.setWidget(self.container)

    def rebuild(self) -> None:
        """Rows for the current page's lines."""
        self._marked = None
        self.rows, self.row_of = [], {}
        self._new_container()  # the old container and its rows go with setWidget
        page = self.session.page
        if page is None:
            return
        for i, (ref, line) in enumerate(page_lines(page, self.session.current_page)):
            row = LineRow(self, i, ref, line)
            self.layout_.insertWidget(i, row)
            self.rows.append(row)
            self.row_of[ref] = row
        self._selection_changed(self.session.selection)

    def _line_changed(self, ref: LineRef) -> None:
        row = self.row_of.get(ref)
        if row is not None:
            row.set_line(self.session.document.pages[ref.page].blocks[ref.block].lines[ref.line])

    def _selection_changed(self, ref: GlyphRef | None) -> None:
        if self._marked is not None:
            self._marked.refresh_marks()
            self._marked = None
        row = self.row_of.get(ref.line_ref) if ref is not None else None
        if row is None:
            return
        row.refresh_marks()
        self._marked = row
        if not self.updating and row.edit.current is not None and not row.edit.hasFocus():
            self.updating = True
            try:
                row.edit.setCursorPosition(row.edit.current[0])
            finally:
                self.updating = False
        self.ensureWidgetVisible(row, 0, 20)

    def select_from_row(self, ref: GlyphRef) -> None:
        self.updating = True
        try:
            self.session.select(ref)
        finally:
            self.updating = False

    def focus_row(self, index: int) -> None:
        """Put the text cursor in row ``index`` (Enter / Down / Up)."""
        if 0 <= index < len(self.rows):
            row = self.rows[index]
            row.edit.setFocus()
            row.edit.setCursorPosition(0)
            self.ensureWidgetVisible(row, 0, 20)
            if row.spans:
                self.select_from_row(row.spans[0][2])
