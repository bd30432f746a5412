"""Recognition runs of the window: open files into a new document, recognise pages again, cancel.

A new document replaces the current one only once its first page has loaded, so a file that cannot
be opened never throws away the work on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.document import Document, Page
from app.gui.commands import ReplaceBlocksCommand
from app.gui.keep import keep_corrected_words
from app.gui.session import PageImageData, Session
from app.gui.workers import FunctionTask, LoadedPage, RecognitionService, RecognitionWorker


class RecognitionControl(QObject):
    """Starts and follows :class:`RecognitionWorker` runs for a :class:`Session`.

    Signals:
        started(): a run began.
        progress(int, int): pages done, pages in the run.
        finished(bool): the run ended (True when cancelled).
        file_failed(str, str): a file (path) could not be loaded, and why.
        failed(str): the run failed for another reason.
        document_opened(): the first page of newly opened files replaced the document.
    """

    started = Signal()
    progress = Signal(int, int)
    finished = Signal(bool)
    file_failed = Signal(str, str)
    failed = Signal(str)
    document_opened = Signal()

    def __init__(self, session: Session, service: RecognitionService,
                 start_task: Callable[[FunctionTask | RecognitionWorker], None],
                 model_name: Callable[[], str]) -> None:
        super().__init__(session)
        self.session = session
        self.service = service
        self.start_task = start_task
        self.model_name = model_name
        self.worker: RecognitionWorker | None = None
        self._new_source: Path | None = None
        self._keep = False

    @property
    def busy(self) -> bool:
        return self.worker is not None

    @property
    def cancelling(self) -> bool:
        """A run was asked to stop and has not stopped yet."""
        return self.worker is not None and self.worker.cancel.is_set()

    def open_files(self, paths: list[Path]) -> None:
        """Load and recognise ``paths`` as a new document (it replaces the current one on its first page)."""
        self.cancel()
        self._new_source = paths[0] if paths else None
        self._run(RecognitionWorker(self.service, paths=paths))

    def recognise(self, indices: list[int], keep_corrections: bool = False) -> None:
        """Recognise pages ``indices`` again (undoable per page); optionally keep corrected words."""
        images = [(i, img) for i in indices if (img := self.session.page_image(i)) is not None]
        if not images or self.busy:
            return
        self._new_source = None
        self._keep = keep_corrections
        self._run(RecognitionWorker(self.service, images=images))

    def cancel(self) -> None:
        """Ask the running worker to stop after the current page."""
        if self.worker is not None:
            self.worker.cancel.set()

    def unrecognised_pages(self) -> list[int]:
        return [i for i, image in enumerate(self.session.images) if not image.recognized]

    def _run(self, worker: RecognitionWorker) -> None:
        self.worker = worker
        signals = worker.signals
        signals.page_loaded.connect(lambda loaded, w=worker: self._page_loaded(w, loaded))
        signals.page_done.connect(lambda i, page, w=worker: self._page_done(w, i, page))
        signals.page_encoded.connect(lambda i, png, w=worker: self._page_encoded(w, i, png))
        signals.progress.connect(self.progress)
        signals.error.connect(self.failed)
        signals.file_error.connect(self.file_failed)
        signals.finished.connect(lambda cancelled, w=worker: self._finished(w, cancelled))
        self.started.emit()
        self.start_task(worker)

    def _page_loaded(self, worker: RecognitionWorker, loaded: LoadedPage) -> None:
        if worker is not self.worker:
            return
        if self._new_source is not None:  # the first page of newly opened files: now replace the document
            self.session.reset(Document(source=str(self._new_source)), [], source=self._new_source)
            self._new_source = None
            self.document_opened.emit()
        height, width = loaded.image.shape
        page = Page(index=loaded.index, width=width, height=height, dpi=loaded.dpi, source=loaded.source)
        self.session.add_page(page, PageImageData(loaded.image, loaded.png or None, loaded.thumbnail))
        if len(self.session.document.pages) == 1:
            self.session.current_page_changed.emit(0)

    def _page_done(self, worker: RecognitionWorker, index: int, page: Page) -> None:
        if worker is not self.worker or index >= len(self.session.document.pages):
            return
        old = self.session.document.pages[index]
        if self.session.images[index].recognized and old.blocks:
            if self._keep:
                page = keep_corrected_words(old, page)
            self.session.undo_stack.push(ReplaceBlocksCommand(self.session, index, page.blocks,
                                                              f"Recognise page {index + 1} again"))
        else:
            self.session.set_page_result(index, page)
        self.session.images[index].recognized = True
        if not self.session.document.model:
            self.session.document.model = self.model_name()

    def _page_encoded(self, worker: RecognitionWorker, index: int, png: bytes) -> None:
        if worker is self.worker and index < len(self.session.images) and self.session.images[index].png is None:
            self.session.images[index].png = png

    def _finished(self, worker: RecognitionWorker, cancelled: bool) -> None:
        if worker is not self.worker:
            return
        self.worker = None
        self._new_source = None
        self._keep = False
        self.finished.emit(cancelled)
