"""What the parts of the main window share: attributes, signals and a few methods (for type checking)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMainWindow, QMenu

if TYPE_CHECKING:
    from app.gui.actions import Actions
    from app.gui.autosave import Autosaver
    from app.gui.confidence import Thresholds
    from app.gui.learning import CorrectionStore
    from app.gui.page_view import PageView
    from app.gui.session import Session
    from app.gui.settings import Settings
    from app.gui.workers import FunctionTask, RecognitionService, RecognitionWorker


class WindowBase(QMainWindow):
    """Base of :class:`app.gui.main_window.MainWindow` and its mixins.

    Signals:
        recognition_finished(bool): a recognition run ended (True when cancelled).
        project_saved(str): a project file was written.
        export_finished(object): list of written paths.
        finetune_finished(object): a :class:`app.gui.learning.FinetuneResult`.
    """

    recognition_finished = Signal(bool)
    project_saved = Signal(str)
    export_finished = Signal(object)
    finetune_finished = Signal(object)

    settings: Settings
    data_folder: Path
    session: Session
    service: RecognitionService
    thresholds: Thresholds
    corrections: CorrectionStore
    view: PageView
    actions_: Actions
    recent_menu: QMenu
    autosaver: Autosaver

    def start_task(self, task: FunctionTask | RecognitionWorker) -> None:
        raise NotImplementedError

    def start_recognition(self, paths: list[Path]) -> None:
        raise NotImplementedError

    def cancel_work(self) -> None:
        raise NotImplementedError

    def apply_thresholds(self, high: float, low: float) -> None:
        raise NotImplementedError

    def update_status(self) -> None:
        raise NotImplementedError

    def update_title(self) -> None:
        raise NotImplementedError
