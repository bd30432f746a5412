"""The export dialog (Ctrl+E): every format of the command line, current page or all pages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.document import Document


@dataclass
class ExportRequest:
    """What the user asked for."""

    formats: list[str]
    all_pages: bool
    folder: Path
    stem: str
    highlight_below: float = 0.0  # DOCX/ODT: highlight uncorrected words below this confidence (0: none)


def available_formats() -> dict[str, str]:
    """Format name -> description, from :data:`app.export.FORMATS`."""
    from app.export import FORMATS

    return {name: f"{fmt.description} ({fmt.suffix})" for name, fmt in FORMATS.items()}


def run_export(document: Document, images: list[np.ndarray | None], request: ExportRequest) -> list[Path]:
    """Write the chosen formats (runs on a worker)."""
    from app.export import export_document

    options: dict[str, dict[str, object]] = {"pdf": {"images": images}} if "pdf" in request.formats else {}
    for name in ("docx", "odt"):
        if name in request.formats and request.highlight_below > 0:
            options[name] = {"doubtful": request.highlight_below}
    return export_document(document, request.folder, request.stem, request.formats, **options)


class ExportDialog(QDialog):
    """Choose formats, pages and the output location."""

    def __init__(self, folder: Path, stem: str, parent: QWidget | None = None,
                 chosen: list[str] | None = None, doubtful: float = 0.0) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        self.checks: dict[str, QCheckBox] = {}
        formats_box = QVBoxLayout()
        for name, label in available_formats().items():
            check = QCheckBox(label, self)
            check.setChecked(name in (chosen or ["txt"]))
            self.checks[name] = check
            formats_box.addWidget(check)
        form.addRow("Formats", formats_box)
        self.doubtful = doubtful
        self.highlight = QCheckBox(f"Highlight doubtful words (below {doubtful:.2f}) in DOCX and ODT", self)
        self.highlight.setEnabled(doubtful > 0)
        form.addRow("", self.highlight)
        self.current_page = QRadioButton("Current page", self)
        self.all_pages = QRadioButton("All pages", self)
        self.all_pages.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.current_page)
        group.addButton(self.all_pages)
        pages = QHBoxLayout()
        pages.addWidget(self.all_pages)
        pages.addWidget(self.current_page)
        form.addRow("Pages", pages)
        self.folder = QLineEdit(str(folder), self)
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        form.addRow("Folder", row)
        self.stem = QLineEdit(stem, self)
        form.addRow("File name", self.stem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export to folder", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def request(self) -> ExportRequest:
        """The choices as an :class:`ExportRequest`."""
        return ExportRequest(formats=[n for n, c in self.checks.items() if c.isChecked()],
                             all_pages=self.all_pages.isChecked(), folder=Path(self.folder.text()),
                             stem=self.stem.text().strip() or "glyphic",
                             highlight_below=self.doubtful if self.highlight.isChecked() else 0.0)
