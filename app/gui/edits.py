"""Pure edit operations on result-model lines (Qt-free).

Every function takes a :class:`app.document.Line` and returns a NEW line (the
input is never changed), so an undo command can keep the old and new versions
and swap them. Boxes are absolute page pixels ``(x0, y0, x1, y1)``.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import replace

from app.document import Alternative, BBox, Block, Glyph, Line, Page, Word, union_bbox


def copy_line(line: Line) -> Line:
    """A deep copy of a line."""
    return copy.deepcopy(line)


def _refresh_boxes(line: Line) -> Line:
    """Drop empty words and recompute word and line boxes from their glyphs."""
    line.words = [w for w in line.words if w.glyphs]
    for word in line.words:
        word.bbox = union_bbox([g.bbox for g in word.glyphs])
    if line.words:
        line.bbox = union_bbox([w.bbox for w in line.words])
    return line


def corrected_glyph(glyph: Glyph, text: str) -> Glyph:
    """``glyph`` with ``text`` set by a person (confidence 1, ``corrected``)."""
    return replace(glyph, text=text, confidence=1.0, corrected=True,
                   alternatives=[Alternative(a.text, a.probability) for a in glyph.alternatives])


def set_glyph_text(line: Line, word: int, glyph: int, text: str) -> Line:
    """Set one glyph's text as a person's correction."""
    new = copy_line(line)
    new.words[word].glyphs[glyph] = corrected_glyph(new.words[word].glyphs[glyph], text)
    return new


def set_glyph_reading(line: Line, word: int, glyph: int, text: str, confidence: float,
                      alternatives: list[Alternative], raw_text: str) -> Line:
    """Give a glyph a fresh machine reading (after its box was recognised again)."""
    new = copy_line(line)
    old = new.words[word].glyphs[glyph]
    new.words[word].glyphs[glyph] = Glyph(bbox=old.bbox, text=text, confidence=confidence,
                                          alternatives=list(alternatives), raw_text=raw_text, corrected=False)
    return new


def delete_glyph(line: Line, word: int, glyph: int) -> Line:
    """Remove a glyph (and its word when it was the last one)."""
    new = copy_line(line)
    del new.words[word].glyphs[glyph]
    return _refresh_boxes(new)


def merge_with_next(line: Line, word: int, glyph: int) -> Line | None:
    """Merge a glyph with the next one on the line (joining words if needed); None at the line's end."""
    new = copy_line(line)
    words = new.words
    first = words[word].glyphs[glyph]
    if glyph + 1 < len(words[word].glyphs):
        second = words[word].glyphs.pop(glyph + 1)
    elif word + 1 < len(words):
        following = words.pop(word + 1)
        second = following.glyphs.pop(0)
        words[word].glyphs.extend(following.glyphs)
    else:
        return None
    words[word].glyphs[glyph] = Glyph(bbox=union_bbox([first.bbox, second.bbox]), text=first.text + second.text,
                                      confidence=min(first.confidence, second.confidence), raw_text=first.raw_text)
    return _refresh_boxes(new)


def split_glyph(line: Line, word: int, glyph: int, x: int | None = None) -> Line | None:
    """Cut a glyph in two at page column ``x`` (its middle by default); None when too narrow."""
    new = copy_line(line)
    old = new.words[word].glyphs[glyph]
    x0, y0, x1, y1 = old.bbox
    cut = (x0 + x1) // 2 if x is None else int(x)
    if not x0 < cut < x1:
        return None
    left_text, right_text = (old.text[:1], old.text[1:]) if len(old.text) > 1 else (old.text, "?")
    left = Glyph(bbox=(x0, y0, cut, y1), text=left_text, confidence=0.0, raw_text=left_text)
    right = Glyph(bbox=(cut, y0, x1, y1), text=right_text, confidence=0.0, raw_text=right_text)
    new.words[word].glyphs[glyph: glyph + 1] = [left, right]
    return _refresh_boxes(new)


def insert_glyph(line: Line, glyph: Glyph) -> tuple[Line, int, int]:
    """Insert a glyph by its x position; returns the new line and the glyph's (word, glyph) indices."""
    new = copy_line(line)
    cx = (glyph.bbox[0] + glyph.bbox[2]) / 2
    for w, word in enumerate(new.words):
        if word.bbox[0] <= cx <= word.bbox[2]:
            g = sum(1 for other in word.glyphs if (other.bbox[0] + other.bbox[2]) / 2 < cx)
            word.glyphs.insert(g, glyph)
            _refresh_boxes(new)
            return new, w, g
    w = sum(1 for word in new.words if (word.bbox[0] + word.bbox[2]) / 2 < cx)
    new.words.insert(w, Word(bbox=glyph.bbox, glyphs=[glyph]))
    _refresh_boxes(new)
    return new, w, 0


def line_for_box(page: Page, bbox: BBox) -> tuple[int, int] | None:
    """(block, line) of the line that overlaps ``bbox`` vertically the most (at least half its height)."""
    best: tuple[int, int] | None = None
    best_overlap = 0.5 * max(1, bbox[3] - bbox[1])
    for b, block in enumerate(page.blocks):
        for i, line in enumerate(block.lines):
            overlap = min(bbox[3], line.bbox[3]) - max(bbox[1], line.bbox[1])
            if overlap > best_overlap:
                best, best_overlap = (b, i), overlap
    return best


