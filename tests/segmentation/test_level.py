"""Levelling a page: one slope, or a slope that changes down the page."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from segmentation.level import Leveller
from segmentation.synthetic import printed_page


def _ink(fan: float = 0.0, skew: float = 0.0) -> np.ndarray:
    """The ink of a printed page whose line at row r slopes by skew + fan * r (dy/dx)."""
    page = printed_page(np.random.default_rng(4), size=(1600, 2000), font="DejaVuSerif.ttf", font_sizes=(30,))
    height, width = page.image.shape
    rows = np.arange(height, dtype=np.float32)[:, None]
    columns = np.arange(width, dtype=np.float32)[None, :]
    map_y = (rows * (1 - fan * columns) - skew * columns).astype(np.float32)
    map_x = np.broadcast_to(columns, map_y.shape).astype(np.float32)
    moved = cv2.remap(page.image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    return (moved < 128).astype(np.uint8)


def test_a_page_of_one_slope_is_sheared_by_it() -> None:
    leveller = Leveller.of(_ink(skew=0.03))
    assert leveller.constant
    assert leveller.slope(0) == pytest.approx(0.03, abs=0.003)


def test_the_slope_follows_lines_that_climb_more_and_more_down_the_page() -> None:
    leveller = Leveller.of(_ink(fan=0.05 / 2000))
    assert not leveller.constant
    for row in (400, 1000, 1600):  # page rows at the middle column
        assert leveller.slope(leveller.level_y(800, row)) == pytest.approx(0.05 * row / 2000, abs=0.006)


def test_levelled_labels_go_back_to_their_place() -> None:
    ink = _ink(fan=0.05 / 2000)
    leveller = Leveller.of(ink)
    _, labels = cv2.connectedComponents(ink)
    back = leveller.page(leveller.level(labels.astype(np.float32), cv2.INTER_NEAREST))
    inked = labels > 0
    assert (back[inked] == labels[inked]).mean() > 0.98
