"""Printed-glyph stream: classes, font split and rendering."""

from __future__ import annotations

import os

import numpy as np
import pytest

from recognizer.data import EMNIST_CLASSES
from recognizer.printed import (
    EXTENDED_CLASSES,
    HELD_OUT_FAMILIES,
    PUNCTUATION,
    available_fonts,
    class_of,
    render_glyphs,
    split_fonts,
)


def test_extended_classes_keep_emnist_order() -> None:
    assert EXTENDED_CLASSES[: len(EMNIST_CLASSES)] == EMNIST_CLASSES
    assert len(EXTENDED_CLASSES) == 47 + len(PUNCTUATION) == 69
    assert len(set(EXTENDED_CLASSES)) == len(EXTENDED_CLASSES)


def test_merged_lower_case_maps_to_capital_class() -> None:
    assert EXTENDED_CLASSES[class_of("c")] == "C"
    assert EXTENDED_CLASSES[class_of("o")] == "O"
    assert EXTENDED_CLASSES[class_of("a")] == "a"  # a has its own class
    assert EXTENDED_CLASSES[class_of(".")] == "."
    assert class_of("0") == 0


def test_held_out_fonts_are_whole_families_kept_out_of_training() -> None:
    fonts = (
        "/f/DejaVuSans.ttf", "/f/DejaVuSansMono.ttf", "/f/DejaVuSansMono-Bold.ttf",
        "/f/LiberationSerif-Italic.ttf", "/f/LiberationSans-Regular.ttf",
    )
    train, held = split_fonts(fonts)
    assert sorted(map(os.path.basename, held)) == [
        "DejaVuSansMono-Bold.ttf", "DejaVuSansMono.ttf", "LiberationSerif-Italic.ttf"]
    assert not set(train) & set(held)
    assert all(not os.path.basename(f).startswith(HELD_OUT_FAMILIES) for f in train)


def test_rendered_glyphs_look_like_emnist_crops() -> None:
    fonts = [f for f in available_fonts() if os.path.basename(f).startswith("DejaVuSans")]
    if not fonts:
        pytest.skip("no DejaVu font (matplotlib's bundled fonts are missing)")
    crops, labels = render_glyphs(fonts, per_char=2, seed=3, chars="A0.x")
    assert crops.shape == (8, 28, 28) and crops.dtype == np.uint8
    assert [EXTENDED_CLASSES[i] for i in labels] == ["A", "A", "0", "0", ".", ".", "X", "X"]
    # white ink on black, with a dark border like EMNIST's 2-pixel margin
    assert all(c.max() > 150 for c in crops)
    assert crops[:, 0, :].mean() < 40 and crops[:, :, 0].mean() < 40
    again, _ = render_glyphs(fonts, per_char=2, seed=3, chars="A0.x")
    np.testing.assert_array_equal(crops, again)


def test_rendering_without_fonts_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no fonts"):
        render_glyphs([], per_char=1, seed=0)
