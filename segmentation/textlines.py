"""Text lines of a real page for the line recognizer: lines with a slope, a baseline and their own ink.

Works at a reduced scale (pages wider than :data:`segmentation.paper.WORK_WIDTH` px are shrunk), so that
any page takes a bounded time:

1. the paper is flattened (grey divided by its local background: stains, yellowing, uneven light) and
   thresholded below the paper's own spread (textured paper stays paper);
2. rulings (a table's grid, a form's box, long underlines), the torn edges of punch holes
   (:mod:`segmentation.holes`) and ink components much larger than the text (pictures, blots, rules,
   flourishes) are set aside as non-text regions;
3. the remaining ink, blurred along the writing direction and only a little across it, shows each line
   as a ridge; ridges are the line cores, and every ink component goes to the core it overlaps most;
   small print is lined at its own size, also where it was caught in a "tangle" with a seal or strokes;
4. letters joined to a stroke across their line are given back to it, and a table row's cells on either
   side of a column rule are one line;
5. each line gets a straight fit of its slope, a baseline, an x-height, and a block for reading order.

The crops the recognizer reads are cut from the flattened full-resolution page, sheared level, with the
ink of other lines blanked (:func:`app.line_engine.line_crop`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from segmentation.blocks import xy_cut
from segmentation.holes import find_holes, torn_edges
from segmentation.level import Leveller
from segmentation.paper import flatten, ink_thresholds, work_scale, working_scale
from segmentation.preprocess import check_image, to_grey
from segmentation.types import BBox, SegmentOptions

#: Components taller than this many text heights are not text (pictures, flourishes, blots, holes).
MAX_TEXT_HEIGHT = 4.0
#: Horizontal and vertical blur (in text heights) that turns a line's ink into one ridge.
RIDGE_SIGMA_X = 1.5
RIDGE_SIGMA_Y = 0.15
#: A pixel is on a ridge when its blurred ink is at least this share of the strongest nearby across lines.
RIDGE_SHARE = 0.6


@dataclass
class TextLine:
    """A line of text in original page pixels.

    Attributes:
        bbox: box of the line's ink (x0, y0, x1, y1), reaching down to at least the descender zone.
        slope: dy/dx of the line's writing direction.
        baseline: baseline y at the box's horizontal centre.
        x_height: height of the line's core (about the x-height) in pixels.
        band: the ink's top and bottom relative to the baseline, along the slope (top < 0 < bottom).
        block: index of the block (column, paragraph group) in reading order.
    """

    bbox: BBox
    slope: float
    baseline: float
    x_height: float
    band: tuple[float, float] = (0.0, 0.0)
    block: int = 0
    label: int = field(default=0, repr=False)  # the line's number in :attr:`PageLines.owner`


@dataclass
class PageLines:
    """The lines of one page and what the crops are cut from.

    Attributes:
        lines: text lines in reading order.
        nontext: (box, kind) of ink set aside as non-text, original pixels; kind "rule" for ruled lines,
            "graphic" for the rest (pictures, logos, stamps, blots, flourishes, holes).
        paper: the flattened grey page at full resolution (ink dark on white).
        threshold: grey level below which ``paper`` is ink.
        owner: per working-scale pixel, 1 + the index of the line whose ink it is, -1 a graphic, -2 a rule,
            0 none.
        scale: working scale (working pixels per original pixel).
        text_height: typical height of text components in original pixels (0 on a page without text).
    """

    lines: list[TextLine]
    nontext: list[tuple[BBox, str]]
    paper: np.ndarray
    threshold: float
    owner: np.ndarray
    scale: float
    text_height: float


def find_text_lines(image: np.ndarray, max_pixels: int = SegmentOptions.max_pixels) -> PageLines:
    """The text lines of a page image (grey or colour, uint8 or uint16), in reading order."""
    check_image(image, max_pixels)
    grey = to_grey(image)
    scale = work_scale(grey)
    small = working_scale(grey, scale)
    paper, flat = flatten(grey, small)
    threshold = min(ink_thresholds(flat))
    binary = (flat < threshold).astype(np.uint8)
    leveller = Leveller.of(binary)
    level = leveller.level(binary, cv2.INTER_LINEAR)
    ink = (level > 0).astype(np.uint8)
    ruled, vertical = _rulings(ink)
    ink[ruled > 0] = 0  # a table's grid, an underline: rules of their own, the letters they touch are free
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    height = _text_height(_closed_stats(ink), level.shape[0])
    if height <= 0:
        return PageLines([], [], paper, threshold, np.zeros(binary.shape, np.int32), scale, 0.0)
    text, nontext, rules = _classify(stats, height, level.shape)
    labels, stats, added = _add_rulings(labels, stats, ruled)
    text, nontext, rules = _grown(added, (text, False), (nontext, True), (rules, True))
    edges = text & torn_edges(stats, find_holes(small), lambda x, y: (x, leveller.level_y(x, y)))
    text &= ~edges  # the torn edge of a punch hole is no letter
    nontext |= edges
    labels, stats, added, ridges = _cut_bridges(labels, stats, text, height)
    text, nontext, rules, edges = _grown(added, (text, True), (nontext, False), (rules, False), (edges, False))
    line_of, lines = _page_lines(labels, stats, text, height, ridges)
    strokes = nontext & ~rules & ~edges & (stats[:, cv2.CC_STAT_AREA] < STROKE_FILL * stats[:, 2] * stats[:, 3])
    labels, stats, line_of, lines = _reclaim_letters(labels, stats, strokes, line_of, lines, height)
    lines = _join_cells(labels, stats, line_of, lines, vertical)
    text, nontext, rules = _grown(len(stats) - len(text), (text, True), (nontext, False), (rules, False))
    _order(lines)
    renumber = np.zeros(int(line_of.max()) + 1, np.int32)
    for n, line in enumerate(lines):
        renumber[line.label] = n + 1
        line.label = n + 1
    owner = renumber[line_of][labels]
    owner[nontext[labels]] = -1
    owner[rules[labels]] = -2
    owner = leveller.page(owner)
    _to_page(lines, owner, leveller, scale)
    regions = []
    for value, kind in ((-1, "graphic"), (-2, "rule")):
        _, _, found, _ = cv2.connectedComponentsWithStats((owner == value).astype(np.uint8), connectivity=8)
        regions += [(_scaled(box, scale), kind) for box in found[1:, :4]]
    return PageLines(lines, regions, paper, threshold, owner, scale, height / scale)


#: A straight horizontal or vertical run of ink at least this share of the page's longer side is a ruling:
#: a table's grid, a form's box, a long underline; text never draws one.
RULING_SHARE = 0.125
#: Rulings wider and taller than this share of the page are the paper's edge.
PAPER_EDGE = 0.85


def _rulings(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ruling pixels of ``ink`` (uint8, 1 where ink), and the vertical ones among them: long straight
    horizontal and vertical runs, each at most a twentieth as thick as long (not a solid block, nor the
    edge of one), and not round the whole page (the paper's edge in a photo, set aside with what it touches
    as before)."""
    length = max(3, int(RULING_SHARE * max(ink.shape)))
    ruled = np.zeros_like(ink)
    for kernel, along in (((1, length), cv2.CC_STAT_WIDTH), ((length, 1), cv2.CC_STAT_HEIGHT)):
        runs = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones(kernel, np.uint8))
        _, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
        across = cv2.CC_STAT_HEIGHT + cv2.CC_STAT_WIDTH - along
        thin = stats[:, across] * 20 <= stats[:, along]
        thin[0] = False
        ruled |= thin[labels].astype(np.uint8) << (along == cv2.CC_STAT_HEIGHT)  # bit 1: vertical
    _, labels, stats, _ = cv2.connectedComponentsWithStats((ruled > 0).astype(np.uint8), connectivity=8)
    edge = ((stats[:, cv2.CC_STAT_WIDTH] > PAPER_EDGE * ink.shape[1])
            & (stats[:, cv2.CC_STAT_HEIGHT] > PAPER_EDGE * ink.shape[0]))
    edge[0] = True
    ruled[edge[labels]] = 0
    return (ruled > 0).astype(np.uint8), ruled >> 1


