"""Recognising one line or a rectangle of a page again (Qt-free helpers; the reading runs on a worker)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from app.document import BBox, Block, Line, Page, union_bbox
from app.gui.keep import keep_corrected_words


def _shift(box: BBox, dx: int, dy: int) -> BBox:
    return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)


def read_region(service: Any, image: np.ndarray, box: BBox) -> list[Block]:
    """The blocks the pipeline reads inside ``box`` of the page image, in page coordinates (on a worker)."""
    x0, y0 = max(0, box[0]), max(0, box[1])
    x1, y1 = min(image.shape[1], box[2]), min(image.shape[0], box[3])
    if x1 - x0 < 4 or y1 - y0 < 4:
        raise ValueError("the region is empty")
    page = service.pipeline().recognize_image(np.ascontiguousarray(image[y0:y1, x0:x1]), 0)
    blocks = copy.deepcopy(page.blocks)
    for block in blocks:
        block.bbox = _shift(block.bbox, x0, y0)
        for line in block.lines:
            line.bbox = _shift(line.bbox, x0, y0)
            line.baseline += y0
            for word in line.words:
                word.bbox = _shift(word.bbox, x0, y0)
                for glyph in word.glyphs:
                    glyph.bbox = _shift(glyph.bbox, x0, y0)
    return blocks


def _inside(line: Line, box: BBox) -> bool:
    cx, cy = (line.bbox[0] + line.bbox[2]) / 2, (line.bbox[1] + line.bbox[3]) / 2
    return box[0] <= cx < box[2] and box[1] <= cy < box[3]


def replace_region(page: Page, box: BBox, new_blocks: list[Block], keep_corrections: bool = True) -> list[Block]:
    """The page's blocks with the lines inside ``box`` replaced by ``new_blocks`` (placed by their top edge);
    corrected words of the replaced lines are kept unless ``keep_corrections`` is False."""
    removed: list[Line] = []
    blocks: list[Block] = []
    for block in copy.deepcopy(page.blocks):
        kept = [line for line in block.lines if not _inside(line, box)]
        removed.extend(line for line in block.lines if _inside(line, box))
        if kept:
            block.lines = kept
            block.bbox = union_bbox([ln.bbox for ln in kept])
            blocks.append(block)
    incoming = [b for b in copy.deepcopy(new_blocks) if b.lines]
    if keep_corrections and removed and incoming:
        old = Page(index=page.index, width=page.width, height=page.height, blocks=[Block(box, removed)])
        new = Page(index=page.index, width=page.width, height=page.height, blocks=incoming)
        incoming = keep_corrected_words(old, new).blocks
    for block in incoming:
        for line in block.lines:
            _place(blocks, line)
    return blocks


def _place(blocks: list[Block], line: Line) -> None:
    """Put ``line`` into the block whose span holds it (by its top edge), else into a new block."""
    cy = (line.bbox[1] + line.bbox[3]) / 2
    cx = (line.bbox[0] + line.bbox[2]) / 2
    for block in blocks:
        if block.bbox[1] <= cy <= block.bbox[3] and block.bbox[0] <= cx <= block.bbox[2]:
            position = sum(1 for ln in block.lines if ln.bbox[1] <= line.bbox[1])
            block.lines.insert(position, line)
            block.bbox = union_bbox([block.bbox, line.bbox])
            return
    position = sum(1 for b in blocks if b.bbox[1] <= line.bbox[1])
    blocks.insert(position, Block(bbox=line.bbox, lines=[line]))


def line_region(line: Line, page: Page, margin: float = 0.4) -> BBox:
    """A line's box grown by ``margin`` of its height (so the whole line is read again)."""
    pad = round((line.bbox[3] - line.bbox[1]) * margin)
    return (max(0, line.bbox[0] - pad), max(0, line.bbox[1] - pad),
            min(page.width, line.bbox[2] + pad), min(page.height, line.bbox[3] + pad))
