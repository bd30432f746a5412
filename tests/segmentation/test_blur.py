"""Blurred pages: edge softness measured, and sharpened so that letters joined by the blur part again."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from segmentation.blur import BLURRED_SIGMA, edge_sigma, stroke_level, unblur


def _letters(gap: int) -> np.ndarray:
    """A bright-ink page (ink 255 on 0), slightly rotated: rows of n-shaped letters 4 px thick in pairs
    ``gap`` pixels apart."""
    ink = np.zeros((400, 700), dtype=np.uint8)
    for top in range(40, 360, 80):
        for left in range(40, 620, 100):
            for x in (left, left + 29 + gap):
                cv2.rectangle(ink, (x, top), (x + 25, top + 40), 255, 4)
    matrix = cv2.getRotationMatrix2D((350, 200), 4.0, 1.0)
    return cv2.warpAffine(ink, matrix, (700, 400), flags=cv2.INTER_LINEAR)


def _otsu(ink: np.ndarray) -> np.ndarray:
    return cv2.threshold(ink, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]


def _components(binary: np.ndarray) -> int:
    return cv2.connectedComponents(binary, connectivity=8)[0] - 1


@pytest.mark.parametrize("sigma", [1.0, 2.0, 3.0])
def test_edge_sigma_measures_the_blur_of_the_strokes(sigma: float) -> None:
    ink = cv2.GaussianBlur(_letters(gap=20), (0, 0), sigma)
    measured = edge_sigma(ink, stroke_level(ink, _otsu(ink)))
    assert 0.7 * sigma <= measured <= 1.3 * sigma, measured


def test_sharp_edges_measure_below_the_blurred_limit() -> None:
    ink = _letters(gap=20)
    assert edge_sigma(ink, stroke_level(ink, _otsu(ink))) < BLURRED_SIGMA
    assert edge_sigma(np.zeros((50, 50), dtype=np.uint8), 0.0) == 0.0  # no ink, no measurement


def test_letters_joined_by_the_blur_come_apart() -> None:
    ink = cv2.GaussianBlur(_letters(gap=5), (0, 0), 2.0)
    binary = _otsu(ink)
    assert _components(binary) == 24  # the halos join each pair at Otsu's threshold
    sharper = unblur(ink, binary)
    assert _components(_otsu(sharper)) == 48
    before = edge_sigma(ink, stroke_level(ink, binary))
    assert edge_sigma(sharper, stroke_level(sharper, _otsu(sharper))) < 0.9 * before  # steeper edges


def test_a_sharp_page_is_left_as_it_is() -> None:
    ink = _letters(gap=5)
    assert unblur(ink, _otsu(ink)) is ink
