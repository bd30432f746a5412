"""The main window: it owns small components that talk through the session (document model) and Qt signals.

Components: page view, line view, transcription, page list, doubtful list, drawing pad (widgets);
:class:`Actions` (menus, toolbar, keys); :class:`FileHandler` (open, save, recovery);
:class:`RecognitionControl` (recognition runs); :class:`Tools` (export, learning); :class:`Editor`
(corrections); :class:`AlternativesControl` (the top-5 popup); :class:`PageTools` (rotate, crop);
:class:`StatusPanel`. None of them imports this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QStackedWidget,
    QWidget,
)

from app.document import BBox
from app.gui.actions import Actions
from app.gui.alternatives import AlternativesControl, AlternativesPopup
from app.gui.confidence import Thresholds
from app.gui.dialogs import SettingsDialog, show_error
from app.gui.doubtful import DoubtfulList
from app.gui.drawing_pad import DrawingPad
from app.gui.editing import Editor
from app.gui.files import FileHandler
from app.gui.find_dialog import FindReplaceDialog
from app.gui.learning import CorrectionStore
from app.gui.line_view import LineView
from app.gui.models import model_display_name, shipped_model_config
from app.gui.page_list import PageList
from app.gui.page_tools import PageTools
from app.gui.page_view import PageView
from app.gui.recognition import RecognitionControl
from app.gui.session import Session
from app.gui.settings import Settings, data_dir
from app.gui.spelling import Spelling
from app.gui.status import StatusPanel
from app.gui.tools import Tools
from app.gui.transcript import TranscriptEdit
from app.gui.welcome import Welcome
from app.gui.workers import FunctionTask, RecognitionService, RecognitionWorker


class MainWindow(QMainWindow):
    """Glyphic's main window.

    Args:
        settings: persistent settings (tests pass one backed by a temporary INI file).
        data_folder: per-user data (recovery file, corrections, dictionary, personal models).
        autosave_ms: autosave interval.
        service: the recognition service (tests share one so the model loads once).

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

    def __init__(self, settings: Settings | None = None, data_folder: Path | None = None,
                 autosave_ms: int = 60_000, service: RecognitionService | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.data_folder = Path(data_folder) if data_folder else data_dir()
        self.pool = QThreadPool.globalInstance()
        self._tasks: set[QRunnable] = set()
        self._rerun_after_cancel = False
        self._draw_purpose = "box"  # what the next rectangle drawn on the page is for: box, crop or region
        self.find_dialog: FindReplaceDialog | None = None
        self.session = Session(self)
        self.thresholds = Thresholds(self.settings.high_threshold, self.settings.low_threshold)
        self.service = service or RecognitionService(self.settings.model_path, self.settings.lexicon,
                                                     self.settings.dpi, self.settings.engine)
        self.corrections = CorrectionStore(self.data_folder / "corrections.npz")
        self.spelling = Spelling(self.data_folder / "dictionary.txt")
        self.recognition = RecognitionControl(self.session, self.service, self.start_task,
                                              lambda: self._model_label())
        self.page_tools = PageTools(self.session, self.start_task)
        self._build_widgets()
        self.editor = Editor(self.session, self.service, self.start_task, lambda: self.thresholds.low)
        self.editor.spelling = self.transcript.spelling = self.spelling
        self.alternatives = AlternativesControl(self.popup, self.session, self.view, self.editor,
                                                self.transcript.hasFocus)
        self.files = FileHandler(self, self.session, self.settings, self.recognition, self.data_folder,
                                 self.start_task, self._view_state, autosave_ms)
        self.tools = Tools(self, self.session, self.settings, self.service, self.corrections, self.data_folder,
                           self.start_task)
        self.actions_ = Actions(self, self)
        self.recent_menu = self.actions_.build_menus()
        self.recent_menu.aboutToShow.connect(lambda: self.files.fill_recent_menu(self.recent_menu))
        self.toolbar = self.actions_.build_toolbar()
        self._connect()
        warm = FunctionTask(self.spelling.warm)  # the word list loads on a worker
        warm.signals.result.connect(lambda _ok: self._spelling_ready())
        self.start_task(warm)
        self.setAcceptDrops(True)
        self.resize(1500, 950)
        self.update_title()
        self.update_status()
        self._show_welcome_or_page()

    # -- construction --------------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.view = PageView(self.session, self.thresholds, self)
        self.view.set_draw_mode(False)
        self.popup = AlternativesPopup(self.view.viewport())
        self.welcome = Welcome(self)
        self.central = QStackedWidget(self)
        self.central.addWidget(self.welcome)
        self.central.addWidget(self.view)
        self.setCentralWidget(self.central)
        self.transcript = TranscriptEdit(self.session, self.thresholds, self)
        self.page_list = PageList(self.session, self)
        self.line_view = LineView(self.session, self.thresholds, self)
        self.doubtful = DoubtfulList(self.session, self.spelling, lambda: self.thresholds.low, self)
        self.pad = DrawingPad(self.service, self.start_task, self)
        pad_scroll = QScrollArea(self)
        pad_scroll.setWidgetResizable(True)
        pad_scroll.setWidget(self.pad)
        pad_scroll.setMinimumHeight(80)  # the dock shrinks as far as wanted; the pad scrolls
        self.pages_dock = self._dock("Pages", self.page_list, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.doubtful_dock = self._dock("Doubtful words", self.doubtful, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.splitDockWidget(self.pages_dock, self.doubtful_dock, Qt.Orientation.Vertical)
        self.text_dock = self._dock("Transcription", self.transcript, Qt.DockWidgetArea.RightDockWidgetArea)
        self.lines_dock = self._dock("Lines", self.line_view, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.text_dock, self.lines_dock)
        self.text_dock.raise_()
        self.pad_dock = self._dock("Drawing pad", pad_scroll, Qt.DockWidgetArea.RightDockWidgetArea)
        self.pad_dock.hide()  # Ctrl+D shows it; it never takes room unasked
        self.resizeDocks([self.pages_dock, self.text_dock], [190, 520], Qt.Orientation.Horizontal)
        self.status = StatusPanel(self.statusBar(), self.thresholds)
        self.status.cancel_button.clicked.connect(self.cancel_work)
        self.cancel_button = self.status.cancel_button
        self.model_label, self.page_label, self.count_label = (self.status.model_label, self.status.page_label,
                                                               self.status.count_label)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title.lower().replace(" ", "-"))
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock

    def _connect(self) -> None:
        s = self.session
        for signal in (s.page_changed, s.line_changed, s.current_page_changed, s.document_reset, s.page_added,
                       s.selection_changed):
            signal.connect(lambda *_: self.update_status())
        s.document_reset.connect(self.update_title)
        s.document_reset.connect(self._show_welcome_or_page)
        s.page_added.connect(lambda _i: self._show_welcome_or_page())
        s.undo_stack.cleanChanged.connect(lambda _clean: self.update_title())
        self.view.zoom_changed.connect(lambda _z: self.update_status())
        self.view.text_typed.connect(lambda text: self.editor.set_text(text))
        self.view.box_drawn.connect(self._box_drawn)
        self.transcript.line_edited.connect(self.editor.apply_line_text)
        self.line_view.line_edited.connect(self.editor.apply_line_text)
        self.pad.use_text.connect(lambda text: self.editor.set_text(text, advance=False))
        self.editor.message.connect(self.show_message)
        self.editor.error.connect(lambda text: show_error(self, "Recognition failed", text))
        self.editor.corrected.connect(self.tools.record_corrections)
        self.welcome.open_requested.connect(self.files.choose_and_open)
        self.welcome.sample_requested.connect(self.files.open_sample)
        self.welcome.recent_chosen.connect(lambda path: self.open_paths([path]))
        self.page_tools.done.connect(self.show_message)
        self.page_tools.failed.connect(lambda text: show_error(self, "Page operation failed", text))
        f = self.files
        f.message.connect(self.show_message)
        f.project_saved.connect(self.project_saved)
        f.path_changed.connect(self.update_title)
        f.state_restored.connect(self._restore_state)
        t = self.tools
        t.message.connect(self.show_message)
        t.export_finished.connect(self.export_finished)
        t.finetune_finished.connect(self.finetune_finished)
        t.improving.connect(lambda on: self.actions_.improve.setEnabled(not on))
        t.model_changed.connect(self.update_status)
        r = self.recognition
        r.started.connect(self._run_started)
        r.progress.connect(self.status.set_progress)
        r.finished.connect(self._worker_finished)
        r.failed.connect(lambda text: show_error(self, "Recognition failed", text))
        r.file_failed.connect(self._file_failed)
        r.document_opened.connect(self._document_opened)

    def _show_welcome_or_page(self) -> None:
        """The start page while there is no document, else the page view."""
        if self.session.is_empty():
            self.welcome.set_recent(self.settings.recent_files)
            self.central.setCurrentWidget(self.welcome)
        else:
            self.central.setCurrentWidget(self.view)

    def _spelling_ready(self) -> None:
        self.doubtful.refresh()
        self.transcript.render_page()

    def show_message(self, text: str, timeout: int = 5000) -> None:
        self.statusBar().showMessage(text, timeout)

    # -- the parts the application and the tests reach through the window -------------------------------
    @property
    def autosaver(self) -> Any:
        return self.files.autosaver

    def open_paths(self, paths: list[str] | list[Path]) -> None:
        """Open files, folders or a project (see :meth:`FileHandler.open_paths`)."""
        self.files.open_paths(paths)

    def check_recovery(self) -> bool:
        return self.files.check_recovery()

    @property
    def worker(self) -> RecognitionWorker | None:
        """The running recognition worker, if any."""
        return self.recognition.worker

    # -- tasks -----------------------------------------------------------------------------------------
    def start_task(self, task: FunctionTask | RecognitionWorker) -> None:
        """Run a worker on the pool, keeping it alive until it finishes."""
        self._tasks.add(task)
        task.signals.finished.connect(lambda _c, t=task: self._tasks.discard(t))
        self.pool.start(task)

    def busy(self) -> bool:
        return self.recognition.busy

    # -- recognition -----------------------------------------------------------------------------------
    def recognize_again(self) -> None:
        """Ctrl+R: recognise the pages not recognised yet, else (after asking) every page again."""
        if self.session.is_empty():
            self.show_message("Open a page first.", 4000)
            return
        if self.busy():
            if self.recognition.cancelling:  # Ctrl+R right after a cancel: run once the worker has stopped
                self._rerun_after_cancel = True
                self.show_message("Recognising the remaining pages once the cancelled run stops…", 0)
            else:
                self.show_message("Recognition is still running (Esc cancels it).", 4000)
            return
        pending = self.recognition.unrecognised_pages()
        if pending:
            self.recognition.recognise(pending)
            return
        keep = False
        if any(g.corrected for page in self.session.document.pages for g in page.glyphs()):
            buttons = QMessageBox.StandardButton
            answer = QMessageBox.question(
                self, "Recognise all pages again?",
                "Your corrections are on these pages. Keep the corrected words (Yes), or replace everything "
                "with the new reading (No)? Either way Ctrl+Z undoes it page by page.",
                buttons.Yes | buttons.No | buttons.Cancel, buttons.Yes)
            if answer == buttons.Cancel:
                return
            keep = answer == buttons.Yes
        self.recognition.recognise(list(range(len(self.session.document.pages))), keep_corrections=keep)

    def _run_started(self) -> None:
        self.status.running(True)
        self.actions_.cancel.setEnabled(True)
        self.show_message("Loading the model and recognising…" if not self.service.loaded else "Recognising…", 0)

    def _document_opened(self) -> None:
        self.view.show_current_page()
        self.transcript.render_page()
        self.update_title()

    def _file_failed(self, path: str, message: str) -> None:
        name = Path(path).name
        reason = message.removeprefix(f"{path}: ")
        others = "" if self.session.is_empty() else "\n\nThe other pages and your corrections are unchanged."
        show_error(self, f"Cannot open {name}", f"{name} could not be opened:\n{reason}{others}")

    def _worker_finished(self, cancelled: bool) -> None:
        self.status.running(False)
        self.actions_.cancel.setEnabled(False)
        pending = len(self.recognition.unrecognised_pages())
        if cancelled:
            text = "Recognition cancelled." + (f" {pending} page(s) not recognised: Ctrl+R recognises them."
                                               if pending else "")
        else:
            text = f"Recognised {len(self.session.document.pages)} page(s)."
        self.show_message(text, 8000)
        self.update_status()
        self.update_title()
        self.recognition_finished.emit(cancelled)
        if self._rerun_after_cancel:
            self._rerun_after_cancel = False
            QTimer.singleShot(0, self.recognize_again)

    def cancel_work(self) -> None:
        """Cancel the running recognition (it stops after the current page)."""
        if self.recognition.busy:
            self.recognition.cancel()
            self.show_message("Cancelling after the current page…", 0)

    def escape(self) -> None:
        """Esc: close the alternatives popup, else cancel recognition."""
        if self.popup.isVisible():
            self.alternatives.hide()
        else:
            self.cancel_work()

    # -- page operations, views, find ---------------------------------------------------------------------
    def _box_drawn(self, bbox: BBox) -> None:
        """A box was drawn: leave drawing mode, then crop to it or recognise and place it."""
        self.actions_.draw_box.setChecked(False)
        self.view.set_draw_mode(False)
        purpose, self._draw_purpose = self._draw_purpose, "box"
        if purpose == "crop":
            self.page_tools.crop(bbox)
        elif purpose == "region":
            self.page_tools.recognise_region(self.service, bbox)
        else:
            self.editor.add_box(bbox)

    def _draw_for(self, purpose: str, hint: str) -> None:
        if self.session.is_empty():
            return
        self._draw_purpose = purpose
        self.view.set_draw_mode(True)
        self.show_message(hint, 6000)

    def start_crop(self) -> None:
        """Crop: the next rectangle drawn on the page becomes the page."""
        self._draw_for("crop", "Drag a rectangle around the part of the page to keep.")

    def start_region(self) -> None:
        """The next rectangle drawn on the page is read again."""
        self._draw_for("region", "Drag a rectangle around the lines to recognise again.")

    def recognise_selected_line(self) -> None:
        selection = self.session.selection
        if selection is None:
            self.show_message("Select a glyph of the line first (click a box or press F3).")
            return
        self.page_tools.recognise_line(self.service, selection.line_ref)

    def show_line_view(self) -> None:
        """Ctrl+L: the line-by-line view, cursor in the selected glyph's line."""
        self.lines_dock.show()
        self.lines_dock.raise_()
        selection = self.session.selection
        row = self.line_view.row_of.get(selection.line_ref) if selection is not None else None
        if row is not None:
            row.edit.setFocus()
        elif self.line_view.rows:
            self.line_view.focus_row(0)

    def show_find(self) -> None:
        """Ctrl+F: the find and replace window."""
        if self.find_dialog is None:
            self.find_dialog = FindReplaceDialog(self.session, self)
        self.find_dialog.show()
        self.find_dialog.raise_()
        self.find_dialog.find_edit.setFocus()

    def hide_alternatives(self) -> None:
        self.alternatives.hide()

    def set_box_visibility(self, key: str, on: bool) -> None:
        self.settings.set_flag(key, on)
        self.view.show_glyphs = self.settings.flag("view/glyph_boxes")
        self.view.show_words = self.settings.flag("view/word_boxes")
        self.view.show_lines = self.settings.flag("view/line_boxes")
        self.view.redraw_boxes()

    def apply_thresholds(self, high: float, low: float) -> None:
        """Change the colour thresholds everywhere."""
        self.thresholds = Thresholds(high, low)
        self.view.thresholds = self.transcript.thresholds = self.line_view.thresholds = self.thresholds
        self.status.legend.set_thresholds(self.thresholds)
        self.view.redraw_boxes()
        self.transcript.render_page()
        self.line_view.rebuild()
        self.doubtful.refresh()
        self.update_status()

    def show_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            dialog.apply()
            self.apply_thresholds(self.settings.high_threshold, self.settings.low_threshold)
            self.service.configure(self.settings.model_path, self.settings.lexicon, self.settings.dpi,
                                   self.settings.engine)
            self.update_status()

    # -- view state (projects) ------------------------------------------------------------------------------
    def _view_state(self) -> dict[str, Any]:
        return {"zoom": self.view.fit_mode or self.view.zoom, "center": list(self.view.center()),
                "thresholds": [self.thresholds.high, self.thresholds.low]}

    def _restore_state(self, state: dict[str, Any]) -> None:
        thresholds = state.get("thresholds")
        if thresholds:
            self.apply_thresholds(float(thresholds[0]), float(thresholds[1]))
        zoom, center = state.get("zoom"), state.get("center")
        if isinstance(zoom, str):
            self.view.fit(zoom)
        elif zoom:
            self.view.set_zoom(float(zoom))
            if center:
                self.view.centerOn(float(center[0]), float(center[1]))
        self.update_title()
        self.update_status()

    def update_status(self) -> None:
        self.status.update(self.session, self.view.zoom, self.thresholds, self._model_label())

    def _model_label(self) -> str:
        """The models in use: the glyph model, after the line model with the line engine (the default)."""
        glyphs = model_display_name(self.service.model_path)
        if self.service.engine in ("", "line"):
            return f"{model_display_name(str(shipped_model_config().with_name('lines.json')))}, {glyphs}"
        return glyphs

    def update_title(self) -> None:
        name = (self.session.project_path or self.session.source_path or Path("untitled")).name
        self.setWindowTitle(f"{name}[*] — Glyphic")
        self.setWindowModified(not self.session.undo_stack.isClean())

    # -- drag and drop, closing -------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.open_paths(paths))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.confirm_discard("closing"):
            event.ignore()
            return
        self.cancel_work()
        self.files.autosaver.stop()
        self.pool.waitForDone(30_000)  # no worker may report to a deleted window
        QApplication.processEvents()
        self.files.autosaver.discard()
        self.settings.sync()
        # the window is deleted after the application quits; its document must not report to it then
        # (QUndoStack announces it is clean again while it is being destroyed)
        self.session.undo_stack.blockSignals(True)
        self.session.blockSignals(True)
        event.accept()

    def show_about(self) -> None:
        QMessageBox.about(self, "About Glyphic", "Glyphic — OCR for handwritten and printed pages.\n"
                          "Correct what the model got wrong; it learns from your corrections.")
