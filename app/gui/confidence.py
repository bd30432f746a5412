"""Colours by calibrated confidence, and the legend that explains them."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

GREEN = QColor(30, 160, 60)
AMBER = QColor(230, 150, 0)
RED = QColor(220, 40, 40)
BLUE = QColor(40, 110, 230)  # corrected by hand


def _tint(palette: QPalette, alpha: int) -> QColor:
    colour = QColor(palette.color(QPalette.ColorRole.Highlight))
    colour.setAlpha(alpha)
    return colour


def current_line_colour(palette: QPalette) -> QColor:
    """The current line's shade: the palette's highlight, faint (readable on light and dark palettes)."""
    return _tint(palette, 45)


def selection_colour(palette: QPalette) -> QColor:
    """The selected glyph's shade in the text."""
    return _tint(palette, 110)


def blend(top: QColor, bottom: QColor) -> QColor:
    """``top`` (with its alpha) painted over the opaque ``bottom``."""
    a = top.alphaF()
    return QColor.fromRgbF(*(a * t + (1 - a) * b for t, b in zip(_rgb(top), _rgb(bottom), strict=True)))


def _rgb(c: QColor) -> tuple[float, float, float]:
    return c.redF(), c.greenF(), c.blueF()


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two opaque colours (1 to 21)."""
    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        r, g, b_ = (channel(v) for v in _rgb(c))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@dataclass(frozen=True)
class Thresholds:
    """Green from ``high``, amber from ``low``, red below (doubtful)."""

    high: float = 0.9
    low: float = 0.7

    def colour(self, confidence: float, corrected: bool = False) -> QColor:
        if corrected:
            return BLUE
        if confidence >= self.high:
            return GREEN
        if confidence >= self.low:
            return AMBER
        return RED

    def doubtful(self, confidence: float, corrected: bool = False) -> bool:
        """Below the amber threshold and not corrected: F3 stops here."""
        return not corrected and confidence < self.low

    def uncertain(self, confidence: float, corrected: bool = False) -> bool:
        """Below green: marked in the transcription."""
        return not corrected and confidence < self.high


class Legend(QWidget):
    """Small colour key: green / amber / red / corrected."""

    def __init__(self, thresholds: Thresholds, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(8)
        self.labels: list[QLabel] = []
        for _ in range(4):
            label = QLabel(self)
            label.setTextFormat(Qt.TextFormat.RichText)
            layout.addWidget(label)
            self.labels.append(label)
        self.set_thresholds(thresholds)

    def set_thresholds(self, thresholds: Thresholds) -> None:
        texts = [(GREEN, f"≥ {thresholds.high:.2f}"), (AMBER, f"≥ {thresholds.low:.2f}"),
                 (RED, f"&lt; {thresholds.low:.2f}"), (BLUE, "corrected")]
        for label, (colour, text) in zip(self.labels, texts, strict=True):
            label.setText(f'<span style="color:{colour.name()}; font-size:14px">■</span> {text}')
