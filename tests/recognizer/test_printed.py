"""Printed-glyph stream: classes, font split and rendering."""

from __future__ import annotations

import os

import numpy as np
import pytest

from recognizer.data import EMNIST_CLASSES
from recognizer.handdrawn import render_handdrawn
from recognizer.printed import (
    EXTENDED_CLASSES,
    HELD_OUT_FAMILIES,
    PUNCTUATION,
    available_fonts,
    class_of,
    context_equivalent,
    render_glyphs,
    split_fonts,
)
from recognizer.train import adjustment_prior


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


def test_hand_drawn_punctuation_covers_every_mark_and_is_reproducible() -> None:
    crops, labels = render_handdrawn(per_char=3, seed=5)
    assert crops.shape == (3 * len(PUNCTUATION), 28, 28) and crops.dtype == np.uint8
    assert sorted({EXTENDED_CLASSES[i] for i in labels}) == sorted(PUNCTUATION)
    assert all(c.max() > 150 for c in crops)  # ink made it through the normaliser
    again, _ = render_handdrawn(per_char=3, seed=5)
    np.testing.assert_array_equal(crops, again)
    other, _ = render_handdrawn(per_char=3, seed=6)
    assert not np.array_equal(crops, other)  # jitter, slant and pen width vary


def test_hand_drawn_marks_keep_their_shape() -> None:
    crops, labels = render_handdrawn(per_char=20, seed=1, chars=(".", "-", "/"))
    by_mark = {m: crops[labels == class_of(m)].astype(np.float32) for m in ".-/"}
    ink = {m: (c > 100).mean(axis=0) for m, c in by_mark.items()}
    # a hyphen is a wide bar: its ink fills the middle rows, not the top and bottom ones
    assert ink["-"][13:15].mean() > 0.5 and ink["-"][3:6].mean() < 0.1
    # a period is a round dot filling the frame; a slash leaves the top-left and bottom-right corners empty
    assert ink["."][10:18, 10:18].mean() > 0.9
    assert ink["/"][3:8, 3:8].mean() < 0.2 and ink["/"][20:25, 20:25].mean() < 0.2


def test_context_only_look_alikes() -> None:
    assert context_equivalent("l", class_of("1")) and context_equivalent("I", class_of("l"))
    assert context_equivalent("0", class_of("o")) and context_equivalent(",", class_of("'"))
    assert not context_equivalent("L", class_of("1"))  # a capital L has a foot
    assert not context_equivalent("a", class_of("o")) and not context_equivalent("8", class_of("B"))


def test_adjustment_prior_keeps_punctuation_at_its_own_frequency() -> None:
    counts = np.array([100.0, 300.0, 10.0, 10.0])  # two EMNIST classes, two extra ones
    prior = adjustment_prior(counts, num_emnist=2).exp().numpy()
    np.testing.assert_allclose(prior[:2], counts[:2] / counts.sum(), rtol=1e-5)
    # extras are adjusted as if they were average EMNIST classes: the model learns their real rarity
    np.testing.assert_allclose(prior[2:], (counts[:2] / counts.sum()).mean(), rtol=1e-5)
