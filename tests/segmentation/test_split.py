"""Touching characters: heuristic cuts, candidate cuts and the scored best path."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from segmentation import cut_glyph, join_glyphs, line_typical_width, may_be_one_glyph, normalize, segment
from segmentation.evaluation import match_boxes
from segmentation.normalize import glyph_crop
from segmentation.split import SplitJob, best_path, candidate_cuts, cut_in_two, heuristic_cuts, split_jobs
from segmentation.synthetic import printed_page
from segmentation.types import SegmentOptions


def _bars(count: int, width: int = 20, gap: int = 4) -> np.ndarray:
    """``count`` rings joined by a thin bar: a component of touching glyphs."""
    mask = np.zeros((40, count * (width + gap)), bool)
    for i in range(count):
        x = i * (width + gap)
        mask[5:35, x : x + width] = True
        mask[10:30, x + 4 : x + width - 4] = False
    mask[18:21, :] = True
    return mask


def test_heuristic_cuts_fall_in_the_valleys() -> None:
    mask = _bars(3)
    cuts = heuristic_cuts(mask, typical_width=24)
    assert len(cuts) == 2
    for cut, expected in zip(cuts, (22, 46), strict=True):
        assert abs(cut - expected) <= 3


def test_candidate_cuts_include_the_joins() -> None:
    cuts = candidate_cuts(_bars(3), typical_width=24)
    for expected in (22, 46):
        assert np.min(np.abs(cuts - expected)) <= 3


def test_best_path_mean_and_product() -> None:
    nodes = np.array([0, 10, 20, 30])
    scores = {(0, 3): 0.5, (0, 1): 0.9, (1, 3): 0.9, (0, 2): 0.2, (2, 3): 0.3, (1, 2): 0.1}
    assert best_path(nodes, scores, "mean") == [0, 1, 3]
    assert best_path(nodes, scores, "product") == [0, 1, 3]
    assert best_path(nodes, {(0, 3): 0.95, (0, 1): 0.9, (1, 3): 0.9}, "mean") == [0, 3]


def _narrow_glyph_score(crops: np.ndarray) -> np.ndarray:
    """A stand-in recogniser: confident for crops as narrow as a single letter."""
    scores = []
    for crop in crops:
        cols = np.flatnonzero(crop.max(axis=0) > 60)
        rows = np.flatnonzero(crop.max(axis=1) > 60)
        if cols.size == 0:
            scores.append(0.0)
            continue
        aspect = (cols[-1] - cols[0] + 1) / (rows[-1] - rows[0] + 1)
        scores.append(float(np.exp(-(((aspect - 0.75) / 0.35) ** 2))))
    return np.array(scores)


def test_touching_characters_are_split() -> None:
    page = printed_page(np.random.default_rng(3), size=(1000, 500), font="DejaVuSansMono.ttf", font_sizes=(34,),
                        tracking=-4.0)
    truth = page.glyph_boxes()
    plain = segment(page.image)
    calls: list[int] = []

    def score(crops: np.ndarray) -> np.ndarray:
        assert crops.ndim == 3 and crops.shape[1:] == (28, 28) and crops.dtype == np.uint8
        calls.append(len(crops))
        return _narrow_glyph_score(crops)

    scored = segment(page.image, score_fn=score)
    f1_plain = match_boxes(truth, np.array([g.bbox for g in plain.glyphs()])).f1
    f1_scored = match_boxes(truth, np.array([g.bbox for g in scored.glyphs()])).f1
    assert len(calls) == 2  # whole components in one batch, then all pieces of the page in one batch
    assert any(g.split for g in scored.glyphs())
    assert f1_scored >= 0.9
    assert f1_scored >= f1_plain


def test_confident_whole_components_stay_whole() -> None:
    page = printed_page(np.random.default_rng(3), size=(1000, 500), font="DejaVuSansMono.ttf", font_sizes=(34,),
                        tracking=-4.0)
    calls: list[int] = []

    def sure(crops: np.ndarray) -> np.ndarray:
        calls.append(len(crops))
        return np.ones(len(crops))

    layout = segment(page.image, score_fn=sure)
    assert len(calls) == 1  # only the whole components were scored
    assert not any(g.split for g in layout.glyphs())
    always_try = segment(page.image, SegmentOptions(split_keep_confidence=1.01), score_fn=_narrow_glyph_score)
    assert any(g.split for g in always_try.glyphs())


def test_a_context_function_scores_the_jobs_of_its_context() -> None:
    # Two touching rings that the plain score reads confidently as one glyph (like "re" read "R"),
    # while the x-height score prefers two narrow glyphs: only the copy in that context is cut.
    mask = np.pad(_bars(2), ((0, 0), (5, 5)))
    ink = mask.astype(np.uint8) * 255
    labels = mask.astype(np.int32)
    box = (0, 0, mask.shape[1], mask.shape[0])
    jobs = [SplitJob(box, mask, (1,), 24.0), SplitJob(box, mask, (1,), 24.0, context="x-height"),
            SplitJob(box, mask, (1,), 24.0, context="in-word")]
    sure = lambda crops: np.ones(len(crops))  # noqa: E731
    anything, short, no_function = split_jobs(jobs, ink, labels, sure, keep_confidence=0.9,
                                              context_fns={"x-height": _narrow_glyph_score})
    assert len(anything) == 1 and len(no_function) == 1  # no function for "in-word": the plain score
    assert len(short) == 2
    assert all(piece.crop is not None for piece in short)
    # read whole by its own context's function (a tall in-word glyph: no "W"), its pieces by theirs
    tall_pair = SplitJob(box, mask, (1,), 24.0, context="in-word", whole_context="in-word-tall")
    unsure = lambda crops: np.full(len(crops), 0.2)  # noqa: E731
    (cut,) = split_jobs([tall_pair], ink, labels, sure, keep_confidence=0.9,
                        context_fns={"in-word": sure, "in-word-tall": unsure})
    assert len(cut) == 2
    (kept,) = split_jobs([tall_pair], ink, labels, sure, keep_confidence=0.9,
                         context_fns={"in-word": unsure, "in-word-tall": sure})
    assert len(kept) == 1
    # a narrow job is tried only when its context rules out its confident plain reading
    narrow = SplitJob(box, mask, (1,), 24.0, context="in-word", whole_context="in-word-tall", narrow=True)
    fns = {"in-word": _narrow_glyph_score, "in-word-tall": unsure}
    (ruled_out,) = split_jobs([narrow], ink, labels, sure, keep_confidence=0.9,
                              context_fns={**fns, "in-word": lambda crops: np.where(  # pieces sure, whole not
                                  _narrow_glyph_score(crops) > 0.5, 1.0, 0.1)})
    assert len(ruled_out) == 2
    (allowed,) = split_jobs([narrow], ink, labels, sure, keep_confidence=0.9,
                            context_fns={**fns, "in-word": sure})
    assert len(allowed) == 1  # the whole is as good a reading in the word as anywhere: not tried


@pytest.mark.parametrize("split", [False, True])
def test_scored_crops_are_the_crops_normalize_makes(split: bool) -> None:
    page = printed_page(np.random.default_rng(3), size=(1000, 500), font="DejaVuSansMono.ttf", font_sizes=(34,),
                        tracking=-4.0)
    score = _narrow_glyph_score if split else (lambda crops: np.ones(len(crops)))
    layout = segment(page.image, score_fn=score)
    glyphs = layout.glyphs()
    index = [n for n, g in enumerate(glyphs) if g.crop is not None]
    crops = [g.crop for g in glyphs if g.crop is not None]
    assert crops and all(glyphs[n].split == split for n in index)
    assert layout.ink is not None
    for n, crop in zip(index, crops, strict=True):
        g = glyphs[n]
        assert np.array_equal(crop, glyph_crop(layout.ink, g.deskewed_bbox, layout.labels, g.components, g.split))
    assert np.array_equal(normalize(page.image, glyphs, layout)[index], np.stack(crops))


def test_a_long_line_with_its_own_word_spacing_keeps_its_words() -> None:
    from segmentation.words import word_breaks

    # printed: letter gaps 0.1, word gaps 0.5 x-heights, on a page whose handwriting sets the threshold at 1.2
    gaps = np.array([0.1, 0.1, 0.5, 0.1, 0.1, 0.1, 0.5, 0.1, 0.1, 0.5, 0.1, 0.1, 0.1, 0.5]) * 20.0
    breaks = word_breaks(gaps, 20.0, page_threshold=1.2, lo_limit=0.25, hi_limit=2.5)
    assert breaks.tolist() == (gaps == 10.0).tolist()
    # a short line follows the page
    assert not word_breaks(gaps[:5], 20.0, page_threshold=1.2, lo_limit=0.25, hi_limit=2.5).any()


def test_cut_in_two_picks_the_join_between_two_touching_glyphs() -> None:
    mask = np.pad(_bars(2), ((0, 0), (5, 5)))
    ink = mask.astype(np.uint8) * 255
    labels = mask.astype(np.int32)
    job = SplitJob((0, 0, mask.shape[1], mask.shape[0]), mask, (1,), 24.0)
    pieces = cut_in_two(job, ink, labels, _narrow_glyph_score)
    assert len(pieces) == 2 and all(p.crop is not None and p.crop.shape == (28, 28) for p in pieces)
    assert abs(pieces[0].box[2] - 27) <= 3 and pieces[1].box[0] == pieces[0].box[2]  # the bar between the rings
    bar = np.zeros((40, 6), bool)
    bar[5:35, 1:5] = True  # one narrow stroke: no candidate cut
    assert cut_in_two(SplitJob((0, 0, 6, 40), bar, (1,), 24.0), bar.astype(np.uint8) * 255, bar.astype(np.int32),
                      _narrow_glyph_score) == []


def test_a_glyph_kept_whole_can_be_cut_later() -> None:
    page = printed_page(np.random.default_rng(3), size=(1000, 500), font="DejaVuSansMono.ttf", font_sizes=(34,),
                        tracking=-4.0)
    layout = segment(page.image, SegmentOptions(split_wide=False))
    line = layout.lines[0]
    typical = line_typical_width(line)
    assert typical is not None and typical > 0
    wide = max((g for word in line.words for g in word.glyphs), key=lambda g: g.bbox[2] - g.bbox[0])
    assert wide.deskewed_bbox[2] - wide.deskewed_bbox[0] >= 1.5 * typical and not wide.split  # touching letters
    pieces = cut_glyph(layout, wide, typical, _narrow_glyph_score)
    assert len(pieces) == 2 and all(p.split and p.crop is not None for p in pieces)
    assert pieces[0].bbox[0] == wide.bbox[0] and pieces[1].bbox[2] == wide.bbox[2]
    assert pieces[0].bbox[2] == pieces[1].bbox[0]
    assert pieces[0].baseline == wide.baseline and pieces[0].components == wide.components
    truth = page.glyph_boxes()
    assert match_boxes(truth, np.array([p.bbox for p in pieces])).precision == 1.0  # both are real glyphs


def test_a_second_reading_may_join_the_stems_of_a_broken_capital() -> None:
    from segmentation.merge import is_candidate
    from segmentation.types import GlyphBox

    def stem(x0: int, x1: int) -> GlyphBox:  # x-height 20, typical glyph width 20
        return GlyphBox(bbox=(x0, 60, x1, 100), baseline=100.0, x_height=20.0, line_top=60.0,
                        deskewed_bbox=(x0, 60, x1, 100))

    # the two stems of an "H" whose crossbar was lost: 0.75 typical widths each with their serifs, 5 px apart
    left, right = stem(0, 15), stem(20, 35)
    assert may_be_one_glyph(left, right, 20.0)
    assert not is_candidate(left.deskewed_bbox, right.deskewed_bbox, 20.0, 20.0)  # segmentation alone keeps them
    assert not may_be_one_glyph(left, stem(29, 35), 20.0)  # 14 px (0.7 x-heights) apart: two letters
    # a wide glyph is joined only with one its box overlaps ("ig": a stroke of a "g" came apart)
    wide, ear = stem(40, 62), stem(35, 45)
    assert may_be_one_glyph(ear, wide, 20.0) and not may_be_one_glyph(ear, stem(47, 69), 20.0)
    # and two pieces cut from one component may always be put back together
    first, second = replace(stem(0, 8), split=True, components=(3,)), replace(stem(8, 38), split=True, components=(3,))
    assert may_be_one_glyph(first, second, 20.0)
    assert not may_be_one_glyph(first, replace(second, components=(4,)), 20.0)


def test_two_pieces_of_a_broken_glyph_can_be_joined_later() -> None:
    page = printed_page(np.random.default_rng(5), size=(1000, 400), font="DejaVuSans.ttf", font_sizes=(40,),
                        max_lines=3)
    image = page.image.copy()
    o = next(g for line in page.lines for word in line.words for g in word.glyphs if g.char == "o")
    middle = (o.bbox[0] + o.bbox[2]) // 2
    image[o.bbox[1] - 2 : o.bbox[3] + 2, middle - 1 : middle + 2] = 255  # worn type: the "o" in two arcs
    layout = segment(image, SegmentOptions(join_broken=False))
    line = next(ln for ln in layout.lines if ln.bbox[1] <= o.bbox[1] <= ln.bbox[3])
    glyphs = [g for word in line.words for g in word.glyphs]
    typical = line_typical_width(line)
    assert typical is not None
    arcs = [(a, b) for a, b in itertools.pairwise(glyphs)
            if a.bbox[0] <= middle <= b.bbox[2] and a.bbox[2] <= middle + 2 <= b.bbox[0] + 3]
    assert len(arcs) == 1 and may_be_one_glyph(*arcs[0], typical)
    joined = join_glyphs(layout, *arcs[0], typical)
    assert joined is not None and joined.crop is not None and not joined.split
    assert abs(joined.bbox[0] - o.bbox[0]) <= 2 and abs(joined.bbox[2] - o.bbox[2]) <= 2
    assert set(joined.components) == set(arcs[0][0].components + arcs[0][1].components)
    far = [(a, b) for a, b in itertools.pairwise(glyphs) if b.bbox[0] - a.bbox[2] > typical]
    assert far and join_glyphs(layout, *far[0], typical) is None  # glyphs a word gap apart


def test_a_piece_leaves_out_a_neighbours_fragment() -> None:
    from segmentation.split import SplitJob, _piece_box

    # "mb" touching at the baseline; the top serif of the "b" reaches back over the "m"
    mask = np.zeros((40, 60), dtype=bool)
    mask[15:40, 0:30] = True  # the "m", x-height 25
    mask[0:40, 30:34] = True  # the stem of the "b", ascender height 40
    mask[0:3, 26:30] = True  # its serif, left of the cut at column 30
    job = SplitJob(box=(100, 200, 160, 240), mask=mask, components=(1,), typical_width=30.0)
    assert _piece_box(job, 0, 30) == (100, 215, 130, 240)  # as tall as the "m" alone
    assert _piece_box(job, 30, 60) == (130, 200, 160, 240)
