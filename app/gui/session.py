"""The editing session: the one Document, its page images, the selection and the undo stack."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from app.document import Document, Page
from app.gui.refs import GlyphRef, LineRef, clamp_ref, glyph_at, page_glyphs


@dataclass
class PageImageData:
    """A page image as the session keeps it: the pixels and a PNG copy for project files."""

    image: np.ndarray | None = None
    png: bytes | None = None
    thumbnail: np.ndarray | None = None
    recognized: bool = False

    def png_bytes(self) -> bytes:
        """The PNG copy, encoded now if the worker has not delivered it yet."""
        if self.png is None and self.image is not None:
            from app.gui.workers import encode_png

            self.png = encode_png(self.image)
        return self.png or b""

    def pixels(self) -> np.ndarray | None:
        """The grey image, decoded from the PNG copy on first use."""
        if self.image is None and self.png is not None:
            import cv2

            self.image = cv2.imdecode(np.frombuffer(self.png, np.uint8), cv2.IMREAD_GRAYSCALE)
        return self.image


@dataclass
class SessionState:
    """View state saved with a project (``state.json``)."""

    current_page: int = 0
    selection: GlyphRef | None = None
    extra: dict[str, object] = field(default_factory=dict)


class Session(QObject):
    """Owns the document being edited. Views listen to its signals; edits go through ``undo_stack``.

    Signals:
        document_reset: a new document (or project) replaced the old one.
        page_added(int): a page (image, maybe not yet recognised) was appended.
        page_changed(int): a page's content changed (recognition result, structural edit).
        line_changed(object): one line (a :class:`LineRef`) was replaced.
        selection_changed(object): the selected :class:`GlyphRef` (or None).
        current_page_changed(int): another page is shown.
        page_image_changed(int): a page's image was replaced (rotation, crop).
    """

    document_reset = Signal()
    page_added = Signal(int)
    page_changed = Signal(int)
    line_changed = Signal(object)
    selection_changed = Signal(object)
    current_page_changed = Signal(int)
    page_image_changed = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = Document(source="")
        self.images: list[PageImageData] = []
        self.undo_stack = QUndoStack(self)
        self.project_path: Path | None = None
        self.source_path: Path | None = None
        self.current_page = 0
        self.selection: GlyphRef | None = None

    # -- whole-document changes -------------------------------------------------------------
    def reset(self, document: Document, images: list[PageImageData], source: Path | None = None,
              project: Path | None = None, state: SessionState | None = None) -> None:
        """Replace everything (new file or opened project); clears the undo history."""
        self.undo_stack.clear()
        self.document = document
        self.images = images
        self.source_path = source
        self.project_path = project
        state = state or SessionState()
        self.current_page = min(max(0, state.current_page), max(0, len(document.pages) - 1))
        self.selection = clamp_ref(document, state.selection)
        self.document_reset.emit()
        self.current_page_changed.emit(self.current_page)
        self.selection_changed.emit(self.selection)

    def add_page(self, page: Page, image: PageImageData) -> int:
        """Append a page (shown at once; its recognition may come later). Returns its index."""
        self.document.pages.append(page)
        self.images.append(image)
        index = len(self.document.pages) - 1
        self.page_added.emit(index)
        return index

    def set_page_result(self, index: int, page: Page) -> None:
        """Store the recognition result of page ``index`` (not an undoable edit)."""
        page.index = self.document.pages[index].index
        self.document.pages[index] = page
        self.images[index].recognized = True
        self.page_changed.emit(index)
        if self.selection is not None and self.selection.page == index:
            self.select(clamp_ref(self.document, self.selection))

    # -- navigation and selection ------------------------------------------------------------
    def set_current_page(self, index: int) -> None:
        if 0 <= index < len(self.document.pages) and index != self.current_page:
            self.current_page = index
            self.current_page_changed.emit(index)
            if self.selection is not None and self.selection.page != index:
                self.select(None)

    def select(self, ref: GlyphRef | None) -> None:
        """Select a glyph (switching page if needed) or clear the selection."""
        if ref is not None and glyph_at(self.document, ref) is None:
            ref = None
        if ref is not None and ref.page != self.current_page:
            self.current_page = ref.page
            self.current_page_changed.emit(ref.page)
        if ref != self.selection:
            self.selection = ref
            self.selection_changed.emit(ref)

    @property
    def page(self) -> Page | None:
        """The page on screen."""
        pages = self.document.pages
        return pages[self.current_page] if 0 <= self.current_page < len(pages) else None

    def page_image(self, index: int | None = None) -> np.ndarray | None:
        index = self.current_page if index is None else index
        return self.images[index].pixels() if 0 <= index < len(self.images) else None

    def glyph_count(self, index: int | None = None) -> int:
        index = self.current_page if index is None else index
        if not 0 <= index < len(self.document.pages):
            return 0
        return sum(1 for _ in page_glyphs(self.document.pages[index], index))

    def doubtful_count(self, threshold: float, index: int | None = None) -> int:
        index = self.current_page if index is None else index
        if not 0 <= index < len(self.document.pages):
            return 0
        return sum(1 for _, g in page_glyphs(self.document.pages[index], index)
                   if not g.corrected and g.confidence < threshold)

    def is_empty(self) -> bool:
        return not self.document.pages

    def notify_line(self, ref: LineRef) -> None:
        self.line_changed.emit(ref)

    def notify_page(self, index: int) -> None:
        self.page_changed.emit(index)
