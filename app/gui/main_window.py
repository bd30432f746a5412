"""The main window: page list, page view, transcription, drawing pad, status bar; recognition on workers."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

from PySide6.QtCore import QRunnable, Qt, QThreadPool, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QWidget,
)

from app.document import BBox
from app.gui.actions import Actions
from app.gui.alternatives import AlternativesPopup
from app.gui.confidence import Legend, Thresholds
from app.gui.dialogs import SettingsDialog, show_error
from app.gui.doubtful import DoubtfulList
from app.gui.drawing_pad import DrawingPad
from app.gui.editing import Editor
from app.gui.find_dialog import FindReplaceDialog
from app.gui.learning import CorrectionStore
from app.gui.line_view import LineView
from app.gui.page_list import PageList
from app.gui.page_tools import PageTools
from app.gui.page_view import PageView
from app.gui.recognition import RecognitionControl
from app.gui.refs import LineRef, glyph_at
from app.gui.session import Session
from app.gui.settings import Settings, data_dir
from app.gui.spelling import Spelling
from app.gui.transcript import TranscriptEdit
from app.gui.welcome import Welcome
from app.gui.window_files import FilesMixin
from app.gui.window_tools import ToolsMixin
from app.gui.workers import FunctionTask, RecognitionService, RecognitionWorker


def shipped_model_config() -> Path:
    """The shipped model's JSON config (found without importing torch)."""
    return Path(str(files("resources") / "models" / "glyphic.json"))


def model_display_name(config_path: str) -> str:
    """'name vVERSION' from a model config, read cheaply (no torch)."""
    path = Path(config_path) if config_path else shipped_model_config()
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
        return f"{config.get('name', path.stem)} v{config.get('version', '?')}"
    except (OSError, ValueError):
        return f"{path.name} (unreadable)"


