"""Printed pages (DejaVu TrueType and Hershey fonts): glyph, word and line boxes."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from segmentation import SegmentOptions, segment
from segmentation.evaluation import match_boxes, order_accuracy
from segmentation.synthetic import degrade, printed_page

FONTS = ["DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf", cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_COMPLEX]


def _boxes(items) -> np.ndarray:
    return np.array([item.bbox for item in items]).reshape(-1, 4)


@pytest.mark.parametrize("font", FONTS)
def test_clean_printed_page(font) -> None:
    page = printed_page(np.random.default_rng(1), size=(1100, 700), font=font, font_sizes=(30,))
    layout = segment(page.image)
    assert match_boxes(page.glyph_boxes(), _boxes(layout.glyphs())).f1 >= 0.98
    assert match_boxes(page.word_boxes(), _boxes(layout.words())).f1 >= 0.95
    lines = match_boxes(_boxes(page.lines), _boxes(layout.lines))
    assert lines.f1 == 1.0
    assert order_accuracy(lines.pairs) == 1.0


def test_degraded_printed_page() -> None:
    rng = np.random.default_rng(2)
    page = printed_page(rng, size=(1100, 800), font_sizes=(30,))
    bad = degrade(page, rng, skew=2.5, noise=6, blur=0.7, jpeg=70, uneven=0.6, specks=150)
    layout = segment(bad.image)
    assert abs(layout.skew_angle - 2.5) < 0.3
    assert match_boxes(bad.glyph_boxes(), _boxes(layout.glyphs())).f1 >= 0.95
    assert match_boxes(_boxes(bad.lines), _boxes(layout.lines)).f1 >= 0.95


@pytest.mark.parametrize("method", ["auto", "otsu", "sauvola"])
def test_hard_shadow(method: str) -> None:
    rng = np.random.default_rng(3)
    page = printed_page(rng, size=(900, 600), font_sizes=(30,))
    shaded = degrade(page, rng, shadow=0.7, noise=4)
    layout = segment(shaded.image, SegmentOptions(binarize=method))
    assert not layout.inverted
    assert match_boxes(shaded.glyph_boxes(), _boxes(layout.glyphs())).f1 >= 0.95


def test_punctuation_is_kept_as_small_marks() -> None:
    page = printed_page(np.random.default_rng(4), size=(1400, 900), font_sizes=(32,))
    layout = segment(page.image)
    result = match_boxes(page.glyph_boxes(), _boxes(layout.glyphs()))
    chars = [g.char for line in page.lines for w in line.words for g in w.glyphs]
    glyphs = layout.glyphs()
    found = {chars[t]: glyphs[p] for t, p in result.pairs}
    for mark in ".,'\"-":
        if mark in chars:
            assert mark in found, f"{mark!r} was lost"
            assert found[mark].is_small_mark
    for t, p in result.pairs:  # commas reach below the baseline, periods sit on it
        if chars[t] == ",":
            assert glyphs[p].bbox[3] > glyphs[p].baseline
        if chars[t] == "x":
            assert abs((glyphs[p].bbox[3] - glyphs[p].bbox[1]) - glyphs[p].x_height) <= 3


def test_two_columns_come_out_column_by_column() -> None:
    page = printed_page(np.random.default_rng(5), size=(1400, 900), font_sizes=(26,), columns=2)
    layout = segment(page.image)
    result = match_boxes(_boxes(page.lines), _boxes(layout.lines))
    assert result.f1 >= 0.97
    assert order_accuracy(result.pairs) == 1.0
    blocks = [layout.lines[p].block for _, p in result.pairs]
    truth = [page.lines[t].block for t, _ in result.pairs]
    assert all(b1 <= b2 for b1, b2 in itertools.pairwise(blocks))
    assert len(set(blocks)) >= len(set(truth))


def test_mixed_font_sizes() -> None:
    page = printed_page(np.random.default_rng(6), size=(1200, 1000), font_sizes=(20, 30, 48))
    layout = segment(page.image)
    assert match_boxes(page.glyph_boxes(), _boxes(layout.glyphs())).f1 >= 0.98
    assert match_boxes(_boxes(page.lines), _boxes(layout.lines)).f1 >= 0.97
