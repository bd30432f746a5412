"""From components to lines, words and glyphs (all in deskewed coordinates)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from segmentation.blocks import xy_cut
from segmentation.components import Components
from segmentation.glyphs import group_glyphs
from segmentation.lines import LineModel, find_lines, line_geometry
from segmentation.merge import Pair, is_candidate, join_decisions
from segmentation.split import ScoreFn, SplitJob, split_jobs
from segmentation.types import BBox, SegmentOptions
from segmentation.words import line_gaps, page_gap_threshold, word_breaks

#: A component rising at most this many x-heights above the baseline of a line with distinct
#: x-height and ascender line has no ascender or capital (those reach about 1.4 x-heights).
SHORT_HEIGHT = 1.2
#: A tall glyph right after a lower-case letter of its word gets candidate cuts from this many
#: typical widths (a touching "ff" is only about 1.2 wide, and read whole it is an "H") when
#: its whole is no confident reading inside a word.
IN_WORD_RATIO = 1.1


@dataclass
class RawGlyph:
    """A glyph before coordinates are mapped back: deskewed box and its components."""

    box: BBox
    components: tuple[int, ...]
    small: bool = False
    split: bool = False
    crop: np.ndarray | None = field(default=None, repr=False)


@dataclass
class RawLine:
    """A line model with its glyphs and word breaks."""

    model: LineModel
    glyphs: list[RawGlyph] = field(default_factory=list)
    breaks: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def _attach(comps: Components, extra: np.ndarray, lines: list[LineModel]) -> list[list[int]]:
    """Give each non-body component to the nearest line (or drop it as noise)."""
    attached: list[list[int]] = [[] for _ in lines]
    if extra.size == 0 or not lines:
        return attached
    boxes = comps.boxes
    cx = (boxes[extra, 0] + boxes[extra, 2]) / 2.0
    cy = (boxes[extra, 1] + boxes[extra, 3]) / 2.0
    distance = np.full((len(extra), len(lines)), np.inf)
    for n, line in enumerate(lines):
        sub = boxes[line.members]
        scale = max(float(np.median(sub[:, 3] - sub[:, 1])), 1.0)
        reach = 1.5 * scale
        inside = (cx >= sub[:, 0].min() - reach) & (cx <= sub[:, 2].max() + reach)
        d = np.abs(cy - line.centre_at(cx)) / scale
        distance[:, n] = np.where(inside, d, np.inf)
    best = np.argmin(distance, axis=1)
    ok = distance[np.arange(len(extra)), best] < 1.0
    for comp, line_index in zip(extra[ok], best[ok], strict=True):
        attached[int(line_index)].append(int(comp))
    return attached


def _fix_unimodal(lines: list[LineModel]) -> None:
    """Lines without distinct x-height and ascender get the page's x-height ratio."""
    ratios = [m.x_height / m.ascender for m in lines if m.bimodal and m.ascender > 0]
    if not ratios:
        return
    ratio = float(np.median(ratios))
    for m in lines:
        if not m.bimodal:
            m.x_height = ratio * m.ascender


def find_text_lines(comps: Components, keep: np.ndarray, text_height: float,
                    options: SegmentOptions) -> tuple[list[LineModel], list[list[int]]]:
    """Blocks and lines from glyph-sized components; small marks attached to lines."""
    heights = comps.height
    body = np.flatnonzero(keep & (heights >= 0.45 * text_height))
    extra = np.flatnonzero(keep & (heights < 0.45 * text_height))
    lines: list[LineModel] = []
    for block_index, block in enumerate(xy_cut(comps.boxes[body], text_height, options.column_gap)):
        for model in find_lines(comps.boxes[body[block]], text_height):
            model.members = body[block][model.members]
            model.block = block_index
            line_geometry(model, comps.boxes)
            lines.append(model)
    _fix_unimodal(lines)
    return lines, _attach(comps, extra, lines)


def _split_wide(raw: list[RawLine], comps: Components, ink: np.ndarray, options: SegmentOptions,
                score_fn: ScoreFn | None, context_fns: Mapping[str, ScoreFn] | None = None) -> None:
    ratio = options.split_min_ratio if score_fn is not None else options.split_heuristic_ratio
    least = min(ratio, IN_WORD_RATIO) if context_fns else ratio  # narrower glyphs are never candidates
    jobs: list[SplitJob] = []
    where: list[tuple[int, int]] = []
    for li, line in enumerate(raw):
        typical = _typical_width(line)
        if typical is None:
            continue
        for gi, glyph in enumerate(line.glyphs):
            x0, y0, x1, y1 = glyph.box
            if glyph.small or (y1 - y0) < 0.5 * line.model.x_height or (x1 - x0) <= least * typical:
                continue
            context, whole = _context(line, gi, options) if context_fns else ("", "")
            if (x1 - x0) <= (IN_WORD_RATIO if context == "in-word" else ratio) * typical:
                continue
            narrow = (x1 - x0) <= ratio * typical
            mask = np.isin(comps.labels[y0:y1, x0:x1], np.asarray(glyph.components))
            jobs.append(SplitJob(glyph.box, mask, glyph.components, typical, context, whole, narrow))
            where.append((li, gi))
    if not jobs:
        return
    results = split_jobs(jobs, ink, comps.labels, score_fn, options.split_objective,
                         options.split_keep_confidence, context_fns)
    for (li, gi), pieces in sorted(zip(where, results, strict=True), key=lambda item: item[0], reverse=True):
        glyph = raw[li].glyphs[gi]
        if len(pieces) > 1:
            raw[li].glyphs[gi : gi + 1] = [RawGlyph(p.box, glyph.components, False, True, p.crop) for p in pieces]
        else:
            glyph.crop = pieces[0].crop