def _grown(added: int, *masks: tuple[np.ndarray, bool]) -> list[np.ndarray]:
    """Each mask over component labels grown by ``added`` new components, all of the value paired with it."""
    return [np.concatenate([mask, np.full(added, value)]) for mask, value in masks]


def _add_rulings(labels: np.ndarray, stats: np.ndarray, ruled: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """``labels`` and ``stats`` with the components of the ``ruled`` pixels after the others (``labels`` is
    changed in place), and their number."""
    count, ruling, found, _ = cv2.connectedComponentsWithStats(ruled, connectivity=8)
    if count <= 1:
        return labels, stats, 0
    labels[ruling > 0] = ruling[ruling > 0] + len(stats) - 1
    return labels, np.concatenate([stats, found[1:].astype(stats.dtype)]), count - 1


def _page_lines(labels: np.ndarray, stats: np.ndarray, text: np.ndarray, height: float,
                ridges: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, list[TextLine]]:
    """The line of every component label (0 for none) and the lines: each size group's (the small print
    that the main text's lines do not hold joins the small print's group), then the pieces of one line that
    the groups split joined (a title whose small letters were taken for small print). ``ridges`` are those
    of all the text, which a page of one size group uses again."""
    line_of = np.zeros(len(stats), np.int64)
    lines: list[TextLine] = []
    groups = _size_groups(labels, stats, text, height)
    for n, (group, size) in enumerate(groups):
        group_of, group_lines = _group_lines(labels, stats, group, size, offset=int(line_of.max()) + 1,
                                             ridges=ridges if len(groups) == 1 else None)
        loose = _loose_print(stats, group_of, group_lines, size, len(groups) > 1) if n == 0 else None
        if loose is not None:  # lined with the other small print, after this group
            group_of[loose] = 0
            group_lines = _describe(group_of[labels], stats, group_of, size)
            small = loose | groups[1][0] if len(groups) > 1 else loose
            groups[1:] = [(small, _text_height(stats[small], labels.shape[0]))]
        if n > 0:  # small print is words and rows: a piece about as wide as tall is specks of an ornament
            narrow = [line.label for line in group_lines
                      if line.bbox[2] - line.bbox[0] < SMALL_PIECE * (line.bbox[3] - line.bbox[1])]
            group_of[np.isin(group_of, narrow)] = 0
            group_lines = [line for line in group_lines if line.label not in narrow]
        line_of[group] = group_of[group]
        lines += group_lines
    if len(groups) > 1 and _join_pieces(lines, line_of):
        lines = _described_again(labels, stats, line_of, lines, min(size for _, size in groups))
    return line_of, lines


#: A non-text component with at most this share of its box inked is drawn in strokes (a pencil note, a
#: flourish), which may run through the letters of a line.
STROKE_FILL = 0.2
#: The rows of a line's letters, in x-heights above and below its baseline (a capital or an ascender, the
#: upper part of a descender), where a stroke's ink may be letters.
LETTER_ROWS = (1.5, 0.3)
#: A piece of a stroke may be letters only when its ink covers at least this many x-heights of the line's
#: core (a rule crossing the line covers a stroke's width of it).
CORE_INK = 0.5


def _reclaim_letters(labels: np.ndarray, stats: np.ndarray, strokes: np.ndarray, line_of: np.ndarray,
                     lines: list[TextLine],
                     height: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[TextLine]]:
    """Letters joined to a stroke across their line, given back to the line: the ``strokes`` components'
    ink on a line's letter rows, in pieces inside its span or continuing it within a word space of its ends
    (tangles, many text ``height`` tall, take none). Returns labels (changed in place), stats and line of
    each component with the pieces as new components, and the lines with the changed ones described again
    (and joined to their neighbours where the pieces close the gap)."""
    parts: list[np.ndarray] = []
    owners: list[int] = []
    for line in lines:
        if line.x_height > TANGLE * height:
            continue
        x0, _, x1, _ = line.bbox
        tilt = abs(line.slope) * (x1 - x0) / 2
        y0 = max(0, int(line.baseline - LETTER_ROWS[0] * line.x_height - tilt))
        y1 = int(np.ceil(line.baseline + LETTER_ROWS[1] * line.x_height + tilt))
        reach = WORD_REACH * max(line.x_height, 1.0)
        rows = labels[y0:y1]
        near = np.unique(rows[:, max(0, int(x0 - reach)):int(x1 + reach) + 1])
        near = near[near < len(strokes)]  # not the pieces already cut
        for comp in near[strokes[near]]:
            _, pieces, boxes, _ = cv2.connectedComponentsWithStats((rows == comp).astype(np.uint8), connectivity=8)
            lettered = np.flatnonzero(_core_widths(pieces, line, y0) >= CORE_INK * line.x_height)
            for piece in lettered[_continuing(boxes[lettered, :4], x0, x1, reach)]:
                ys, xs = np.nonzero(pieces == piece)
                rows[ys, xs] = len(stats) + len(parts)
                parts.append(_pixel_stats(xs, ys + y0))
                owners.append(line.label)
    if not parts:
        return labels, stats, line_of, lines
    stats = np.concatenate([stats, np.array(parts, stats.dtype)])
    line_of = np.concatenate([line_of, np.array(owners, line_of.dtype)])
    changed = np.where(np.isin(line_of, owners), line_of, 0)
    described = {line.label: line for line in _describe(changed[labels], stats, changed, 1.0)}  # drop none
    lines = [described.get(line.label, line) for line in lines]
    if _join_pieces(lines, line_of):  # a word that the stroke kept apart from its line joins it
        lines = _described_again(labels, stats, line_of, lines, 1.0)
    return labels, stats, line_of, lines


#: Cells of a table row are joined across a vertical ruling that crosses at least this share of both
#: cells' rows.
CELL_RULE = 0.8


def _join_cells(labels: np.ndarray, stats: np.ndarray, line_of: np.ndarray, lines: list[TextLine],
                vertical: np.ndarray) -> list[TextLine]:
    """The lines with the cells of each table row joined: level pieces of one size with a vertical ruling
    between them (a grid's column rule) are one row, however wide the cells (``line_of`` is changed in
    place)."""
    if not vertical.any():
        return lines
    pieces = sorted(lines, key=lambda line: line.bbox[0])
    joined = False
    for n, a in enumerate(pieces):
        for b in pieces[n + 1:]:
            top, bottom = max(a.bbox[1], b.bbox[1]), min(a.bbox[3], b.bbox[3])
            if b.bbox[0] <= a.bbox[2] or bottom <= top or a.label == b.label:
                continue
            if not (_one_size(a, b) and _level(a, b, 0.2)):
                continue
            between = vertical[top:bottom, a.bbox[2]:b.bbox[0]]
            if between.size and (between.mean(axis=0) >= CELL_RULE).any():
                line_of[line_of == b.label] = a.label
                b.label = a.label
                joined = True
    return _described_again(labels, stats, line_of, lines, 1.0) if joined else lines


def _core_widths(pieces: np.ndarray, line: TextLine, top: int) -> np.ndarray:
    """Per label of ``pieces`` (an image of labels whose first row is page row ``top``), how many of its
    columns have ink on the line's core, the x-height above its baseline."""
    ys, xs = np.nonzero(pieces)
    above = line.baseline + line.slope * (xs - (line.bbox[0] + line.bbox[2]) / 2) - (ys + top)
    core = (above >= 0) & (above <= line.x_height)
    keys = np.unique(pieces[ys[core], xs[core]].astype(np.int64) * pieces.shape[1] + xs[core])
    return np.bincount(keys // pieces.shape[1], minlength=int(pieces.max()) + 1)


def _continuing(boxes: np.ndarray, left: float, right: float, reach: float) -> np.ndarray:
    """Indices of the boxes (x, y, w, h) inside ``left``..``right`` or continuing it, each within ``reach``
    of the span grown by the ones before."""
    taken = [n for n, box in enumerate(boxes) if box[0] >= left and box[0] + box[2] <= right]
    for n in np.argsort(boxes[:, 0]):  # rightwards
        if boxes[n, 0] + boxes[n, 2] > right and boxes[n, 0] <= right + reach:
            taken.append(int(n))
            right = boxes[n, 0] + boxes[n, 2]
    for n in np.argsort(-(boxes[:, 0] + boxes[:, 2])):  # leftwards
        if boxes[n, 0] < left and boxes[n, 0] + boxes[n, 2] >= left - reach and n not in taken:
            taken.append(int(n))
            left = boxes[n, 0]
    return np.array(sorted(set(taken)), np.int64)


#: A line whose core is more than this many text heights tall is a tangle, no line: ink of several lines
#: and pictures joined through a seal, a logo or strokes across the text.
TANGLE = 2.0
#: At least this many small letters caught in tangles are small print, lined on its own.
TANGLED_PRINT = 8
#: A line of small print is at least this many times as wide as tall (two letters).
SMALL_PIECE = 1.5


def _loose_print(stats: np.ndarray, line_of: np.ndarray, lines: list[TextLine], height: float,
                 small_print: bool) -> np.ndarray | None:
    """Mask of the small print that the main text's lines do not hold, or None when there is none: print
    caught in tangles (beside a seal or crossed by pencil strokes, taken for one line with them) and, on a
    page with small print (``small_print``, or print in tangles), small letters left without a line at the
    main text's size (a word that is one component, too small to be a line at that size)."""
    heights = stats[:, cv2.CC_STAT_HEIGHT]
    small = (heights < SMALL_TEXT * height) & (heights >= 0.2 * SMALL_TEXT * height)
    tangles = [line.label for line in lines if line.x_height > TANGLE * height]
    loose = small & np.isin(line_of, tangles)
    if loose.sum() < TANGLED_PRINT:
        loose[:] = False
    if small_print or loose.any():
        loose |= small & (line_of > 0) & ~np.isin(line_of, [line.label for line in lines])
    return loose if loose.any() else None


def _group_lines(labels: np.ndarray, stats: np.ndarray, text: np.ndarray, height: float, offset: int,
                 ridges: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, list[TextLine]]:
    """The lines of the ``text`` components of one size; line labels start at ``offset``. ``ridges``: the
    ridges of this text when already known."""
    cores, core_stats = ridges if ridges is not None else _ridges(text[labels], height)
    line_of = _assign(labels, stats, text, cores, core_stats, height)
    line_of[line_of > 0] += offset
    lines = _describe(line_of[labels], stats, line_of, height)
    for _ in range(3):
        if not _join_pieces(lines, line_of):
            break
        lines = _describe(line_of[labels], stats, line_of, height)
    return line_of, lines


#: Text at most this share of the page's text height, in a region of its own, is small print
#: (letterhead columns, footnotes), whose lines are found at its own scale.
SMALL_TEXT = 0.5


#: A component is on a line's core when at least this share of its most overlapped core's ink is.
SHARED = 0.25
#: A core at least this many text heights long is a line's; a shorter one is one word's or one stroke's
#: (its ink's width and about four text heights of blur: a capital's flourish, a word between the lines).
LINE_RIDGE = 8.0
#: A component is cut between two lines' cores only where it runs along each of them for at least this
#: many text heights (an ascender, a descender's loop or a t-bar crosses a core over less).
BRIDGE_LENGTH = 1.0


def _cut_bridges(labels: np.ndarray, stats: np.ndarray, text: np.ndarray,
                 height: float) -> tuple[np.ndarray, np.ndarray, int, tuple[np.ndarray, np.ndarray]]:
    """Text components on the cores of two lines one above the other (a loop of one line run into the
    letters of the next) cut between the lines: each pixel goes to the nearest of those cores in its
    column. Returns the labels and stats with the cut-off parts as new components after the others, their
    number (``labels`` is changed in place), and the text's ridges (the cut moves no ink)."""
    cores, core_stats = _ridges(text[labels], height)
    inked = (cores > 0) & text[labels]
    comps, core_of, counts, where, best = _overlaps(labels, cores, inked, len(stats))
    columns = np.nonzero(inked)[1]
    left, right = np.full(len(comps), labels.shape[1]), np.zeros(len(comps), np.int64)
    np.minimum.at(left, where, columns)
    np.maximum.at(right, where, columns)
    keep = ((counts >= SHARED * best[comps]) & (right - left >= BRIDGE_LENGTH * height)
            & (core_stats[core_of, cv2.CC_STAT_WIDTH] >= LINE_RIDGE * height))
    comps, core_of, counts = comps[keep], core_of[keep], counts[keep]
    stats = stats.copy()
    parts: list[np.ndarray] = []
    for comp in np.unique(comps[1:][comps[1:] == comps[:-1]]):
        mine = comps == comp
        on = core_of[mine][np.argsort(-counts[mine], kind="stable")]  # the most overlapped core first
        if not _stacked(core_stats[on]):
            continue
        x, y, w, h = (int(v) for v in stats[comp, :4])
        box = labels[y:y + h, x:x + w]
        ys, xs = np.nonzero(box == comp)
        rows = np.array([_core_middle(cores[:, x:x + w], core) for core in on])
        nearest = np.abs(rows[:, xs] - (ys + y)).argmin(axis=0)
        stats[comp] = _pixel_stats(x + xs[nearest == 0], y + ys[nearest == 0])
        for n in range(1, len(on)):
            if (nearest == n).any():
                box[ys[nearest == n], xs[nearest == n]] = len(stats) + len(parts)
                parts.append(_pixel_stats(x + xs[nearest == n], y + ys[nearest == n]))
    if not parts:
        return labels, stats, 0, (cores, core_stats)
    return labels, np.concatenate([stats, np.array(parts, stats.dtype)]), len(parts), (cores, core_stats)


def _overlaps(labels: np.ndarray, cores: np.ndarray, inked: np.ndarray,
              count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """How the ``inked`` pixels' components lie on the cores: (component, core) pairs, each pair's pixels,
    each ``inked`` pixel's pair index, and per component label (``count`` of them) its largest overlap."""
    n_cores = int(cores.max()) + 1
    keys, where, counts = np.unique(labels[inked].astype(np.int64) * n_cores + cores[inked], return_inverse=True,
                                    return_counts=True)
    comps = keys // n_cores
    best = np.zeros(count, np.int64)
    np.maximum.at(best, comps, counts)
    return comps, keys % n_cores, counts, where, best


def _pixel_stats(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Component stats (x, y, w, h, area) of these pixels (all zero for none)."""
    if not len(xs):
        return np.zeros(5, np.int64)
    return np.array([xs.min(), ys.min(), np.ptp(xs) + 1, np.ptp(ys) + 1, len(xs)])


def _stacked(boxes: np.ndarray) -> bool:
    """Whether some of these core boxes (x, y, w, h) lie one above the other rather than side by side."""
    top, bottom = boxes[:, 1], boxes[:, 1] + boxes[:, 3]
    common = np.minimum(bottom[:, None], bottom[None, :]) - np.maximum(top[:, None], top[None, :])
    return bool((common < 0.5 * np.minimum(boxes[:, 3][:, None], boxes[:, 3][None, :])).any())


def _core_middle(cores: np.ndarray, core: int) -> np.ndarray:
    """Per column of ``cores`` (an image of core labels), the middle row of ``core`` (interpolated where
    the core is absent)."""
    ys, xs = np.nonzero(cores == core)
    sums = np.bincount(xs, weights=ys, minlength=cores.shape[1])
    hits = np.bincount(xs, minlength=cores.shape[1])
    present = np.flatnonzero(hits)
    return np.interp(np.arange(cores.shape[1]), present, sums[present] / hits[present])


def _size_groups(labels: np.ndarray, stats: np.ndarray, text: np.ndarray,
                 height: float) -> list[tuple[np.ndarray, float]]:
    """The text components split into the page's main text and small print in regions of its own,
    each with its text height."""
    heights = stats[:, cv2.CC_STAT_HEIGHT]
    small = text & (heights < SMALL_TEXT * height)
    if small.sum() < 20:
        return [(text, height)]
    step = max(1, int(height / 2))  # the densities are smooth: measured on a coarse grid
    shape = (max(1, labels.shape[1] // step), max(1, labels.shape[0] // step))

    def density(mask: np.ndarray) -> np.ndarray:
        coarse = cv2.resize(mask[labels].astype(np.float32), shape, interpolation=cv2.INTER_AREA)
        return cv2.GaussianBlur(coarse, (0, 0), 2 * height / step)

    region = density(small) > 2 * density(text & ~small) + 1e-3
    centre_x = np.clip((stats[:, 0] + stats[:, 2] // 2) // step, 0, shape[0] - 1)
    centre_y = np.clip((stats[:, 1] + stats[:, 3] // 2) // step, 0, shape[1] - 1)
    in_print = small & region[centre_y, centre_x]
    if in_print.sum() < 20:
        return [(text, height)]
    return [(text & ~in_print, height), (in_print, _text_height(stats[in_print], labels.shape[0]))]


def _label_boxes(owner: np.ndarray, count: int) -> np.ndarray:
    """(count, 4) boxes (x0, y0, x1, y1) of labels 1..count in ``owner`` (x0 > x1 for an absent label)."""
    ys, xs = np.nonzero(owner > 0)
    ids = owner[ys, xs] - 1
    boxes = np.empty((count, 4), np.int64)
    boxes[:, :2] = np.iinfo(np.int64).max
    boxes[:, 2:] = -1
    np.minimum.at(boxes[:, 0], ids, xs)
    np.minimum.at(boxes[:, 1], ids, ys)
    np.maximum.at(boxes[:, 2], ids, xs + 1)
    np.maximum.at(boxes[:, 3], ids, ys + 1)
    return boxes


#: A line's box reaches at least this many x-heights below its baseline (the descender zone), also on a
#: line without descenders.
DESCENDER_ROOM = 0.4


def _to_page(lines: list[TextLine], owner: np.ndarray, leveller: Leveller, scale: float) -> None:
    """Lines found in the level (sheared, working-scale) frame, in original page pixels."""
    boxes = _label_boxes(owner, len(lines))
    for line, box in zip(lines, boxes, strict=True):
        centre = (line.bbox[0] + line.bbox[2]) / 2
        lift = leveller.page_y(centre, line.baseline) - line.baseline
        line.slope += leveller.slope(line.baseline)
        line.baseline = (line.baseline + lift) / scale
        line.x_height /= scale
        line.band = (line.band[0] / scale, line.band[1] / scale)
        if box[2] <= box[0]:  # the line's ink did not survive the way back: keep its level box
            box = np.array(line.bbox, np.float64) + np.array([0.0, lift, 0.0, lift])
        x0, y0, x1, y1 = _scaled(np.array([box[0], box[1], box[2] - box[0], box[3] - box[1]]), scale)
        low = max(_baseline_at(line, x0), _baseline_at(line, x1)) + DESCENDER_ROOM * line.x_height
        line.bbox = (x0, y0, x1, int(min(max(y1, np.ceil(low)), owner.shape[0] / scale)))


def _closed_stats(ink: np.ndarray) -> np.ndarray:
    """Component stats of ``ink`` (uint8, non-zero where ink) with gaps of up to two pixels closed: faint
    or dotted print that thresholding broke into specks counts by its letters' heights."""
    closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    return cv2.connectedComponentsWithStats(closed, connectivity=8)[2][1:]


def _text_height(stats: np.ndarray, page_height: int) -> float:
    """Typical height of the components that may be characters or words (0 when there are none): the
    median by ink, so that a few large words count more than many broken pieces and dots; solid shapes
    well above the plain median (a logo, a blot) are left out."""
    heights = stats[:, cv2.CC_STAT_HEIGHT]
    areas = stats[:, cv2.CC_STAT_AREA]
    usable = (areas >= 12) & (heights >= 4) & (heights < page_height / 2)
    if not usable.any():
        return 0.0
    fill = areas / np.maximum(1, heights * stats[:, cv2.CC_STAT_WIDTH])
    usable &= (fill < 0.45) | (heights <= 2 * np.median(heights[usable]))
    order = np.argsort(heights[usable])
    weights = np.cumsum(areas[usable][order])
    return float(heights[usable][order][np.searchsorted(weights, weights[-1] / 2)])


def _classify(stats: np.ndarray, height: float,
              shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masks over component labels: text ink, non-text ink, and the ruled lines among the latter (label 0,
    the background, is none of them)."""
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    area = stats[:, cv2.CC_STAT_AREA]
    big = h > MAX_TEXT_HEIGHT * height
    rule = (w > 15 * height) & (h < 0.6 * height) & (area > 0.5 * w * h)  # a ruled line: long, thin, solid
    solid = (area > 0.6 * w * h) & (w > 1.5 * height) & (h > 1.5 * height)  # blots and filled shapes
    edge = (stats[:, 0] == 0) | (stats[:, 1] == 0) | (stats[:, 0] + w == shape[1]) | (stats[:, 1] + h == shape[0])
    speck = area < max(4.0, 0.02 * height * height)
    nontext = big | rule | solid | (edge & (h > 2 * height))
    text = ~nontext & ~speck & (np.arange(len(stats)) > 0)
    nontext[0] = False
    return text, nontext, rule & nontext


def _ridges(ink: np.ndarray, height: float) -> tuple[np.ndarray, np.ndarray]:
    """Labels and stats of the line ridges: ink blurred along the line, the part near the strongest across
    lines."""
    step = max(1, int(height / 12))  # large writing: the ridges found on a coarser grid, same shape
    coarse: np.ndarray = ink.astype(np.float32)
    if step > 1:
        coarse = cv2.resize(coarse, (max(1, ink.shape[1] // step), max(1, ink.shape[0] // step)),
                            interpolation=cv2.INTER_AREA)
    size = height / step
    density = cv2.GaussianBlur(coarse, (0, 0), sigmaX=RIDGE_SIGMA_X * size, sigmaY=RIDGE_SIGMA_Y * size)
    reach = max(3, int(2 * size)) | 1
    strongest = cv2.dilate(density, np.ones((reach, 1), np.uint8))
    ridge: np.ndarray = ((density >= RIDGE_SHARE * strongest) & (density > 0.03)).astype(np.uint8)
    if step > 1:
        ridge = cv2.resize(ridge, (ink.shape[1], ink.shape[0]), interpolation=cv2.INTER_NEAREST)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ridge, connectivity=8)
    return labels, stats


def _assign(labels: np.ndarray, stats: np.ndarray, text: np.ndarray, cores: np.ndarray,
            core_stats: np.ndarray, height: float) -> np.ndarray:
    """For every component label, the line (core label, 0 for none) whose core it overlaps most; a
    component on a line's core and on a short core of its own (a capital's flourish) goes with the line.

    Side-by-side cores that share a component which overlaps each of them substantially become one line
    (a long word drawn across two ridge pieces). A small mark on no core or on a core of marks only (a quote,
    an apostrophe, an accent, the dot of an i) belongs to the core just below it; any other text component
    on no core is a line of its own."""
    count = len(stats)
    n_cores = int(cores.max()) + 1
    comps, core_of, counts, _, best = _overlaps(labels, cores, (labels > 0) & (cores > 0), count)
    parent = np.arange(n_cores)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return int(i)

    shared = text[comps] & (counts >= SHARED * best[comps])
    first: dict[int, int] = {}
    for comp, core in zip(comps[shared].tolist(), core_of[shared].tolist(), strict=True):
        other = first.setdefault(comp, core)
        if other != core and not _stacked(core_stats[[core, other]]):
            parent[root(core)] = root(other)
    roots = np.array([root(i) for i in range(n_cores)])
    keys, merged = np.unique(comps * n_cores + roots[core_of], return_inverse=True)
    counts = np.bincount(merged, weights=counts)  # a component's ink on each line (its cores together)
    comps, core_of = keys // n_cores, keys % n_cores
    long = np.zeros(n_cores, bool)  # lines, not a ridge of a capital's flourish or of a word between lines
    np.logical_or.at(long, roots, core_stats[:, cv2.CC_STAT_WIDTH] >= LINE_RIDGE * height)
    order = np.lexsort((counts, long[core_of], comps))  # by component; a line it touches, most overlap, last
    line_of = np.zeros(count, np.int64)
    line_of[comps[order]] = core_of[order]
    line_of[~text] = 0
    sizes = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    biggest = np.zeros(n_cores, np.int64)
    np.maximum.at(biggest, line_of[text], sizes[text])
    marks_only = biggest <= MARK_SIZE * height  # cores of no line of their own
    marks_only[0] = True  # components on no core: each is tried as a mark, by its own size
    marks = np.flatnonzero(text & marks_only[line_of])
    if len(marks):
        lines = np.where(marks_only[roots], 0, roots)[cores]
        for comp in marks:
            line = _line_below(lines, stats[comp], height)
            if line:
                line_of[comp] = line
    alone = np.flatnonzero(text & (line_of == 0))
    line_of[alone] = n_cores + np.arange(len(alone))
    return line_of


#: A mark at most this many text heights tall and wide may sit above its line's core (the ridge of its
#: ink blurred along the line), at most MARK_REACH text heights above it.
MARK_SIZE = 0.5
MARK_REACH = 0.5


def _line_below(lines: np.ndarray, box: np.ndarray, height: float) -> int:
    """The line whose core (an image of line labels) lies just below a small mark's box (0 for none, or
    when the box is no mark)."""
    x, y, w, h = (int(v) for v in box[:4])
    if max(w, h) > MARK_SIZE * height:
        return 0
    below = lines[y + h: y + h + int(MARK_REACH * height) + 1, x: x + w]
    rows = np.flatnonzero(below.any(axis=1))
    if not len(rows):
        return 0
    found = below[rows[0]]
    return int(np.bincount(found[found > 0]).argmax())


def _described_again(labels: np.ndarray, stats: np.ndarray, line_of: np.ndarray, lines: list[TextLine],
                     height: float) -> list[TextLine]:
    """The lines that ``lines`` label after some were joined (``line_of`` relabelled), described again from
    their components; ``height`` as for :func:`_describe` (1.0 keeps every line)."""
    kept = np.where(np.isin(line_of, [line.label for line in lines]), line_of, 0)
    return _describe(kept[labels], stats, kept, height)


def _describe(owner: np.ndarray, stats: np.ndarray, line_of: np.ndarray, height: float) -> list[TextLine]:
    """A :class:`TextLine` for every line label with enough ink (working pixels)."""
    lines = []
    for label in np.unique(line_of[line_of > 0]):
        members = np.flatnonzero(line_of == label)
        boxes = stats[members, :4].astype(np.float64)
        x0, y0 = boxes[:, 0].min(), boxes[:, 1].min()
        x1, y1 = (boxes[:, 0] + boxes[:, 2]).max(), (boxes[:, 1] + boxes[:, 3]).max()
        if y1 - y0 < 0.4 * height and x1 - x0 < 1.5 * height:
            continue  # a dot or a dash on its own
        ys, xs = np.nonzero(owner[int(y0):int(y1), int(x0):int(x1)] == label)
        xs, ys = xs + x0, ys + y0
        slope, centre, core = _fit(xs, ys, x0, x1)
        middle = (x0 + x1) / 2
        bottoms = boxes[:, 1] + boxes[:, 3] - slope * (boxes[:, 0] + boxes[:, 2] / 2 - middle)
        body = (boxes[:, 3] >= 0.4 * core) & (boxes[:, 3] <= 1.6 * max(core, 1.0))
        baseline = float(np.median(bottoms[body])) if body.any() else centre
        if baseline <= centre:  # no letters' feet below the ink's middle: the core's lower edge
            baseline = centre + core / 2
        level = ys - slope * (xs - middle) - baseline
        x_height = max(2.0, 2 * (baseline - centre))  # the ink's middle row lies about half an x-height up
        band = _band(level, x_height)
        lines.append(TextLine(bbox=(int(x0), int(y0), int(x1), int(y1)), slope=slope, baseline=baseline,
                              x_height=x_height, band=band, label=int(label)))
    return lines


#: A line's crop reaches at most this many x-heights above and below its baseline (flourishes and
#: loops of neighbouring lines beyond are cut off).
MAX_ASCENT = 3.0
MAX_DESCENT = 1.8


def _band(level: np.ndarray, x_height: float) -> tuple[float, float]:
    """Top and bottom of a line's ink relative to its baseline, stray strokes left out."""
    if not len(level):
        return -x_height, 0.0
    low, high = np.percentile(level, [0.5, 99.5])
    return float(max(low, -MAX_ASCENT * x_height)), float(min(high + 1, MAX_DESCENT * x_height))


def _join_pieces(lines: list[TextLine], line_of: np.ndarray) -> bool:
    """Relabel in ``line_of`` the pieces of one line that lie side by side on the same baseline (words
    further apart than the ridges reach); True when any were joined."""
    pieces = sorted(lines, key=lambda line: line.bbox[0])
    joined = False
    for n, a in enumerate(pieces):
        for b in pieces[n + 1:]:
            if _same_line(a, b) and (_near(a, b) or _rows_agree(a, b, pieces)):
                line_of[line_of == b.label] = a.label
                b.label = a.label
                joined = True
    return joined


#: Pieces on one baseline further apart than this many x-heights are one line only when one of them is
#: at most :data:`ROW_PIECE` x-heights wide: a table or receipt row (an item and its price), not two columns.
WORD_REACH = 3.0
ROW_PIECE = 8.0
#: A piece at most this many x-heights wide is a letter or two, whose foot is on the baseline.
LETTER_PIECE = 2.5


def _same_line(a: TextLine, b: TextLine) -> bool:
    """Whether ``b`` (starting right of ``a``'s start) continues ``a`` on the same baseline."""
    size = max(a.x_height, b.x_height, 1.0)
    widths = (a.bbox[2] - a.bbox[0], b.bbox[2] - b.bbox[0])
    gap, far = b.bbox[0] - a.bbox[2], not _near(a, b)
    overlapping = -gap > 0.3 * max(1, min(widths)) and b.bbox[2] > a.bbox[2]  # inside a: a word left out
    if overlapping or not _one_size(a, b):
        return False
    if far and min(widths) > ROW_PIECE * size:
        return False
    common = min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1])
    if common < 0.5 * min(a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1]):
        return False  # not side by side
    if far:  # a row across a gap is printed: exactly level, and of one size of type
        tall = [max(1.0, line.band[1] - line.band[0]) for line in (a, b)]
        if max(tall) > 2 * min(tall):
            return False
    tolerance = 0.2 if far else 0.5
    if _level(a, b, tolerance):
        return True
    # a letter or two set apart (a capital before its word) has no baseline of its own to speak of: its foot
    return not far and any(
        short.bbox[2] - short.bbox[0] <= LETTER_PIECE * size
        and abs(short.bbox[3] - _baseline_at(other, (short.bbox[0] + short.bbox[2]) / 2)) < tolerance * size
        for short, other in ((a, b), (b, a)))


