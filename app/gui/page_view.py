"""The page view: the scan in a QGraphicsScene with glyph, word and line boxes over it."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QMouseEvent, QPainter, QPen, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsScene, QGraphicsView, QWidget

from app.document import BBox, Line, Page
from app.gui.confidence import Thresholds
from app.gui.images import grey_pixmap
from app.gui.refs import GlyphRef, LineRef, glyph_at, glyph_at_point, page_lines
from app.gui.session import Session

MIN_ZOOM, MAX_ZOOM = 0.05, 16.0


def _rect(bbox: BBox) -> QRectF:
    return QRectF(bbox[0], bbox[1], bbox[2] - bbox[0], bbox[3] - bbox[1])


def _pen(colour: QColor, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(colour, width, style)
    pen.setCosmetic(True)
    return pen


class PageView(QGraphicsView):
    """Shows the session's current page; click selects a glyph, drag pans, Ctrl+wheel zooms.

    Signals:
        zoom_changed(float): the new scale (1.0 = 100 %).
        box_drawn(object): a box (x0, y0, x1, y1) drawn in draw-box mode.
        text_typed(str): a printable key pressed while the view has focus.
        digit_pressed(int): 1-5 pressed while the alternatives popup is open.
        escape_pressed(): Esc while the alternatives popup is open (closes it).
    """

    zoom_changed = Signal(float)
    box_drawn = Signal(object)
    text_typed = Signal(str)
    digit_pressed = Signal(int)
    escape_pressed = Signal()

    def __init__(self, session: Session, thresholds: Thresholds, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.thresholds = thresholds
        self.show_glyphs = self.show_words = self.show_lines = True
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(QColor(90, 90, 96))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._pixmap_item: QGraphicsItem | None = None
        self._line_items: dict[LineRef, list[QGraphicsItem]] = {}
        self._selection_item: QGraphicsRectItem | None = None
        self._draw_mode = False
        self._draw_start: QPointF | None = None
        self._draw_item: QGraphicsRectItem | None = None
        self._press_pos: QPointF | None = None
        self._fit: str | None = "width"
        self.popup_open = False
        session.document_reset.connect(self.show_current_page)
        session.current_page_changed.connect(lambda _i: self.show_current_page())
        session.page_changed.connect(self._page_changed)
        session.line_changed.connect(self._line_changed)
        session.selection_changed.connect(self._selection_changed)

    # -- scene content ----------------------------------------------------------------------------
    def show_current_page(self) -> None:
        """Rebuild the scene for the session's current page."""
        scene = self.scene()
        scene.clear()
        self._line_items.clear()
        self._selection_item = self._pixmap_item = None
        page, image = self.session.page, self.session.page_image()
        if page is None:
            return
        if image is not None:
            self._pixmap_item = scene.addPixmap(grey_pixmap(image))
        scene.setSceneRect(QRectF(0, 0, page.width, page.height))
        self._draw_boxes(page)
        self._selection_changed(self.session.selection)
        if self._fit:
            self.fit(self._fit)

    def _draw_boxes(self, page: Page) -> None:
        for ref, line in page_lines(page, self.session.current_page):
            self._add_line_items(ref, line)
        if self.show_lines:
            self._draw_regions(page)

    def _draw_regions(self, page: Page) -> None:
        """Non-text regions (pictures, stamps, rules): hatched, so it is plain they were not read as text."""
        for region in page.regions:
            item = self.scene().addRect(_rect(region.bbox), _pen(QColor(150, 90, 170, 150), 1, Qt.PenStyle.DashLine),
                                        QBrush(QColor(150, 90, 170, 60), Qt.BrushStyle.BDiagPattern))
            item.setToolTip("Not text: a rule" if region.kind == "rule"
                            else "Not text: a picture, stamp, punch hole or mark")
            item.setZValue(0.5)

    def _add_line_items(self, ref: LineRef, line: Line) -> None:
        scene = self.scene()
        items: list[QGraphicsItem] = []
        if self.show_lines:
            item = scene.addRect(_rect(line.bbox).adjusted(-4, -4, 4, 4), _pen(QColor(70, 110, 200, 110), 1))
            item.setZValue(1)
            items.append(item)
        for word in line.words:
            if self.show_words:
                item = scene.addRect(_rect(word.bbox).adjusted(-1.5, -1.5, 1.5, 1.5),
                                     _pen(QColor(120, 120, 130, 120), 1, Qt.PenStyle.DotLine))
                item.setZValue(2)
                items.append(item)
            if not self.show_glyphs:
                continue
            for glyph in word.glyphs:
                colour = self.thresholds.colour(glyph.confidence, glyph.corrected)
                fill = QColor(colour)
                fill.setAlpha(38 if self.thresholds.uncertain(glyph.confidence, glyph.corrected) else 0)
                outline = QColor(colour)
                outline.setAlpha(200)
                item = scene.addRect(_rect(glyph.bbox), _pen(outline, 1.2), QBrush(fill))
                item.setZValue(3)
                item.setToolTip(f"{glyph.text!r}  {glyph.confidence:.2f}")
                items.append(item)
        self._line_items[ref] = items

    def _page_changed(self, index: int) -> None:
        if index == self.session.current_page:
            fit, self._fit = self._fit, None  # keep zoom and scroll position
            self.show_current_page()
            self._fit = fit

    def _line_changed(self, ref: LineRef) -> None:
        if ref.page != self.session.current_page:
            return
        for item in self._line_items.pop(ref, []):
            self.scene().removeItem(item)
        page = self.session.page
        if page is not None:
            self._add_line_items(ref, page.blocks[ref.block].lines[ref.line])

    def redraw_boxes(self) -> None:
        """Redraw after thresholds or box visibility changed."""
        self._page_changed(self.session.current_page)

    def _selection_changed(self, ref: GlyphRef | None) -> None:
        if self._selection_item is not None:
            self.scene().removeItem(self._selection_item)
            self._selection_item = None
        glyph = glyph_at(self.session.document, ref)
        if glyph is None or ref is None or ref.page != self.session.current_page:
            return
        rect = _rect(glyph.bbox).adjusted(-3, -3, 3, 3)
        self._selection_item = self.scene().addRect(rect, _pen(QColor(0, 150, 255), 3), QBrush(QColor(0, 150, 255, 40)))
        self._selection_item.setZValue(5)
        self.ensureVisible(rect, 60, 60)

    def glyph_view_rect(self, ref: GlyphRef) -> QRectF | None:
        """Viewport rectangle of a glyph (to place the alternatives popup)."""
        glyph = glyph_at(self.session.document, ref)
        if glyph is None:
            return None
        return self.mapFromScene(_rect(glyph.bbox)).boundingRect().toRectF()

    # -- zoom --------------------------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return float(self.transform().m11())

    def set_zoom(self, factor: float) -> None:
        """Zoom to ``factor`` (1.0 = 100 %); leaves fit-width/fit-page mode."""
        self._fit = None
        self._apply_zoom(factor)

    @property
    def fit_mode(self) -> str | None:
        """``"width"`` or ``"page"`` while the view follows the window size, else None."""
        return self._fit

    def center(self) -> tuple[float, float]:
        """Scene point at the middle of the viewport."""
        point = self.mapToScene(self.viewport().rect().center())
        return point.x(), point.y()

    def _apply_zoom(self, factor: float) -> None:
        factor = min(MAX_ZOOM, max(MIN_ZOOM, factor))
        self.resetTransform()
        self.scale(factor, factor)
        self.zoom_changed.emit(factor)

    def zoom_by(self, step: float) -> None:
        self.set_zoom(self.zoom * step)

    def fit(self, mode: str) -> None:
        """``"width"``, ``"page"`` or ``"actual"`` (100 %)."""
        self._fit = mode if mode != "actual" else None
        rect = self.sceneRect()
        if mode == "actual" or rect.isEmpty():
            self._apply_zoom(1.0)
            return
        viewport = self.viewport().rect()
        sx = (viewport.width() - 24) / rect.width()
        sy = (viewport.height() - 24) / rect.height()
        self._apply_zoom(sx if mode == "width" else min(sx, sy))
        if mode == "width":
            self.centerOn(rect.center().x(), rect.top())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit:
            self.fit(self._fit)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
        else:
            super().wheelEvent(event)

    # -- mouse: select, pan, draw ------------------------------------------------------------------
    def set_draw_mode(self, on: bool) -> None:
        self._draw_mode = on
        self.setDragMode(QGraphicsView.DragMode.NoDrag if on else QGraphicsView.DragMode.ScrollHandDrag)
        self.viewport().setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.OpenHandCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press_pos = event.position()
        if self._draw_mode and event.button() == Qt.MouseButton.LeftButton:
            self._draw_start = self.mapToScene(event.position().toPoint())
            self._draw_item = self.scene().addRect(QRectF(self._draw_start, self._draw_start),
                                                   _pen(QColor(0, 150, 255), 2, Qt.PenStyle.DashLine))
            self._draw_item.setZValue(6)
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._draw_item is not None and self._draw_start is not None:
            end = self.mapToScene(event.position().toPoint())
            self._draw_item.setRect(QRectF(self._draw_start, end).normalized())
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._draw_item is not None:
            rect = self._draw_item.rect().intersected(self.sceneRect())
            self.scene().removeItem(self._draw_item)
            self._draw_item = self._draw_start = None
            if rect.width() >= 3 and rect.height() >= 3:
                self.box_drawn.emit((int(rect.left()), int(rect.top()), int(rect.right()) + 1, int(rect.bottom()) + 1))
            return
        super().mouseReleaseEvent(event)
        if self._press_pos is not None and (event.position() - self._press_pos).manhattanLength() < 5:
            self.select_at(self.mapToScene(event.position().toPoint()))
        self.viewport().setCursor(Qt.CursorShape.CrossCursor if self._draw_mode else Qt.CursorShape.OpenHandCursor)

    def select_at(self, point: QPointF) -> None:
        """Select the glyph under a scene point (or clear the selection)."""
        page = self.session.page
        if page is not None:
            self.session.select(glyph_at_point(page, self.session.current_page, point.x(), point.y()))

    # -- keys --------------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        plain = not event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        if self.popup_open and event.key() == Qt.Key.Key_Escape:
            self.escape_pressed.emit()
            return
        if plain and self.popup_open and text in ("1", "2", "3", "4", "5"):
            self.digit_pressed.emit(int(text))
            return
        if plain and len(text) == 1 and text.isprintable() and not text.isspace() and self.session.selection:
            self.text_typed.emit(text)
            return
        super().keyPressEvent(event)
