"""Skew detection accuracy and boxes on skewed pages."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from segmentation import segment
from segmentation.evaluation import match_boxes
from segmentation.synthetic import degrade, printed_page


@pytest.fixture(scope="module")
def page():
    return printed_page(np.random.default_rng(10), size=(1200, 1200), font_sizes=(28,), margin=200)


@pytest.mark.parametrize("angle", [-14.0, -7.3, -1.1, 0.0, 0.45, 3.7, 9.0, 15.0])
def test_skew_is_measured_within_0_3_degrees(page, angle: float) -> None:
    skewed = degrade(page, np.random.default_rng(1), skew=angle, noise=3)
    layout = segment(skewed.image)
    assert abs(layout.skew_angle - angle) < 0.3


@pytest.mark.parametrize("angle", [-6.0, 4.0])
def test_boxes_on_skewed_page_are_in_original_coordinates(page, angle: float) -> None:
    skewed = degrade(page, np.random.default_rng(2), skew=angle)
    layout = segment(skewed.image)
    glyphs = layout.glyphs()
    assert match_boxes(skewed.glyph_boxes(), np.array([g.bbox for g in glyphs])).f1 >= 0.95
    lines = match_boxes(np.array([ln.bbox for ln in skewed.lines]), np.array([ln.bbox for ln in layout.lines]))
    assert lines.f1 >= 0.95
    assert layout.rotation is not None


def test_hershey_page_skew() -> None:
    page = printed_page(np.random.default_rng(11), size=(1000, 900), font=cv2.FONT_HERSHEY_DUPLEX, font_sizes=(30,))
    layout = segment(degrade(page, np.random.default_rng(3), skew=-5.5, blur=0.8, noise=5).image)
    assert abs(layout.skew_angle + 5.5) < 0.3
