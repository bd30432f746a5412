"""Edits a person makes: corrections, alternatives, box merge/split/delete/draw, F3 navigation.

The :class:`Editor` turns user intentions into undo commands. Boxes whose
shape changed are recognised again on a worker first, then the edit lands as
ONE undo step with the new readings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.document import Alternative, BBox, Glyph, Line
from app.gui import edits
from app.gui.commands import ReplaceBlocksCommand, ReplaceLineCommand
from app.gui.refs import GlyphRef, LineRef, glyph_at, line_at, neighbour_glyph, next_doubtful
from app.gui.session import Session
from app.gui.spelling import Spelling
from app.gui.workers import FunctionTask, RecognitionService, predict_crops

Reading = list[tuple[str, float]]


def recognise_boxes(service: RecognitionService, image: np.ndarray, boxes: list[BBox],
                    baseline: float, x_height: float) -> list[Reading]:
    """Top-5 readings of boxes on a page, case decided from the line geometry (runs on a worker)."""
    from app.decode import GlyphGeometry, decide_case
    from app.gui.glyph_crop import page_crops

    crops = page_crops(image, boxes, [baseline] * len(boxes), [x_height] * len(boxes))
    classes, prediction = predict_crops(service, crops)
    readings = []
    for box, idx, probs in zip(boxes, prediction.indices, prediction.probabilities, strict=True):
        geometry = GlyphGeometry(top=box[1], bottom=box[3], baseline=baseline, x_height=x_height) if x_height else None
        readings.append([(decide_case(classes[i], geometry), float(p)) for i, p in zip(idx, probs, strict=True)])
    return readings


class Editor(QObject):
    """Applies edits to the session as undo commands.

    Args:
        session: the document being edited.
        service: recognition service for boxes recognised again.
        start_task: runs a :class:`FunctionTask` on the thread pool.
        doubtful_threshold: returns the confidence below which F3 stops.

    Signals:
        corrected(object): list of (page index, bbox, text, baseline, x_height) a person corrected.
        message(str): a short status message.
        error(str): something failed (shown in a dialog).
    """

    corrected = Signal(object)
    message = Signal(str)
    error = Signal(str)

    def __init__(self, session: Session, service: RecognitionService,
                 start_task: Callable[[FunctionTask], None], doubtful_threshold: Callable[[], float]) -> None:
        super().__init__(session)
        self.session = session
        self.service = service
        self.start_task = start_task
        self.doubtful_threshold = doubtful_threshold
        self.spelling: Spelling | None = None  # set by the window: F3 then also stops at misspelt words

    def _selected(self) -> tuple[GlyphRef, Glyph, Line] | None:
        ref = self.session.selection
        glyph = glyph_at(self.session.document, ref)
        if ref is None or glyph is None:
            self.message.emit("Select a glyph first (click a box or press F3).")
            return None
        line = line_at(self.session.document, ref.line_ref)
        assert line is not None
        return ref, glyph, line

    def _report(self, ref: GlyphRef, line: Line, text: str) -> None:
        glyph = line.words[ref.word].glyphs[ref.glyph]
        self.corrected.emit([(ref.page, glyph.bbox, text, line.baseline, line.x_height)])

    # -- text corrections ----------------------------------------------------------------------------
    def set_text(self, text: str, advance: bool = True) -> None:
        """Replace the selected glyph's text (typing in the page view); moves on to the next glyph."""
        selected = self._selected()
        if selected is None:
            return
        ref, glyph, line = selected
        new = edits.set_glyph_text(line, ref.word, ref.glyph, text)
        following = neighbour_glyph(self.session.document, ref, 1) if advance else ref
        self.session.undo_stack.push(ReplaceLineCommand(
            self.session, ref.line_ref, new, f"Correct “{glyph.text}” → “{text}”", select=following or ref))
        self._report(ref, new, text)

    def pick_alternative(self, index: int) -> None:
        """Choose the selected glyph's alternative ``index`` (0-based)."""
        selected = self._selected()
        if selected is None:
            return
        ref, glyph, line = selected
        if not 0 <= index < len(glyph.alternatives):
            return
        text = glyph.alternatives[index].text
        new = edits.set_glyph_text(line, ref.word, ref.glyph, text)
        self.session.undo_stack.push(ReplaceLineCommand(
            self.session, ref.line_ref, new, f"Choose “{text}” for “{glyph.text}”", select=ref))
        self._report(ref, new, text)

    def apply_line_text(self, ref: LineRef, text: str) -> None:
        """A line's transcription was edited: map it onto the glyphs (one undo step per run of typing)."""
        line = line_at(self.session.document, ref)
        if line is None or line.text == text:
            return
        # map a run of typing from the line as it was before the run: an intermediate state (a word
        # selected and its first letter typed) must not decide where the other letters' boxes are
        stack = self.session.undo_stack
        last = stack.command(stack.index() - 1) if stack.index() > 0 else None
        base = line
        if (isinstance(last, ReplaceLineCommand) and last.merge_typing and last.ref == ref
                and last.new is line and not stack.isClean()):
            base = last.old
        new = edits.apply_line_text(base, text)
        self.session.undo_stack.push(ReplaceLineCommand(
            self.session, ref, new, "Edit text", select=self.session.selection, merge_typing=True))
        old_glyphs = {id(g) for w in line.words for g in w.glyphs}
        changed = [g for w in new.words for g in w.glyphs if g.corrected and id(g) not in old_glyphs]
        self.corrected.emit([(ref.page, g.bbox, g.text, new.baseline, new.x_height) for g in changed])

    # -- navigation --------------------------------------------------------------------------------------
    def next_doubtful(self, backwards: bool = False) -> GlyphRef | None:
        """Select the next (previous) doubtful glyph; returns it (None when there is none)."""
        extra = None
        if self.spelling is not None:
            words = self.spelling.doubtful_words(self.session.document, self.doubtful_threshold())
            extra = {d.ref for d in words if d.reason == "not in the lexicon"}
        ref = next_doubtful(self.session.document, self.session.selection, self.doubtful_threshold(), backwards,
                            extra)
        if ref is None:
            self.message.emit("No doubtful glyphs left.")
        else:
            self.session.select(ref)
        return ref

    # -- boxes ---------------------------------------------------------------------------------------
    def delete_selected(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        ref, glyph, line = selected
        new = edits.delete_glyph(line, ref.word, ref.glyph)
        self.session.undo_stack.push(ReplaceLineCommand(self.session, ref.line_ref, new,
                                                        f"Delete box “{glyph.text}”", select=ref))

    def merge_selected(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        ref, _glyph, line = selected
        new = edits.merge_with_next(line, ref.word, ref.glyph)
        if new is None:
            self.message.emit("Nothing to merge with: the glyph ends its line.")
            return
        self._recognise_then_push(ref.line_ref, line, new, [(ref.word, ref.glyph)], "Merge boxes", ref)

    def split_selected(self, x: int | None = None) -> None:
        selected = self._selected()
        if selected is None:
            return
        ref, _glyph, line = selected
        new = edits.split_glyph(line, ref.word, ref.glyph, x)
        if new is None:
            self.message.emit("This box is too narrow to split.")
            return
        targets = [(ref.word, ref.glyph), (ref.word, ref.glyph + 1)]
        self._recognise_then_push(ref.line_ref, line, new, targets, "Split box", ref)

    def recognise_selected(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        ref, _glyph, line = selected
        self._recognise_then_push(ref.line_ref, line, line, [(ref.word, ref.glyph)], "Recognise box again", ref)

    def add_box(self, bbox: BBox) -> None:
        """A box drawn on the current page: recognise it, then put it in its line (or a new line)."""
        page_index = self.session.current_page
        page = self.session.page
        if page is None:
            return
        glyph = Glyph(bbox=bbox, text="?", confidence=0.0)
        place = edits.line_for_box(page, bbox)
        if place is None:
            blocks, b, i = edits.blocks_with_new_line(page, glyph)
            line = blocks[b].lines[i]
            ref = LineRef(page_index, b, i)

            def push_new_line(new_line: Line) -> None:
                blocks[b].lines[i] = new_line
                self.session.undo_stack.push(ReplaceBlocksCommand(
                    self.session, page_index, blocks, "Draw box", select=GlyphRef(page_index, b, i, 0, 0)))

            self._recognise(line, [(0, 0)], page_index, push_new_line)
            return
        ref = LineRef(page_index, *place)
        old = page.blocks[ref.block].lines[ref.line]
        new, w, g = edits.insert_glyph(old, glyph)
        self._recognise_then_push(ref, old, new, [(w, g)], "Draw box", GlyphRef(page_index, ref.block, ref.line, w, g))

    def _recognise_then_push(self, ref: LineRef, old: Line, new: Line, targets: list[tuple[int, int]],
                             label: str, select: GlyphRef) -> None:
        def push(result: Line) -> None:
            if line_at(self.session.document, ref) is not old:
                self.message.emit(f"{label}: the line changed meanwhile; nothing done.")
                return
            target = GlyphRef(ref.page, ref.block, ref.line, *targets[0])
            self.session.undo_stack.push(ReplaceLineCommand(self.session, ref, result, label,
                                                            select=target if glyph_at_line(result, target) else select))

        self._recognise(new, targets, ref.page, push)

    def _recognise(self, line: Line, targets: list[tuple[int, int]], page: int,
                   done: Callable[[Line], None]) -> None:
        image = self.session.page_image(page)
        if image is None:
            done(line)
            return
        boxes = [line.words[w].glyphs[g].bbox for w, g in targets]
        task = FunctionTask(recognise_boxes, self.service, image, boxes, line.baseline, line.x_height)

        def apply(readings: Any) -> None:
            result = line
            for (w, g), reading in zip(targets, readings, strict=True):
                text, prob = reading[0]
                result = edits.set_glyph_reading(result, w, g, text, prob,
                                                 [Alternative(c, p) for c, p in reading], raw_text=text)
            done(result)

        def failed(message: str) -> None:
            self.error.emit(f"The box could not be recognised:\n{message}")
            done(line)

        task.signals.result.connect(apply)
        task.signals.error.connect(failed)
        self.message.emit("Recognising box…")
        self.start_task(task)


def glyph_at_line(line: Line, ref: GlyphRef) -> bool:
    """True when ``line`` has a glyph at ``ref``'s word/glyph indices."""
    return ref.word < len(line.words) and ref.glyph < len(line.words[ref.word].glyphs)

