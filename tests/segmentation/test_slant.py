"""Slant of handwriting: the shear that sets strokes upright."""

from __future__ import annotations

import numpy as np
import pytest

from segmentation.slant import deslant, estimate_slant


def bars(height: int = 60, width: int = 400) -> np.ndarray:
    """Upright dark strokes on white paper."""
    image = np.full((height, width), 255, np.uint8)
    for x in range(40, width - 40, 30):
        image[8:height - 8, x:x + 4] = 0
    return image


@pytest.mark.parametrize("lean", [-0.35, 0.3])
def test_the_slant_of_leaning_strokes_is_found_and_undone(lean: float) -> None:
    leaning = deslant(bars(), lean)
    slant = estimate_slant(leaning < 128)
    assert slant == pytest.approx(-lean, abs=0.05)
    upright = deslant(leaning, slant)
    assert abs(estimate_slant(upright < 128)) <= 0.05
    assert ((upright < 128).sum(axis=0) > 30).sum() >= 30  # the strokes stand in single columns again


def test_a_crop_without_ink_has_no_slant() -> None:
    assert estimate_slant(np.zeros((40, 100), bool)) == 0.0
