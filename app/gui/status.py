"""The status bar's permanent part: page, zoom, counts, colour legend, model, progress and Cancel."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar

from app.gui.confidence import Legend, Thresholds
from app.gui.session import Session


class StatusPanel:
    """Widgets added to ``bar``; :meth:`update` refreshes them from the session."""

    def __init__(self, bar: QStatusBar, thresholds: Thresholds) -> None:
        self.bar = bar
        self.page_label, self.zoom_label, self.count_label, self.model_label = (QLabel(bar) for _ in range(4))
        self.legend = Legend(thresholds, bar)
        self.progress = QProgressBar(bar)
        self.progress.setMaximumWidth(220)
        self.progress.setFormat("%v / %m pages")
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel", bar)
        self.cancel_button.hide()
        for widget in (self.page_label, self.zoom_label, self.count_label, self.legend, self.model_label,
                       self.progress, self.cancel_button):
            bar.addPermanentWidget(widget)

    def update(self, session: Session, zoom: float, thresholds: Thresholds, model: str) -> None:
        pages = len(session.document.pages)
        current = session.current_page + 1 if pages else 0
        self.page_label.setText(f"page {current}/{pages}")
        self.zoom_label.setText(f"{zoom:.0%}")
        glyphs = session.glyph_count()
        doubtful = session.doubtful_count(thresholds.low)
        self.count_label.setText(f"{glyphs:,} glyphs · {doubtful} doubtful")
        self.model_label.setText(f"model: {model}")

    def running(self, on: bool) -> None:
        """Show the progress bar and Cancel while recognition runs."""
        if on:
            self.progress.setRange(0, 0)
        self.progress.setVisible(on)
        self.cancel_button.setVisible(on)

    def set_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