def _one_size(a: TextLine, b: TextLine) -> bool:
    """Whether two pieces' x-heights are within a factor of two."""
    return max(a.x_height, b.x_height) <= 2 * max(1.0, min(a.x_height, b.x_height))


def _level(a: TextLine, b: TextLine, tolerance: float) -> bool:
    """Whether ``a`` and ``b`` (right of it) meet on one baseline, within ``tolerance`` x-heights, in the
    middle of the gap between them."""
    x = (a.bbox[2] + b.bbox[0]) / 2
    return abs(_baseline_at(a, x) - _baseline_at(b, x)) < tolerance * max(a.x_height, b.x_height, 1.0)


def _near(a: TextLine, b: TextLine) -> bool:
    """Whether ``b`` starts within a word space or two of ``a``'s end."""
    return b.bbox[0] - a.bbox[2] <= WORD_REACH * max(a.x_height, b.x_height, 1.0)


def _rows_agree(a: TextLine, b: TextLine, pieces: list[TextLine]) -> bool:
    """Whether the rows right above (or right below) two level pieces far apart cross the gap too: as one
    piece (a wide space inside a block of text) or as two level pieces (the rows of a table or receipt
    one after another); two columns of a letterhead line up only now and then."""
    for direction in (-1, 1):
        next_a, next_b = _next_row(a, pieces, direction), _next_row(b, pieces, direction)
        if next_a is not None and next_b is not None and (next_a is next_b or _same_line(next_a, next_b)):
            return True
    return False


