"""The validation-noise benchmark's arithmetic, on labels made in the test."""

from __future__ import annotations

import numpy as np

from benchmarks.validation_noise import (
    balanced_accuracy,
    bootstrap,
    class_accuracies,
    seen_eval_fraction,
    seen_eval_fractions,
    seen_glyphs,
)

CLASSES = 47


def test_bootstrap_spread_comes_from_the_errors() -> None:
    labels = np.repeat(np.arange(CLASSES), 20)
    right = labels.copy()
    wrong_half = labels.copy()
    wrong_half[::2] = (labels[::2] + 1) % CLASSES  # every other glyph misread
    by_class = [np.flatnonzero(labels == c) for c in range(CLASSES)]
    assert balanced_accuracy(right, by_class) == 1.0
    assert balanced_accuracy(wrong_half, by_class) == 0.5
    samples = bootstrap([right, wrong_half], labels, rounds=200, seed=0)
    assert samples.shape == (200, 2)
    assert samples[:, 0].std() == 0.0  # a model that is always right scores 1.0 on any resample
    assert 0.005 < samples[:, 1].std() < 0.05  # ~ sqrt(0.25 / 20 / 47)
    assert abs(samples[:, 1].mean() - 0.5) < 0.01


def test_rare_classes_are_the_ones_a_balanced_train_set_covers() -> None:
    few = seen_eval_fraction(np.full(CLASSES, 500.0))
    many = seen_eval_fraction(np.full(CLASSES, 20_000.0))
    assert 0.5 < few < 1.0 and many < 0.05
    assert seen_eval_fraction(np.zeros(CLASSES)) == 1.0  # a pool of only eval glyphs: all of a class's train


def test_seen_glyphs_come_from_train_and_cover_every_class() -> None:
    labels = np.repeat(np.arange(CLASSES), 30)
    train_index = np.flatnonzero(np.arange(len(labels)) % 3 != 0)  # the rest would be validation
    picked = seen_glyphs(train_index, labels, per_class=5, seed=0)
    assert set(picked) <= set(train_index)
    assert np.bincount(labels[picked], minlength=CLASSES).tolist() == [5] * CLASSES
    fractions = seen_eval_fractions(np.where(np.arange(CLASSES) < 10, 20_000.0, 500.0))
    assert fractions[:10].max() < 0.05 < 0.5 < fractions[10:].min()  # digits are common, letters rare here


def test_class_accuracies() -> None:
    labels = np.array([0, 0, 1, 1])
    rates = class_accuracies(np.array([0, 1, 1, 1]), labels)
    assert rates[:2].tolist() == [0.5, 1.0] and rates[2:].sum() == 0.0