def _rises_to_x_height(line: RawLine, box: BBox) -> bool:
    """Whether a glyph's ink rises no higher than its line's x-height (no ascender or capital)."""
    x0, y0, x1, _ = box
    rise = float(line.model.baseline_at((x0 + x1) / 2)) - y0
    return line.model.bimodal and rise <= SHORT_HEIGHT * line.model.x_height


def _context(line: RawLine, index: int, options: SegmentOptions) -> tuple[str, str]:
    """What a wide glyph's place allows its pieces and its whole to be (see
    :class:`segmentation.split.SplitJob`)."""
    glyph = line.glyphs[index]
    if _rises_to_x_height(line, glyph.box):
        return "x-height", ""
    if index > 0:
        before = line.glyphs[index - 1]
        close = glyph.box[0] - before.box[2] < options.word_gap_min * line.model.x_height
        if close and not before.small and _rises_to_x_height(line, before.box):
            return "in-word", "in-word-tall"
    return "", ""


def typical_width(widths: np.ndarray, x_height: float) -> float | None:
    """Typical glyph width of a line from the widths of its glyphs (small marks left out)."""
    return max(float(np.median(widths)), 0.5 * x_height) if widths.size else None


def _typical_width(line: RawLine) -> float | None:
    return typical_width(np.array([g.box[2] - g.box[0] for g in line.glyphs if not g.small]), line.model.x_height)


def _join_broken(raw: list[RawLine], comps: Components, ink: np.ndarray, join_fn: ScoreFn) -> None:
    pairs: list[Pair] = []
    where: list[tuple[int, int]] = []
    for li, line in enumerate(raw):
        typical = _typical_width(line)
        if typical is None:
            continue
        for gi, (a, b) in enumerate(itertools.pairwise(line.glyphs)):
            if not (a.small or b.small) and is_candidate(a.box, b.box, typical, line.model.x_height):
                pairs.append(Pair(a.box, b.box, a.components, b.components))
                where.append((li, gi))
    taken: set[tuple[int, int]] = set()
    joins = []
    for (li, gi), pair, crop in zip(where, pairs, join_decisions(pairs, ink, comps.labels, join_fn), strict=True):
        if crop is not None and (li, gi) not in taken:
            taken |= {(li, gi), (li, gi + 1)}
            joins.append((li, gi, pair, crop))
    for li, gi, pair, crop in reversed(joins):
        raw[li].glyphs[gi : gi + 2] = [RawGlyph(pair.box, pair.first_components + pair.second_components, crop=crop)]


def build_lines(comps: Components, keep: np.ndarray, text_height: float, ink: np.ndarray,
                options: SegmentOptions, score_fn: ScoreFn | None, join_fn: ScoreFn | None = None,
                context_fns: Mapping[str, ScoreFn] | None = None) -> list[RawLine]:
    """Lines with glyphs and word breaks, in reading order."""
    models, attached = find_text_lines(comps, keep, text_height, options)
    raw: list[RawLine] = []
    for model, extra in zip(models, attached, strict=True):
        members = np.concatenate([model.members, np.asarray(extra, dtype=np.int64)])
        xh = max(model.x_height, 1.0)
        glyphs = []
        for group, box in group_glyphs(comps.boxes, members, model):
            small = (box[3] - box[1]) < 0.55 * xh and (box[2] - box[0]) < 1.0 * xh
            glyphs.append(RawGlyph(box, tuple(int(g) + 1 for g in group), small))
        raw.append(RawLine(model, glyphs))
    if options.join_broken and join_fn is not None:
        _join_broken(raw, comps, ink, join_fn)
    if options.split_wide:
        _split_wide(raw, comps, ink, options, score_fn, context_fns)
    all_gaps = [line_gaps(np.array([g.box for g in line.glyphs])) / max(line.model.x_height, 1.0) for line in raw]
    pooled = np.concatenate(all_gaps) if all_gaps else np.zeros(0)
    page_threshold = page_gap_threshold(pooled, options.word_gap_min, options.word_gap_max)
    for line in raw:
        gaps = line_gaps(np.array([g.box for g in line.glyphs]).reshape(-1, 4))
        line.breaks = word_breaks(gaps, line.model.x_height, page_threshold, options.word_gap_min,
                                  options.word_gap_max)
    return raw