def blocks_with_new_line(page: Page, glyph: Glyph) -> tuple[list[Block], int, int]:
    """A copy of the page's blocks with a new one-glyph line for ``glyph``; returns (blocks, block, line)."""
    blocks = copy.deepcopy(page.blocks)
    line = Line(bbox=glyph.bbox, words=[Word(bbox=glyph.bbox, glyphs=[glyph])],
                baseline=float(glyph.bbox[3]), x_height=0.6 * (glyph.bbox[3] - glyph.bbox[1]))
    if not blocks:
        blocks.append(Block(bbox=glyph.bbox, lines=[line]))
        return blocks, 0, 0
    b = min(range(len(blocks)), key=lambda k: _distance(blocks[k].bbox, glyph.bbox))
    i = sum(1 for other in blocks[b].lines if other.bbox[1] < glyph.bbox[1])
    blocks[b].lines.insert(i, line)
    blocks[b].bbox = union_bbox([blocks[b].bbox, glyph.bbox])
    return blocks, b, i


def _distance(a: BBox, b: BBox) -> float:
    dx = max(a[0] - b[2], b[0] - a[2], 0)
    dy = max(a[1] - b[3], b[1] - a[3], 0)
    return float(dx * dx + dy * dy)


def apply_line_text(line: Line, text: str) -> Line:
    """Map an edited transcription of ``line`` back onto its glyphs.

    Characters are aligned with :class:`difflib.SequenceMatcher`: a replaced
    character corrects its glyph, a deleted one shortens (or removes) its glyph,
    an inserted one joins the glyph before it, and spaces re-partition words.
    Glyphs whose text changed are marked ``corrected``.
    """
    old_chars: list[int | None] = []  # glyph number per character of line.text, None for the word spaces
    glyphs = [g for w in line.words for g in w.glyphs]
    n = 0
    for w, word in enumerate(line.words):
        if w:
            old_chars.append(None)
        for glyph in word.glyphs:
            old_chars.extend([n] * len(glyph.text))
            n += 1
    items: list[tuple[int | None, str]] = []  # (glyph number or None to attach, char); char " " is a word break
    matcher = difflib.SequenceMatcher(None, line.text, text, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            items.extend((old_chars[k], " " if old_chars[k] is None else text[j1 + k - i1]) for k in range(i1, i2))
        elif op in ("insert", "replace"):
            owners = [old_chars[k] for k in range(i1, i2) if old_chars[k] is not None]
            for char in text[j1:j2]:
                items.append((None, " ") if char == " " else (owners.pop(0) if owners else None, char))
    return _rebuild_line(line, glyphs, items)


def _rebuild_line(line: Line, glyphs: list[Glyph], items: list[tuple[int | None, str]]) -> Line:
    words: list[list[tuple[int | None, str]]] = [[]]
    for owner, char in items:
        if char == " ":
            if words[-1]:
                words.append([])
            continue
        current = words[-1]
        if current and (owner is None or owner == current[-1][0]):
            current[-1] = (current[-1][0], current[-1][1] + char)
        elif len(current) == 1 and current[0][0] is None and owner is not None:
            current[0] = (owner, current[0][1] + char)  # text typed at a word's start joins its first glyph
        else:
            current.append((owner, char))
    used: set[int] = set()
    new = Line(bbox=line.bbox, baseline=line.baseline, x_height=line.x_height, paragraph_start=line.paragraph_start)
    for parts in words:
        new_glyphs = []
        for owner, chunk in parts:
            if owner is None or owner in used:
                source = glyphs[owner] if owner is not None else (glyphs[-1] if glyphs else None)
                bbox = source.bbox if source is not None else line.bbox
                new_glyphs.append(Glyph(bbox=bbox, text=chunk, confidence=1.0, corrected=True))
                continue
            used.add(owner)
            old = glyphs[owner]
            new_glyphs.append(copy.deepcopy(old) if chunk == old.text else corrected_glyph(old, chunk))
        if new_glyphs:
            new.words.append(Word(bbox=new_glyphs[0].bbox, glyphs=new_glyphs))
    spread = iter(_spread_shared_boxes([g for w in new.words for g in w.glyphs]))
    for word in new.words:
        word.glyphs = [next(spread) for _ in word.glyphs]
    return _refresh_boxes(new)


def _spread_shared_boxes(glyphs: list[Glyph]) -> list[Glyph]:
    """Glyphs that ended up on one box (typed characters with no glyph of their own) share it out:
    the box is cut into equal columns, one per character, so exports place every character."""
    out: list[Glyph] = []
    i = 0
    while i < len(glyphs):
        j = i + 1
        while j < len(glyphs) and glyphs[j].bbox == glyphs[i].bbox:
            j += 1
        run = glyphs[i:j]
        if len(run) > 1:
            x0, y0, x1, y1 = run[0].bbox
            total = sum(max(1, len(g.text)) for g in run)
            width = max(len(run), x1 - x0)
            left, used = x0, 0
            for g in run:
                used += max(1, len(g.text))
                right = x0 + round(width * used / total)
                out.append(replace(g, bbox=(left, y0, max(left + 1, right), y1)))
                left = max(left + 1, right)
        else:
            out.extend(run)
        i = j
    return out
