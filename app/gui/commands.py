"""Undoable edits (QUndoCommand subclasses). Every change of the document goes through one of these."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from app.document import Block, Line, Page
from app.gui.refs import GlyphRef, LineRef
from app.gui.session import PageImageData, Session

#: Command id of typing in the transcription: consecutive edits of one line merge into one undo step.
TYPING_ID = 1001


class ReplaceLineCommand(QUndoCommand):
    """Swap one line of the document for an edited copy (text corrections, box merge/split/delete...).

    Args:
        session: the session holding the document.
        ref: which line.
        new: the replacement (built by :mod:`app.gui.edits`; never mutated afterwards).
        text: the undo history label.
        select: glyph selected after redo (the previous selection comes back on undo).
        merge_typing: let consecutive typing in the same line merge into this command.
    """

    def __init__(self, session: Session, ref: LineRef, new: Line, text: str,
                 select: GlyphRef | None = None, merge_typing: bool = False) -> None:
        super().__init__(text)
        self.session = session
        self.ref = ref
        self.old = session.document.pages[ref.page].blocks[ref.block].lines[ref.line]
        self.new = new
        self.select_after = select
        self.select_before = session.selection
        self.merge_typing = merge_typing

    def _put(self, line: Line, select: GlyphRef | None) -> None:
        self.session.document.pages[self.ref.page].blocks[self.ref.block].lines[self.ref.line] = line
        self.session.notify_line(self.ref)
        self.session.select(select)

    def redo(self) -> None:
        self._put(self.new, self.select_after)

    def undo(self) -> None:
        self._put(self.old, self.select_before)

    def id(self) -> int:
        return TYPING_ID if self.merge_typing else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, ReplaceLineCommand) or not other.merge_typing or other.ref != self.ref:
            return False
        self.new = other.new
        self.select_after = other.select_after
        return True


class ReplaceBlocksCommand(QUndoCommand):
    """Swap all blocks of a page (new lines, page-wide recognition results)."""

    def __init__(self, session: Session, page: int, new: list[Block], text: str,
                 select: GlyphRef | None = None) -> None:
        super().__init__(text)
        self.session = session
        self.page = page
        self.old = session.document.pages[page].blocks
        self.new = new
        self.select_after = select
        self.select_before = session.selection

    def _put(self, blocks: list[Block], select: GlyphRef | None) -> None:
        self.session.document.pages[self.page].blocks = blocks
        self.session.notify_page(self.page)
        self.session.select(select)

    def redo(self) -> None:
        self._put(self.new, self.select_after)

    def undo(self) -> None:
        self._put(self.old, self.select_before)


class ReplacePageCommand(QUndoCommand):
    """Swap a whole page and its image (rotation, crop)."""

    def __init__(self, session: Session, index: int, page: Page, image: PageImageData, text: str) -> None:
        super().__init__(text)
        self.session = session
        self.index = index
        self.old = (session.document.pages[index], session.images[index])
        self.new = (page, image)
        self.select_before = session.selection

    def _put(self, page: Page, image: PageImageData, select: GlyphRef | None) -> None:
        self.session.document.pages[self.index] = page
        self.session.images[self.index] = image
        self.session.page_image_changed.emit(self.index)
        self.session.notify_page(self.index)
        self.session.select(select)

    def redo(self) -> None:
        self._put(*self.new, None)

    def undo(self) -> None:
        self._put(*self.old, self.select_before)
