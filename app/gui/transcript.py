"""The transcription beside the page: one text line per document line, editable, synced with the boxes."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QKeySequence, QTextBlock, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from app.document import Line
from app.gui.confidence import Thresholds, current_line_colour, selection_colour
from app.gui.refs import GlyphRef, LineRef, page_lines
from app.gui.session import Session
from app.gui.spelling import Spelling

Span = tuple[int, int, GlyphRef]  # start, end (in the line's text), glyph


def line_spans(ref: LineRef, line: Line) -> list[Span]:
    """Character span of every glyph in ``line.text``."""
    spans: list[Span] = []
    pos = 0
    for w, word in enumerate(line.words):
        if w:
            pos += 1
        for g, glyph in enumerate(word.glyphs):
            spans.append((pos, pos + len(glyph.text), GlyphRef(ref.page, ref.block, ref.line, w, g)))
            pos += len(glyph.text)
    return spans


class TranscriptEdit(QPlainTextEdit):
    """Editable transcription of the current page.

    Clicking or moving the cursor selects the glyph under it; selecting a glyph
    elsewhere moves the cursor; glyphs below the green threshold are tinted and
    underlined. Edits are reported line by line (``line_edited``) and applied as
    undoable commands by the window; the widget's own undo is off.

    Signals:
        line_edited(object, str): a :class:`LineRef` and its new text.
    """

    line_edited = Signal(object, str)

    def __init__(self, session: Session, thresholds: Thresholds, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.thresholds = thresholds
        self.setUndoRedoEnabled(False)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        font = QFont("DejaVu Sans Mono")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(12)
        self.setFont(font)
        self.setPlaceholderText("The transcription appears here once a page is recognised.")
        self._refs: list[LineRef] = []
        self._spans: list[list[Span]] = []
        self._updating = False
        self.spelling: Spelling | None = None  # set by the window: misspelt words get a red underline
        session.document_reset.connect(self.render_page)
        session.current_page_changed.connect(lambda _i: self.render_page())
        session.page_changed.connect(lambda i: self.render_page() if i == session.current_page else None)
        session.line_changed.connect(self._line_changed)
        session.selection_changed.connect(self._selection_changed)
        self.textChanged.connect(self._text_changed)
        self.cursorPositionChanged.connect(self._cursor_moved)

    # -- model -> text ------------------------------------------------------------------------------
    def render_page(self) -> None:
        """Show the current page's lines."""
        page = self.session.page
        self._refs, self._spans, texts = [], [], []
        if page is not None:
            for ref, line in page_lines(page, self.session.current_page):
                self._refs.append(ref)
                self._spans.append(line_spans(ref, line))
                texts.append(line.text)
        self._updating = True
        try:
            self.setPlainText("\n".join(texts))
        finally:
            self._updating = False
        self._selection_changed(self.session.selection)

    def _line_changed(self, ref: LineRef) -> None:
        if ref.page != self.session.current_page or ref not in self._refs:
            return
        row = self._refs.index(ref)
        line = self.session.document.pages[ref.page].blocks[ref.block].lines[ref.line]
        self._spans[row] = line_spans(ref, line)
        block = self.document().findBlockByNumber(row)
        if block.text() != line.text:
            self._updating = True
            try:
                keep = self.textCursor().position()
                cursor = QTextCursor(block)
                cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
                cursor.insertText(line.text)
                restore = self.textCursor()
                restore.setPosition(min(keep, block.position() + len(line.text)))
                self.setTextCursor(restore)
            finally:
                self._updating = False
        self._refresh_marks()

    def glyph_at_cursor(self) -> GlyphRef | None:
        """The glyph whose text the cursor is in (or just after)."""
        cursor = self.textCursor()
        row, column = cursor.blockNumber(), cursor.positionInBlock()
        if not 0 <= row < len(self._spans):
            return None
        spans = self._spans[row]
        for start, end, ref in spans:
            if start <= column < end:
                return ref
        for start, end, ref in reversed(spans):
            if end == column and end > start:
                return ref
        return None

    def _cursor_moved(self) -> None:
        if self._updating:
            return
        ref = self.glyph_at_cursor()
        if ref is not None:
            self._updating = True
            try:
                self.session.select(ref)
            finally:
                self._updating = False
        self._refresh_marks()

    def _selection_changed(self, ref: GlyphRef | None) -> None:
        if ref is not None and not self._updating and not self.hasFocus():
            span = self._span_of(ref)
            if span is not None:
                row, start, _end = span
                cursor = QTextCursor(self.document().findBlockByNumber(row))
                cursor.setPosition(cursor.position() + start)
                self._updating = True
                try:
                    self.setTextCursor(cursor)
                    self.centerCursor()
                finally:
                    self._updating = False
        self._refresh_marks()

    def _span_of(self, ref: GlyphRef) -> tuple[int, int, int] | None:
        if ref.line_ref not in self._refs:
            return None
        row = self._refs.index(ref.line_ref)
        for start, end, glyph_ref in self._spans[row]:
            if glyph_ref == ref:
                return row, start, end
        return None

    def _refresh_marks(self) -> None:
        """Tint uncertain glyphs, outline the selected one, shade the current line."""
        marks: list[QTextEdit.ExtraSelection] = []
        current = QTextEdit.ExtraSelection()
        current.format.setBackground(current_line_colour(self.palette()))
        current.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        current.cursor = self.textCursor()
        current.cursor.clearSelection()
        marks.append(current)
        page = self.session.page
        selected = self.session.selection
        if page is not None:
            for row, ref in enumerate(self._refs):
                block = self.document().findBlockByNumber(row)
                line = page.blocks[ref.block].lines[ref.line] if ref.page == self.session.current_page else None
                if line is None:
                    continue
                marks.extend(self._spelling_marks(block, row, line))
                for start, end, glyph_ref in self._spans[row]:
                    glyph = line.words[glyph_ref.word].glyphs[glyph_ref.glyph]
                    is_selected = glyph_ref == selected
                    uncertain = self.thresholds.uncertain(glyph.confidence, glyph.corrected)
                    if end == start or not (is_selected or uncertain):
                        continue
                    mark = QTextEdit.ExtraSelection()
                    colour = QColor(self.thresholds.colour(glyph.confidence, glyph.corrected))
                    fmt = QTextCharFormat()
                    if is_selected:
                        fmt.setBackground(selection_colour(self.palette()))
                    else:
                        colour.setAlpha(60)
                        fmt.setBackground(colour)
                        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                        fmt.setUnderlineColor(self.thresholds.colour(glyph.confidence))
                    mark.format = fmt
                    cursor = QTextCursor(block)
                    cursor.setPosition(block.position() + start)
                    cursor.setPosition(block.position() + end, QTextCursor.MoveMode.KeepAnchor)
                    mark.cursor = cursor
                    marks.append(mark)
        self.setExtraSelections(marks)

    def _spelling_marks(self, block: QTextBlock, row: int, line: Line) -> list[QTextEdit.ExtraSelection]:
        """A red dotted underline under the line's words that look misspelt."""
        if self.spelling is None or not self.spelling.ready:
            return []
        marks = []
        spans = self._spans[row]
        for w, word in enumerate(line.words):
            if any(g.corrected for g in word.glyphs) or not self.spelling.suspicious(word.text):
                continue
            word_spans = [(start, end) for start, end, ref in spans if ref.word == w]
            if not word_spans:
                continue
            mark = QTextEdit.ExtraSelection()
            mark.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
            mark.format.setUnderlineColor(QColor(220, 40, 40))
            cursor = QTextCursor(block)
            cursor.setPosition(block.position() + word_spans[0][0])
            cursor.setPosition(block.position() + word_spans[-1][1], QTextCursor.MoveMode.KeepAnchor)
            mark.cursor = cursor
            marks.append(mark)
        return marks

    # -- text -> model ------------------------------------------------------------------------------
    def _text_changed(self) -> None:
        if self._updating:
            return
        page = self.session.page
        if page is None or self.document().blockCount() != len(self._refs):
            self.render_page()  # lines cannot be added or joined from the text: restore them
            return
        for row, ref in enumerate(self._refs):
            text = self.document().findBlockByNumber(row).text()
            if text != page.blocks[ref.block].lines[ref.line].text:
                self.line_edited.emit(ref, text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Undo):
            self.session.undo_stack.undo()
            return
        if event.matches(QKeySequence.StandardKey.Redo):
            self.session.undo_stack.redo()
            return
        cursor = self.textCursor()
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            cursor.movePosition(QTextCursor.MoveOperation.NextBlock)
            self.setTextCursor(cursor)
            return
        spans_lines = cursor.hasSelection() and (
            self.document().findBlock(cursor.selectionStart()).blockNumber()
            != self.document().findBlock(cursor.selectionEnd()).blockNumber())
        edits = bool(event.text()) or key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete)
        if spans_lines and edits and not event.matches(QKeySequence.StandardKey.Copy):
            return
        if not cursor.hasSelection() and (
                (key == Qt.Key.Key_Backspace and cursor.atBlockStart())
                or (key == Qt.Key.Key_Delete and cursor.atBlockEnd())):
            return
        super().keyPressEvent(event)

    def insertFromMimeData(self, source: QMimeData) -> None:
        text = " ".join(source.text().split())
        if text:
            self.textCursor().insertText(text)
