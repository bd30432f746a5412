"""Input validation, colour formats, blank and inverted pages."""

from __future__ import annotations

import numpy as np
import pytest

from segmentation import SegmentOptions, normalize, segment
from segmentation.evaluation import match_boxes
from segmentation.synthetic import printed_page


@pytest.fixture(scope="module")
def page():
    return printed_page(np.random.default_rng(0), size=(800, 400), font_sizes=(28,), max_lines=4)


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((0, 0), np.uint8),
        np.zeros((10, 0), np.uint8),
        np.zeros((20, 20), np.float64),
        np.zeros((20, 20), bool),
        np.zeros((20, 20), np.int32),
        np.zeros((2, 20, 20, 3), np.uint8),
        np.zeros((20,), np.uint8),
        np.zeros((20, 20, 2), np.uint8),
        [[0, 1], [1, 0]],
    ],
)
def test_invalid_input_raises_value_error(bad) -> None:
    with pytest.raises(ValueError):
        segment(bad)


def test_too_many_pixels_raises() -> None:
    with pytest.raises(ValueError, match="max_pixels"):
        segment(np.zeros((100, 100), np.uint8), SegmentOptions(max_pixels=5000))


@pytest.mark.parametrize("value", [0, 255, 128])
def test_blank_pages_are_empty(value: int) -> None:
    layout = segment(np.full((300, 400), value, np.uint8))
    assert layout.lines == [] and layout.glyphs() == []
    assert normalize(np.full((300, 400), value, np.uint8), layout.glyphs(), layout).shape == (0, 28, 28)


def _f1(page, image) -> float:
    layout = segment(image)
    return match_boxes(page.glyph_boxes(), np.array([g.bbox for g in layout.glyphs()])).f1


def test_colour_formats_give_the_same_boxes(page) -> None:
    grey = page.image
    rgb = np.repeat(grey[:, :, None], 3, axis=2)
    rgba = np.concatenate([rgb, np.full((*grey.shape, 1), 255, np.uint8)], axis=2)
    as16 = grey.astype(np.uint16) * 257
    for image in (grey, grey[:, :, None], rgb, rgba, as16, np.repeat(as16[:, :, None], 3, axis=2)):
        assert _f1(page, image) >= 0.98


def test_transparent_rgba_background_is_white(page) -> None:
    rgba = np.zeros((*page.image.shape, 4), np.uint8)
    rgba[..., 3] = 255 - page.image  # black ink drawn only through alpha
    assert _f1(page, rgba) >= 0.98


def test_white_on_black_page_is_detected(page) -> None:
    layout = segment(255 - page.image)
    assert layout.inverted
    assert match_boxes(page.glyph_boxes(), np.array([g.bbox for g in layout.glyphs()])).f1 >= 0.98


def test_normalize_without_layout(page) -> None:
    layout = segment(page.image)
    crops = normalize(page.image, layout.glyphs())
    assert crops.shape == (len(layout.glyphs()), 28, 28) and crops.dtype == np.uint8
    assert (crops.reshape(len(crops), -1).max(axis=1) == 255).all()
