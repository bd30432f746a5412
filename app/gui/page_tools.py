"""Page operations of the window: rotate, crop, recognise a line or region again (undoable, work on a worker)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.document import BBox, Block, Page
from app.gui.commands import ReplaceBlocksCommand, ReplacePageCommand
from app.gui.page_ops import crop_page, deskew_page, rotate_page
from app.gui.refs import LineRef, line_at
from app.gui.region import line_region, read_region, replace_region
from app.gui.session import PageImageData, Session
from app.gui.workers import FunctionTask, LoadedPage, RecognitionService, make_loaded_page


def _transformed(page: Page, image: np.ndarray, operation: str, argument: object) -> tuple[Page, LoadedPage]:
    """Run a page operation and encode the new image (on a worker)."""
    if operation == "rotate":
        assert isinstance(argument, int)
        new_page, new_image = rotate_page(page, image, argument)
    elif operation == "deskew":
        new_page, new_image = deskew_page(page, image)
    else:
        new_page, new_image = crop_page(page, image, argument)  # type: ignore[arg-type]
    return new_page, make_loaded_page(page.index, new_image, page.dpi, page.source)


class PageTools(QObject):
    """Rotate / crop the session's current page; each is one undo step.

    Signals:
        done(str): the operation landed (its undo label).
        failed(str): it could not be done.
    """

    done = Signal(str)
    failed = Signal(str)

    def __init__(self, session: Session, start_task: Callable[[FunctionTask], None]) -> None:
        super().__init__(session)
        self.session = session
        self.start_task = start_task

    def rotate(self, degrees: int) -> None:
        """Turn the current page clockwise by ``degrees`` (90, 180, 270)."""
        self._run("rotate", degrees, f"Rotate page {self.session.current_page + 1} by {degrees}°")

    def deskew(self) -> None:
        """Level the current page's lines (slope estimated from the ink)."""
        self._run("deskew", None, f"Deskew page {self.session.current_page + 1}")

    def crop(self, box: BBox) -> None:
        """Cut the current page to ``box``."""
        self._run("crop", box, f"Crop page {self.session.current_page + 1}")

    def recognise_region(self, service: RecognitionService, box: BBox, label: str = "") -> None:
        """Read ``box`` of the current page again and put its lines in place of the old ones (one undo step)."""
        index = self.session.current_page
        page, image = self.session.page, self.session.page_image(index)
        if page is None or image is None:
            self.failed.emit("Open a page first.")
            return
        label = label or f"Recognise a region of page {index + 1} again"
        task = FunctionTask(read_region, service, image, box)

        def land(blocks: list[Block]) -> None:
            if index >= len(self.session.document.pages) or self.session.document.pages[index] is not page:
                self.failed.emit(f"{label}: the page changed meanwhile; nothing done.")
                return
            new = replace_region(page, box, blocks)
            self.session.undo_stack.push(ReplaceBlocksCommand(self.session, index, new, label))
            self.done.emit(label)

        task.signals.result.connect(land)
        task.signals.error.connect(self.failed)
        self.start_task(task)

    def recognise_line(self, service: RecognitionService, ref: LineRef) -> None:
        """Read the line ``ref`` again (its box grown a little)."""
        line = line_at(self.session.document, ref)
        page = self.session.page
        if line is None or page is None or ref.page != self.session.current_page:
            self.failed.emit("Select a glyph of the line first.")
            return
        self.recognise_region(service, line_region(line, page), f"Recognise line {ref.line + 1} again")

    def _run(self, operation: str, argument: object, label: str) -> None:
        index = self.session.current_page
        page, image = self.session.page, self.session.page_image(index)
        if page is None or image is None:
            self.failed.emit("Open a page first.")
            return
        task = FunctionTask(_transformed, page, image, operation, argument)

        def land(result: tuple[Page, LoadedPage]) -> None:
            if index >= len(self.session.document.pages) or self.session.document.pages[index] is not page:
                self.failed.emit(f"{label}: the page changed meanwhile; nothing done.")
                return
            new_page, loaded = result
            data = PageImageData(loaded.image, loaded.png, loaded.thumbnail,
                                 recognized=self.session.images[index].recognized)
            self.session.undo_stack.push(ReplacePageCommand(self.session, index, new_page, data, label))
            self.done.emit(label)

        task.signals.result.connect(land)
        task.signals.error.connect(self.failed)
        self.start_task(task)
