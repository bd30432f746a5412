"""The drawing pad: write a character with the mouse or a pen and see the model's top-5 live."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPointF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, QTabletEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.gui.images import qimage_to_grey
from app.gui.workers import FunctionTask, RecognitionService, predict_crops

CANVAS = 224


def drawing_crop(grey: np.ndarray) -> np.ndarray:
    """A drawing (dark ink on white) -> one EMNIST-style (1, 28, 28) glyph."""
    from app.gui.glyph_crop import emnist_crop

    return emnist_crop(255 - np.asarray(grey, np.uint8))[None]


def predict_drawing(service: RecognitionService, grey: np.ndarray) -> list[tuple[str, float]]:
    """Top-5 (character, probability) of a drawing (runs on a worker)."""
    classes, prediction = predict_crops(service, drawing_crop(grey))
    return [(classes[i], float(p)) for i, p in zip(prediction.indices[0], prediction.probabilities[0], strict=True)]


class Canvas(QWidget):
    """A white square to draw on; emits ``changed`` while drawing and ``stroke_finished`` after each stroke."""

    changed = Signal()
    stroke_finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(QSize(CANVAS, CANVAS))
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.image = QImage(CANVAS, CANVAS, QImage.Format.Format_RGB32)
        self._last: QPointF | None = None
        self.clear()

    def clear(self) -> None:
        self.image.fill(QColor("white"))
        self.update()

    def is_blank(self) -> bool:
        return bool((self.grey() > 200).all())

    def grey(self) -> np.ndarray:
        return qimage_to_grey(self.image)

    def draw_line(self, start: QPointF, end: QPointF, pressure: float = 1.0) -> None:
        painter = QPainter(self.image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("black"), max(6.0, 16.0 * pressure), Qt.PenStyle.SolidLine,
                            Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        painter.drawLine(start, end)
        painter.end()
        self.update()
        self.changed.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawImage(0, 0, self.image)
        painter.setPen(QPen(QColor(200, 200, 210), 1, Qt.PenStyle.DashLine))
        painter.drawRect(0, 0, CANVAS - 1, CANVAS - 1)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._last = event.position()
        self.draw_line(self._last, self._last)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._last is not None:
            self.draw_line(self._last, event.position())
            self._last = event.position()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._last = None
        self.stroke_finished.emit()

    def tabletEvent(self, event: QTabletEvent) -> None:
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._last = event.position()
        elif kind == QTabletEvent.Type.TabletMove and self._last is not None:
            self.draw_line(self._last, event.position(), event.pressure())
            self._last = event.position()
        elif kind == QTabletEvent.Type.TabletRelease:
            self._last = None
            self.stroke_finished.emit()
        event.accept()


class DrawingPad(QWidget):
    """Canvas + live top-5 predictions.

    Signals:
        predicted(object): the latest list of (character, probability).
        use_text(str): "Use" pressed: correct the selected glyph with the best reading.
    """

    predicted = Signal(object)
    use_text = Signal(str)

    def __init__(self, service: RecognitionService, start_task: Callable[[FunctionTask], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.start_task = start_task
        self.readings: list[tuple[str, float]] = []
        self._busy = False
        self._pending = False
        self._throttle = QTimer(self)
        self._throttle.setSingleShot(True)
        self._throttle.setInterval(150)
        self._throttle.timeout.connect(self.predict)
        self.canvas = Canvas(self)
        self.canvas.changed.connect(self._throttle.start)
        self.canvas.stroke_finished.connect(self.predict)
        grid = QGridLayout()
        self.labels: list[QLabel] = []
        self.bars: list[QProgressBar] = []
        for i in range(5):
            label = QLabel("–", self)
            label.setMinimumWidth(28)
            label.setStyleSheet("font-size: 16px; font-weight: bold;")
            bar = QProgressBar(self)
            bar.setRange(0, 1000)
            bar.setFormat("")
            bar.setMaximumHeight(14)
            grid.addWidget(label, i, 0)
            grid.addWidget(bar, i, 1)
            self.labels.append(label)
            self.bars.append(bar)
        clear = QPushButton("Clear", self)
        clear.clicked.connect(self.clear)
        use = QPushButton("Use for selected glyph", self)
        use.clicked.connect(self._use)
        buttons = QHBoxLayout()
        buttons.addWidget(clear)
        buttons.addWidget(use)
        column = QVBoxLayout(self)
        column.addWidget(self.canvas, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addLayout(grid)
        column.addLayout(buttons)
        column.addStretch(1)

    def _use(self) -> None:
        if self.readings:
            self.use_text.emit(self.readings[0][0])

    def clear(self) -> None:
        self.canvas.clear()
        self.show_readings([])

    def predict(self) -> None:
        """Predict the drawing on a worker (one at a time; the latest drawing wins)."""
        if self.canvas.is_blank():
            return
        if self._busy:
            self._pending = True
            return
        self._busy = True
        task = FunctionTask(predict_drawing, self.service, self.canvas.grey())
        task.signals.result.connect(self.show_readings)
        task.signals.finished.connect(self._done)
        self.start_task(task)

    def _done(self, _cancelled: bool) -> None:
        self._busy = False
        if self._pending:
            self._pending = False
            self.predict()

    def show_readings(self, readings: list[tuple[str, float]]) -> None:
        self.readings = list(readings)
        for i, (label, bar) in enumerate(zip(self.labels, self.bars, strict=True)):
            if i < len(readings):
                text, prob = readings[i]
                label.setText(text)
                bar.setValue(round(prob * 1000))
                bar.setFormat(f"{prob:.1%}")
            else:
                label.setText("–")
                bar.setValue(0)
                bar.setFormat("")
        if readings:
            self.predicted.emit(self.readings)
