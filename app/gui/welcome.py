"""What the empty window shows: how to start (open, drop, recent files, the sample)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget


class Welcome(QWidget):
    """The start page.

    Signals:
        open_requested(): the Open… button.
        sample_requested(): the sample page button.
        recent_chosen(str): a recent file was double-clicked.
    """

    open_requested = Signal()
    sample_requested = Signal()
    recent_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        title = QLabel("<h2>Glyphic</h2>Recognise handwritten and printed pages, then correct them.", self)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = QLabel("Open pages (images, multi-page TIFF, PDF) or a project with <b>Ctrl+O</b>, "
                      "or drop files on this window.", self)
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.open_button = QPushButton("Open pages or a project…", self)
        self.sample_button = QPushButton("Try the sample page", self)
        self.open_button.clicked.connect(self.open_requested)
        self.sample_button.clicked.connect(self.sample_requested)
        self.recent_label = QLabel("Recent files (double-click to open):", self)
        self.recent = QListWidget(self)
        self.recent.setMaximumHeight(180)
        self.recent.itemActivated.connect(lambda item: self.recent_chosen.emit(item.data(Qt.ItemDataRole.UserRole)))
        hint.setMaximumWidth(460)
        for widget in (title, hint, self.open_button, self.sample_button, self.recent_label, self.recent):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
            layout.addSpacing(6)
        layout.addStretch(2)
        self.recent.setMinimumWidth(460)

    def set_recent(self, paths: list[str]) -> None:
        """Show the recent files (hidden when there are none)."""
        self.recent.clear()
        for path in paths:
            item = QListWidgetItem(f"{Path(path).name}   —   {Path(path).parent}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            self.recent.addItem(item)
        self.recent.setVisible(bool(paths))
        self.recent_label.setVisible(bool(paths))
