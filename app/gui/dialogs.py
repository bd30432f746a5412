"""Small dialogs: error messages and the settings dialog."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from app.gui.settings import Settings


def show_error(parent: QWidget | None, title: str, message: str) -> None:
    """A modal error box with a clear message (never a silent failure)."""
    QMessageBox.critical(parent, title, message)


class SettingsDialog(QDialog):
    """Confidence thresholds, word context, model file and PDF resolution."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Glyphic settings")
        self.settings = settings
        form = QFormLayout(self)
        self.high = QDoubleSpinBox(self)
        self.low = QDoubleSpinBox(self)
        for box, value in ((self.high, settings.high_threshold), (self.low, settings.low_threshold)):
            box.setRange(0.0, 1.0)
            box.setSingleStep(0.05)
            box.setDecimals(2)
            box.setValue(value)
        form.addRow("Green from confidence", self.high)
        form.addRow("Amber from confidence (red below)", self.low)
        self.lexicon = QCheckBox("Use English word context to choose readings", self)
        self.lexicon.setChecked(settings.lexicon)
        form.addRow("Lexicon", self.lexicon)
        self.model = QLineEdit(settings.model_path, self)
        self.model.setPlaceholderText("shipped model")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse_model)
        shipped = QPushButton("Shipped model", self)
        shipped.clicked.connect(self.model.clear)
        row = QHBoxLayout()
        row.addWidget(self.model, 1)
        row.addWidget(browse)
        row.addWidget(shipped)
        form.addRow("Model file", row)
        self.engine = QComboBox(self)
        self.engine.addItem("Default", "")
        self.engine.addItem("Whole lines (line model)", "line")
        self.engine.addItem("Character by character (glyph model)", "glyph")
        self.engine.setCurrentIndex(max(0, self.engine.findData(settings.engine)))
        form.addRow("Recognition engine", self.engine)
        self.dpi = QDoubleSpinBox(self)
        self.dpi.setRange(50, 1200)
        self.dpi.setDecimals(0)
        self.dpi.setSingleStep(50)
        self.dpi.setValue(settings.dpi)
        form.addRow("PDF resolution (dpi)", self.dpi)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _browse_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Model config", "", "Model config (*.json)")
        if path:
            self.model.setText(path)

    def apply(self) -> None:
        """Store the dialog's values (low never above high)."""
        high, low = self.high.value(), self.low.value()
        self.settings.high_threshold = max(high, low)
        self.settings.low_threshold = min(high, low)
        self.settings.lexicon = self.lexicon.isChecked()
        self.settings.model_path = self.model.text().strip()
        self.settings.dpi = self.dpi.value()
        self.settings.engine = str(self.engine.currentData())
