"""The segmentation entry point: page image -> :class:`PageLayout`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from segmentation.components import Components, find_components, speck_mask, typical_height
from segmentation.layout import RawLine, build_lines, typical_width
from segmentation.merge import is_candidate
from segmentation.normalize import glyph_crop
from segmentation.preprocess import binarize_page, check_image, stroke_width, to_grey
from segmentation.rulings import remove_rulings
from segmentation.skew import boxes_to_original, estimate_skew, points_to_original, rotate, rotation_matrix
from segmentation.split import ScoreFn, SplitJob, cut_in_two
from segmentation.types import GlyphBox, LineBox, PageLayout, SegmentOptions, WordBox


def _measure(binary: np.ndarray, options: SegmentOptions) -> tuple[Components, np.ndarray, float, float]:
    comps = find_components(binary)
    stroke = stroke_width(binary)
    specks = speck_mask(comps, stroke, options.speck_area)
    return comps, specks, typical_height(comps, ~specks, stroke), stroke


def _skew_angle(comps: Components, specks: np.ndarray, text_height: float, options: SegmentOptions) -> float:
    h, w = comps.height, comps.width
    glyphlike = ~specks & (h >= 0.5 * text_height) & (h <= 2.5 * text_height) & (w <= 4 * text_height)
    if glyphlike.sum() < 3:
        return 0.0
    b = comps.boxes[glyphlike]
    stats = np.stack([b[:, 0], b[:, 1], b[:, 2] - b[:, 0], b[:, 3] - b[:, 1], comps.area[glyphlike]], axis=1)
    return estimate_skew(stats, options.max_skew)


def _union(boxes: np.ndarray) -> tuple[int, int, int, int]:
    return int(boxes[:, 0].min()), int(boxes[:, 1].min()), int(boxes[:, 2].max()), int(boxes[:, 3].max())


def _to_layout(raw: list[RawLine], matrix: np.ndarray | None, width: int, height: int) -> list[LineBox]:
    """Map deskewed glyph boxes back to the original image and build the result tree."""
    flat = [g for line in raw for g in line.glyphs]
    if not flat:
        return []
    deskewed = np.array([g.box for g in flat], dtype=np.int64)
    original = boxes_to_original(deskewed, matrix, width, height)
    cx = (deskewed[:, 0] + deskewed[:, 2]) / 2.0
    slopes = np.concatenate([[ln.model.slope] * len(ln.glyphs) for ln in raw])
    bases = np.concatenate([[ln.model.baseline] * len(ln.glyphs) for ln in raw])
    ascent = np.concatenate([[ln.model.ascender] * len(ln.glyphs) for ln in raw])
    base_y = bases + slopes * cx
    _, base_orig = points_to_original(cx, base_y, matrix)
    _, top_orig = points_to_original(cx, base_y - ascent, matrix)
    lines: list[LineBox] = []
    n = 0
    previous_block = -1
    for line in raw:
        count = len(line.glyphs)
        if count == 0:
            continue
        xh = float(line.model.x_height)
        glyphs = [
            GlyphBox(bbox=(int(o[0]), int(o[1]), int(o[2]), int(o[3])), baseline=float(base_orig[n + i]),
                     x_height=xh, line_top=float(top_orig[n + i]), deskewed_bbox=g.box, components=g.components,
                     is_small_mark=g.small, split=g.split, crop=g.crop)
            for i, (g, o) in enumerate(zip(line.glyphs, original[n : n + count], strict=True))
        ]
        words: list[WordBox] = []
        start = 0
        for end in [*(int(b) + 1 for b in np.flatnonzero(line.breaks)), count]:
            part = glyphs[start:end]
            words.append(WordBox(_union(np.array([g.bbox for g in part])), part))
            start = end
        mid = (deskewed[n : n + count, 0].min() + deskewed[n : n + count, 2].max()) / 2.0
        _, mid_base = points_to_original(np.array([mid]), np.array([line.model.baseline_at(mid)]), matrix)
        lines.append(LineBox(bbox=_union(original[n : n + count]), words=words, baseline=float(mid_base[0]),
                             x_height=xh, block=line.model.block, paragraph_start=line.model.block != previous_block))
        previous_block = line.model.block
        n += count
    return lines


def segment(image: np.ndarray, options: SegmentOptions | None = None, score_fn: ScoreFn | None = None,
            join_fn: ScoreFn | None = None, context_fns: Mapping[str, ScoreFn] | None = None) -> PageLayout:
    """Segment a page into lines, words and glyph boxes.

    Args:
        image: (H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA page, uint8 or uint16.
        options: tunables; defaults when None.
        score_fn: optional recogniser confidence ``f(crops (N, 28, 28) uint8) -> (N,) float``
            used to choose how touching characters are split.
        join_fn: optional recogniser confidence that a crop is a letter or digit, used to join
            characters broken in two (see :mod:`segmentation.merge`).
        context_fns: optional recogniser confidences among the readings a place on the line allows,
            by :class:`segmentation.split.SplitJob` context ("x-height", "in-word"); they score
            touching characters in those places instead of ``score_fn``.

    Returns:
        The page layout. Boxes are in original image pixels; ``layout.ink``,
        ``layout.labels`` and ``layout.rotation`` let :func:`segmentation.normalize`
        crop glyphs from the deskewed page.

    Raises:
        ValueError: invalid image (see :func:`segmentation.preprocess.check_image`).
    """
    options = options or SegmentOptions()
    check_image(image, options.max_pixels)
    height, width = image.shape[:2]
    grey = to_grey(image)
    page = binarize_page(grey, options)
    comps, specks, text_height, stroke = _measure(page.binary, options)
    if page.method == "sauvola" and text_height > 0:
        page = binarize_page(grey, options, text_height)
        comps, specks, text_height, stroke = _measure(page.binary, options)
    ink, binary = page.ink, page.binary
    empty = PageLayout(width, height, 0.0, page.inverted, [], binary if options.keep_binary else None, ink,
                       comps.labels, None, stroke)
    if text_height <= 0:
        return empty
    angle = _skew_angle(comps, specks, text_height, options) if options.detect_skew else 0.0
    matrix = None
    if abs(angle) >= options.deskew_min_angle:
        matrix, new_w, new_h = rotation_matrix(width, height, angle)
        ink = rotate(ink, matrix, (new_w, new_h))
        binary = (rotate(binary, matrix, (new_w, new_h)) > 127).astype(np.uint8) * 255
        comps, specks, text_height, stroke = _measure(binary, options)
    if options.remove_rulings and remove_rulings(binary, comps, text_height, options.ruling_min_length):
        comps, specks, text_height, stroke = _measure(binary, options)
    keep = ~specks & (comps.height <= 6 * max(text_height, 1.0))
    raw = []
    if keep.any():
        raw = build_lines(comps, keep, max(text_height, 1.0), ink, options, score_fn, join_fn, context_fns)
    lines = _to_layout(raw, matrix, width, height)
    return PageLayout(width=width, height=height, skew_angle=float(angle), inverted=page.inverted, lines=lines,
                      binary=binary if options.keep_binary else None, ink=ink, labels=comps.labels,
                      rotation=matrix, stroke_width=stroke)


def line_typical_width(line: LineBox) -> float | None:
    """Typical glyph width of a line in deskewed pixels (what its wide glyphs are measured against)."""
    widths = np.array([g.deskewed_bbox[2] - g.deskewed_bbox[0] for word in line.words for g in word.glyphs
                       if not g.is_small_mark])
    return typical_width(widths, line.x_height)


def cut_glyph(layout: PageLayout, glyph: GlyphBox, typical: float, score_fn: ScoreFn) -> list[GlyphBox]:
    """A glyph segmentation kept whole, cut in two at its best candidate cut instead ([] when it has none).

    For a reader that finds the whole wrong after all: "brom" read with a touching "wn" kept whole as
    one "m". The pieces carry their crops, scored with ``score_fn``.
    """
    mask = glyph_ink(layout, glyph)
    if layout.ink is None or layout.labels is None or mask is None:
        return []
    pieces = cut_in_two(SplitJob(glyph.deskewed_bbox, mask, glyph.components, typical), layout.ink,
                        layout.labels, score_fn)
    if not pieces:
        return []
    original = boxes_to_original(np.array([p.box for p in pieces]), layout.rotation, layout.width, layout.height)
    return [replace(glyph, bbox=(int(o[0]), int(o[1]), int(o[2]), int(o[3])), deskewed_bbox=piece.box,
                    split=True, crop=piece.crop) for piece, o in zip(pieces, original, strict=True)]


#: A reader that asks again may join wider pieces further apart than segmentation does on its own (the
#: two stems of an "H" whose thin crossbar was lost, read "ii"): it has the word list to check with.
REREAD_MAX_PIECE = 0.9
REREAD_MAX_GAP = 0.35
REREAD_MAX_PAIR = 1.8


def may_be_one_glyph(first: GlyphBox, second: GlyphBox, typical: float) -> bool:
    """Whether two neighbouring glyphs of a line are narrow and close enough to be one broken character
    (:func:`segmentation.merge.is_candidate`, with the looser limits of a second reading). Two pieces
    cut from one component always may be (the cut may have been wrong: an "h" read "Ih"); glyphs whose
    boxes overlap (a hand-written "g" whose stroke came apart, read "ig") may be of any width as long
    as the two together are no wider than ``REREAD_MAX_PAIR`` typical widths."""
    a, b = first.deskewed_bbox, second.deskewed_bbox
    if first.split and second.split and first.components == second.components:
        return True  # the cut that made them may have been wrong
    if b[0] < a[2]:  # overlapping boxes
        return is_candidate(a, b, typical, first.x_height, np.inf, REREAD_MAX_GAP, REREAD_MAX_PAIR)
    return is_candidate(a, b, typical, first.x_height, REREAD_MAX_PIECE, REREAD_MAX_GAP, REREAD_MAX_PAIR)


def join_glyphs(layout: PageLayout, first: GlyphBox, second: GlyphBox, typical: float) -> GlyphBox | None:
    """Two neighbouring glyphs of a line as one, with its crop, when they may be one broken character
    (:func:`may_be_one_glyph`); else None."""
    if layout.ink is None or layout.labels is None or not may_be_one_glyph(first, second, typical):
        return None
    box = _union(np.array([first.deskewed_bbox, second.deskewed_bbox]))
    components = first.components + second.components
    return replace(first, bbox=_union(np.array([first.bbox, second.bbox])), deskewed_bbox=box,
                   components=components, is_small_mark=False, split=False,
                   crop=glyph_crop(layout.ink, box, layout.labels, components))


def glyph_ink(layout: PageLayout, glyph: GlyphBox) -> np.ndarray | None:
    """The glyph's own ink in its deskewed box (bool), other glyphs' ink left out; None without labels."""
    if layout.labels is None:
        return None
    x0, y0, x1, y1 = glyph.deskewed_bbox
    return np.isin(layout.labels[y0:y1, x0:x1], np.asarray(glyph.components))