def _next_row(line: TextLine, pieces: list[TextLine], direction: int) -> TextLine | None:
    """The nearest piece above (direction -1) or below (1) ``line`` that overlaps its columns, within three
    x-heights of its baseline (the next row of a table or receipt)."""
    reach = 3 * max(line.x_height, 1.0)
    candidates = [c for c in pieces if c is not line and c.bbox[0] < line.bbox[2] and c.bbox[2] > line.bbox[0]
                  and 0 < direction * (c.baseline - line.baseline) <= reach]
    return min(candidates, key=lambda c: abs(c.baseline - line.baseline), default=None)


def _baseline_at(line: TextLine, x: float) -> float:
    return line.baseline + line.slope * (x - (line.bbox[0] + line.bbox[2]) / 2)


#: A line shorter than this many core heights (about a dozen letters) is taken as level with the levelled
#: page: its own slope is mostly the shapes of its letters.
SLOPE_LENGTH = 12.0


def _fit(xs: np.ndarray, ys: np.ndarray, x0: float, x1: float) -> tuple[float, float, float]:
    """Slope, centre height (at the middle of x0..x1) and core height of a line's ink pixels."""
    middle = (x0 + x1) / 2
    if len(xs) < 10 or x1 - x0 < 4:
        return 0.0, float(np.mean(ys)) if len(ys) else 0.0, float(np.ptp(ys)) if len(ys) else 0.0
    bins = np.clip(((xs - x0) / max(1.0, (x1 - x0) / 16)).astype(int), 0, 15)
    centres = np.array([np.median(ys[bins == b]) for b in range(16) if (bins == b).sum() >= 3])
    mids = np.array([np.median(xs[bins == b]) for b in range(16) if (bins == b).sum() >= 3])
    slope = float(np.polyfit(mids, centres, 1)[0]) if len(mids) >= 3 and np.ptp(mids) > 0 else 0.0
    level = ys - slope * (xs - middle)
    low, high = np.percentile(level, [20, 80])
    core = float(max(high - low, 1.0) * 1.6)
    if x1 - x0 < SLOPE_LENGTH * core:  # too short to tell its own slope: level with the page
        slope, level = 0.0, ys.astype(np.float64)
    return float(np.clip(slope, -0.15, 0.15)), float(np.median(level)), core


