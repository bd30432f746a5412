"""Export, the corrections store and fine-tuning: a component of the main window."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from app.document import BBox, Document
from app.gui.dialogs import show_error
from app.gui.export_dialog import ExportDialog, ExportRequest, run_export
from app.gui.learning import MIN_CORRECTIONS, CorrectionStore, FinetuneResult, finetune
from app.gui.models import shipped_model_config
from app.gui.session import Session
from app.gui.settings import Settings
from app.gui.workers import FunctionTask, RecognitionService, RecognitionWorker


def store_corrections(store: CorrectionStore, image: np.ndarray, boxes: list[BBox], texts: list[str],
                      baselines: list[float], x_heights: list[float]) -> int:
    """Crop corrected glyphs and append them to the store (runs on a worker); returns how many."""
    from app.gui.glyph_crop import page_crops

    crops = page_crops(image, boxes, baselines, x_heights)
    store.add(crops, texts)
    return len(texts)


class Tools(QObject):
    """Export and learning from corrections.

    Signals:
        export_finished(object): list of written paths.
        finetune_finished(object): a :class:`FinetuneResult`.
        improving(bool): fine-tuning started (True) or ended (False).
        model_changed(): another model was chosen.
        message(str, int): a status-bar message and its timeout.
    """

    export_finished = Signal(object)
    finetune_finished = Signal(object)
    improving = Signal(bool)
    model_changed = Signal()
    message = Signal(str, int)

    def __init__(self, parent: QWidget, session: Session, settings: Settings, service: RecognitionService,
                 corrections: CorrectionStore, data_folder: Path,
                 start_task: Callable[[FunctionTask | RecognitionWorker], None]) -> None:
        super().__init__(parent)
        self.window = parent
        self.session = session
        self.settings = settings
        self.service = service
        self.corrections = corrections
        self.data_folder = data_folder
        self.start_task = start_task

    # -- export ----------------------------------------------------------------------------------------
    def show_export_dialog(self) -> None:
        if self.session.is_empty():
            self.message.emit("Open and recognise a page first.", 4000)
            return
        source = self.session.source_path or self.session.project_path
        folder = source.parent if source else Path.home()
        dialog = ExportDialog(folder, source.stem if source else "glyphic", self.window,
                              chosen=self.settings.export_formats, doubtful=self.settings.low_threshold)
        if dialog.exec():
            self.export(dialog.request())

    def export(self, request: ExportRequest) -> None:
        """Write the chosen formats on a worker; ``export_finished`` gets the paths."""
        if not request.formats:
            show_error(self.window, "Nothing to export", "Choose at least one format.")
            return
        self.settings.export_formats = request.formats
        indices = list(range(len(self.session.document.pages))) if request.all_pages else [self.session.current_page]
        doc = self.session.document
        subset = Document(source=doc.source, pages=[doc.pages[i] for i in indices], model=doc.model)
        images = [self.session.page_image(i) for i in indices]
        task = FunctionTask(run_export, subset, images, request)
        task.signals.result.connect(self._exported)
        task.signals.error.connect(lambda text: show_error(self.window, "Export failed", text))
        self.message.emit("Exporting…", 0)
        self.start_task(task)

    def _exported(self, paths: list[Path]) -> None:
        folder = paths[0].parent if paths else ""
        self.message.emit(f"Exported {len(paths)} file(s) to {folder}.", 6000)
        self.export_finished.emit(paths)

    # -- learning from corrections ----------------------------------------------------------------------
    def record_corrections(self, items: list[tuple[int, BBox, str, float, float]]) -> None:
        """Keep the crops of glyphs a person corrected (single characters only)."""
        by_page: dict[int, list[tuple[BBox, str, float, float]]] = {}
        for page, bbox, text, baseline, x_height in items:
            if len(text) == 1 and not text.isspace():
                by_page.setdefault(page, []).append((bbox, text, baseline, x_height))
        for page, rows in by_page.items():
            image = self.session.page_image(page)
            if image is None:
                continue
            boxes, texts, baselines, x_heights = (list(column) for column in zip(*rows, strict=True))
            task = FunctionTask(store_corrections, self.corrections, image, boxes, texts, baselines, x_heights)
            task.signals.error.connect(lambda text: self.message.emit(f"Correction not stored: {text}", 0))
            self.start_task(task)

    def base_model_config(self) -> Path:
        """The model to fine-tune: the chosen model unless it is a personal one, else the shipped one."""
        chosen = self.settings.model_path
        if chosen and not Path(chosen).resolve().is_relative_to(self.data_folder.resolve()):
            return Path(chosen)
        return shipped_model_config()

    def improve_model(self) -> None:
        """Fine-tune a copy of the model on the stored corrections, on a worker."""
        images, labels = self.corrections.load()
        if len(labels) < MIN_CORRECTIONS:
            QMessageBox.information(self.window, "Not enough corrections",
                                    f"Correct at least {MIN_CORRECTIONS} glyphs first (you have {len(labels)}).")
            return
        out_dir = self.data_folder / "models" / f"personal-{len(labels)}"
        task = FunctionTask(finetune, images, list(labels), self.base_model_config(), out_dir)
        task.signals.result.connect(self._finetuned)
        task.signals.error.connect(lambda text: show_error(self.window, "Could not improve the model", text))
        self.message.emit(f"Improving the model from {len(labels)} corrections…", 0)
        self.improving.emit(True)
        task.signals.finished.connect(lambda _c: self.improving.emit(False))
        self.start_task(task)

    def _finetuned(self, result: FinetuneResult) -> None:
        self.finetune_finished.emit(result)
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self.window, "Model improved",
            f"Accuracy on {result.test_count} held-out corrections: {result.accuracy_before:.0%} before, "
            f"{result.accuracy_after:.0%} after ({result.train_count} corrections used for training).\n\n"
            "Use the improved model from now on? (Tools → Use the shipped model switches back.)",
            buttons.Yes | buttons.No, buttons.Yes)
        if answer == buttons.Yes:
            self.set_model(str(result.config_path))

    def use_shipped_model(self) -> None:
        self.set_model("")

    def set_model(self, config_path: str) -> None:
        """Switch the model (loaded lazily on the next recognition)."""
        self.settings.model_path = config_path
        self.service.configure(config_path, self.settings.lexicon, self.settings.dpi)
        self.model_changed.emit()
        self.message.emit("Model changed: Recognize → Recognise all pages again to use it.", 6000)