class MainWindow(FilesMixin, ToolsMixin):
    """Glyphic's main window.

    Args:
        settings: persistent settings (tests pass one backed by a temporary INI file).
        data_folder: per-user data (recovery file, corrections, personal models).
        autosave_ms: autosave interval.
        service: the recognition service (tests share one so the model loads once).

    Signals (declared in :class:`WindowBase`): recognition_finished(bool), project_saved(str),
    export_finished(object), finetune_finished(object).
    """

    def __init__(self, settings: Settings | None = None, data_folder: Path | None = None,
                 autosave_ms: int = 60_000, service: RecognitionService | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.data_folder = Path(data_folder) if data_folder else data_dir()
        self.pool = QThreadPool.globalInstance()
        self._tasks: set[QRunnable] = set()
        self._rerun_after_cancel = False
        self._crop_pending = False
        self.find_dialog: FindReplaceDialog | None = None
        self.session = Session(self)
        self.page_tools = PageTools(self.session, self.start_task)
        self.thresholds = Thresholds(self.settings.high_threshold, self.settings.low_threshold)
        self.service = service or RecognitionService(self.settings.model_path, self.settings.lexicon,
                                                     self.settings.dpi)
        self.corrections = CorrectionStore(self.data_folder / "corrections.npz")
        self.spelling = Spelling(self.data_folder / "dictionary.txt")
        self.recognition = RecognitionControl(self.session, self.service, self.start_task,
                                              lambda: model_display_name(self.service.model_path))
        self._build_widgets()
        self.editor = Editor(self.session, self.service, self.start_task, lambda: self.thresholds.low)
        self.editor.message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.editor.error.connect(lambda text: show_error(self, "Recognition failed", text))
        self.editor.corrected.connect(self.record_corrections)
        self.editor.spelling = self.transcript.spelling = self.spelling
        warm = FunctionTask(self.spelling.warm)
        warm.signals.result.connect(lambda _ok: self._spelling_ready())
        self.start_task(warm)
        self.actions_ = Actions(self)
        self.recent_menu = self.actions_.build_menus()
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.toolbar = self.actions_.build_toolbar()
        self._init_files(autosave_ms)
        self._connect()
        self.setAcceptDrops(True)
        self.resize(1500, 950)
        self.update_title()
        self.update_status()
        self._show_welcome_or_page()

    @property
    def worker(self) -> RecognitionWorker | None:
        """The running recognition worker, if any."""
        return self.recognition.worker

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
        self.pad = DrawingPad(self.service, self.start_task, self)
        self.pages_dock = self._dock("Pages", self.page_list, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.text_dock = self._dock("Transcription", self.transcript, Qt.DockWidgetArea.RightDockWidgetArea)
        self.lines_dock = self._dock("Lines", self.line_view, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.text_dock, self.lines_dock)
        self.text_dock.raise_()
        pad_scroll = QScrollArea(self)
        pad_scroll.setWidgetResizable(True)
        pad_scroll.setWidget(self.pad)
        pad_scroll.setMinimumHeight(80)  # the dock shrinks as far as wanted; the pad scrolls
        self.pad_dock = self._dock("Drawing pad", pad_scroll, Qt.DockWidgetArea.RightDockWidgetArea)
        self.pad_dock.hide()  # Ctrl+D shows it; it never takes room unasked
        self.doubtful = DoubtfulList(self.session, self.spelling, lambda: self.thresholds.low, self)
        self.doubtful_dock = self._dock("Doubtful words", self.doubtful, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.splitDockWidget(self.pages_dock, self.doubtful_dock, Qt.Orientation.Vertical)
        self.resizeDocks([self.pages_dock, self.text_dock], [170, 520], Qt.Orientation.Horizontal)
        bar = self.statusBar()
        self.page_label, self.zoom_label, self.count_label, self.model_label = (QLabel(self) for _ in range(4))
        self.legend = Legend(self.thresholds, self)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(220)
        self.progress.setFormat("%v / %m pages")
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self.cancel_work)
        self.cancel_button.hide()
        for widget in (self.page_label, self.zoom_label, self.count_label, self.legend, self.model_label):
            bar.addPermanentWidget(widget)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)

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
        s.selection_changed.connect(self._selection_changed)
        for signal in (s.page_changed, s.line_changed, s.current_page_changed, s.document_reset, s.page_added):
            signal.connect(lambda *_: self.update_status())
        s.document_reset.connect(self.update_title)
        s.document_reset.connect(self._show_welcome_or_page)
        s.page_added.connect(lambda _i: self._show_welcome_or_page())
        s.line_changed.connect(self._line_changed)
        s.page_changed.connect(lambda _i: self._refresh_popup())
        s.undo_stack.cleanChanged.connect(lambda _clean: self.update_title())
        self.view.zoom_changed.connect(lambda _z: self.update_status())
        self.view.zoom_changed.connect(lambda _z: self._refresh_popup())
        self.view.horizontalScrollBar().valueChanged.connect(lambda _v: self._refresh_popup())
        self.view.verticalScrollBar().valueChanged.connect(lambda _v: self._refresh_popup())
        self.view.text_typed.connect(lambda text: self.editor.set_text(text))
        self.view.digit_pressed.connect(lambda n: self.pick_alternative(n - 1))
        self.view.escape_pressed.connect(self.hide_alternatives)
        self.view.box_drawn.connect(self._box_drawn)
        self.popup.chosen.connect(self.pick_alternative)
        self.transcript.line_edited.connect(self.editor.apply_line_text)
        self.line_view.line_edited.connect(self.editor.apply_line_text)
        self.pad.use_text.connect(lambda text: self.editor.set_text(text, advance=False))
        self.welcome.open_requested.connect(self.choose_and_open)
        self.welcome.sample_requested.connect(self.open_sample)
        self.welcome.recent_chosen.connect(lambda path: self.open_paths([path]))
        self.page_tools.done.connect(lambda label: self.statusBar().showMessage(label, 4000))
        self.page_tools.failed.connect(lambda text: show_error(self, "Page operation failed", text))
        r = self.recognition
        r.started.connect(self._run_started)
        r.progress.connect(self._progress)
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

    # -- tasks -----------------------------------------------------------------------------------------
    def start_task(self, task: FunctionTask | RecognitionWorker) -> None:
        """Run a worker on the pool, keeping it alive until it finishes."""
        self._tasks.add(task)
        task.signals.finished.connect(lambda _c, t=task: self._tasks.discard(t))
        self.pool.start(task)

    def busy(self) -> bool:
        return self.recognition.busy

    # -- recognition -----------------------------------------------------------------------------------
    def start_recognition(self, paths: list[Path]) -> None:
        """Load and recognise the pages of ``paths``; they replace the document once the first page loads."""
        self.recognition.open_files(paths)

    def recognize_again(self) -> None:
        """Ctrl+R: recognise the pages not recognised yet, else (after asking) every page again."""
        if self.session.is_empty():
            self.statusBar().showMessage("Open a page first.", 4000)
            return
        if self.busy():
            if self.recognition.cancelling:  # Ctrl+R right after a cancel: run once the worker has stopped
                self._rerun_after_cancel = True
                self.statusBar().showMessage("Recognising the remaining pages once the cancelled run stops…")
            else:
                self.statusBar().showMessage("Recognition is still running (Esc cancels it).", 4000)
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
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        self.actions_.cancel.setEnabled(True)
        self.statusBar().showMessage("Loading the model and recognising…" if not self.service.loaded
                                     else "Recognising…")

    def _document_opened(self) -> None:
        self.view.show_current_page()
        self.transcript.render_page()
        self.update_title()

    def _file_failed(self, path: str, message: str) -> None:
        name = Path(path).name
        reason = message.removeprefix(f"{path}: ")
        others = "" if self.session.is_empty() else "\n\nThe other pages and your corrections are unchanged."
        show_error(self, f"Cannot open {name}", f"{name} could not be opened:\n{reason}{others}")

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    def _worker_finished(self, cancelled: bool) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.actions_.cancel.setEnabled(False)
        pending = len(self.recognition.unrecognised_pages())
        if cancelled:
            text = "Recognition cancelled." + (f" {pending} page(s) not recognised: Ctrl+R recognises them."
                                               if pending else "")
        else:
            text = f"Recognised {len(self.session.document.pages)} page(s)."
        self.statusBar().showMessage(text, 8000)
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
            self.statusBar().showMessage("Cancelling after the current page…")

    def _box_drawn(self, bbox: BBox) -> None:
        """A box was drawn: leave drawing mode, then crop to it or recognise and place it."""
        self.actions_.draw_box.setChecked(False)
        self.view.set_draw_mode(False)
        if self._crop_pending:
            self._crop_pending = False
            self.page_tools.crop(bbox)
        else:
            self.editor.add_box(bbox)

    # -- page operations, find and replace ---------------------------------------------------------------
    def start_crop(self) -> None:
        """Crop: the next rectangle drawn on the page becomes the page."""
        if self.session.is_empty():
            return
        self._crop_pending = True
        self.view.set_draw_mode(True)
        self.statusBar().showMessage("Drag a rectangle around the part of the page to keep.", 6000)

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

    # -- selection and alternatives -------------------------------------------------------------------
    def _selection_changed(self, ref: object) -> None:
        glyph = glyph_at(self.session.document, self.session.selection)
        if glyph is None:
            self.popup.hide()
            self.view.popup_open = False
        elif self.popup.isVisible() or self.view.hasFocus() or not self.transcript.hasFocus():
            self.show_alternatives()
        self.update_status()

    def show_alternatives(self) -> None:
        ref = self.session.selection
        glyph = glyph_at(self.session.document, ref)
        anchor = self.view.glyph_view_rect(ref) if ref is not None else None
        if glyph is None or anchor is None or not glyph.alternatives:
            self.popup.hide()
            self.view.popup_open = False
            return
        self.popup.show_for(glyph, anchor)
        self.view.popup_open = True

    def toggle_alternatives(self) -> None:
        if self.popup.isVisible():
            self.hide_alternatives()
        else:
            self.show_alternatives()

    def hide_alternatives(self) -> None:
        self.popup.hide()
        self.view.popup_open = False

    def _refresh_popup(self) -> None:
        """Keep an open popup beside its glyph (zoom, scroll) and its readings current."""
        if self.popup.isVisible():
            self.show_alternatives()

    def _line_changed(self, ref: LineRef) -> None:
        selection = self.session.selection
        if selection is not None and selection.line_ref == ref:
            self._refresh_popup()

    def pick_alternative(self, index: int) -> None:
        self.editor.pick_alternative(index)
        self.show_alternatives()

    # -- view options -----------------------------------------------------------------------------------
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
        self.legend.set_thresholds(self.thresholds)
        self.view.redraw_boxes()
        self.transcript.render_page()
        self.update_status()

    def show_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            dialog.apply()
            self.apply_thresholds(self.settings.high_threshold, self.settings.low_threshold)
            self.service.configure(self.settings.model_path, self.settings.lexicon, self.settings.dpi)
            self.update_status()

    def update_status(self) -> None:
        pages = len(self.session.document.pages)
        current = self.session.current_page + 1 if pages else 0
        self.page_label.setText(f"page {current}/{pages}")
        self.zoom_label.setText(f"{self.view.zoom:.0%}")
        glyphs = self.session.glyph_count()
        doubtful = self.session.doubtful_count(self.thresholds.low)
        self.count_label.setText(f"{glyphs:,} glyphs · {doubtful} doubtful")
        self.model_label.setText(f"model: {model_display_name(self.service.model_path)}")

    def update_title(self) -> None:
        name = (self.session.project_path or self.session.source_path or Path("untitled")).name
        self.setWindowTitle(f"{name}[*] — Glyphic")
        self.setWindowModified(not self.session.undo_stack.isClean())

    # -- drag and drop -----------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.open_paths(paths))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.confirm_discard("closing"):
            event.ignore()
            return
        self.cancel_work()
        self.autosaver.stop()
        self.pool.waitForDone(30_000)  # no worker may report to a deleted window
        QApplication.processEvents()
        self.autosaver.discard()
        self.settings.sync()
        event.accept()

    def show_about(self) -> None:
        QMessageBox.about(self, "About Glyphic", "Glyphic — OCR for handwritten and printed pages.\n"
                          "Correct what the model got wrong; it learns from your corrections.")