def _order(lines: list[TextLine]) -> None:
    """Sort ``lines`` into reading order in place and number their blocks (columns, then top to bottom).

    Gaps are measured in the lines' median x-height, so that small print is told apart as well; a band
    of lines ends at a gap wider than 1.6 times the page's usual gap between lines (double-spaced
    typing is one block)."""
    if not lines:
        return
    boxes = np.array([line.bbox for line in lines], np.float64)
    size = float(np.median([line.x_height for line in lines]))
    by_top = boxes[np.argsort(boxes[:, 1])]
    gaps = by_top[1:, 1] - np.maximum.accumulate(by_top[:-1, 3])
    usual = float(np.median(gaps[gaps > 0])) if (gaps > 0).any() else 0.0
    row_gap = max(1.5, 1.6 * usual / max(size, 1.0))
    blocks = xy_cut(boxes, size, column_gap=3.0, row_gap=row_gap)
    ordered = []
    for number, index in enumerate(blocks):
        for i in sorted(index, key=lambda i: (lines[i].baseline, lines[i].bbox[0])):
            lines[i].block = number
            ordered.append(lines[i])
    lines[:] = ordered


def _scaled(box: np.ndarray, scale: float) -> BBox:
    """A working-scale (x, y, w, h) box as an original-pixel (x0, y0, x1, y1) box."""
    x, y, w, h = (float(v) for v in box)
    return (int(x / scale), int(y / scale), int(np.ceil((x + w) / scale)), int(np.ceil((y + h) / scale)))
