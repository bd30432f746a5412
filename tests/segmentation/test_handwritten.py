"""Pages of real EMNIST glyphs laid out as handwritten block letters."""

from __future__ import annotations

import numpy as np
import pytest

from segmentation import normalize, segment
from segmentation.evaluation import match_boxes, order_accuracy
from segmentation.synthetic import degrade, handwritten_page

pytestmark = pytest.mark.emnist


def _boxes(items) -> np.ndarray:
    return np.array([item.bbox for item in items]).reshape(-1, 4)


@pytest.mark.parametrize("seed", [0, 1])
def test_clean_handwritten_page(emnist, seed: int) -> None:
    images, labels = emnist
    page = handwritten_page(images, labels, np.random.default_rng(seed))
    layout = segment(page.image)
    assert match_boxes(page.glyph_boxes(), _boxes(layout.glyphs())).f1 >= 0.97
    assert match_boxes(page.word_boxes(), _boxes(layout.words())).f1 >= 0.9
    lines = match_boxes(_boxes(page.lines), _boxes(layout.lines))
    assert lines.f1 == 1.0 and order_accuracy(lines.pairs) == 1.0


def test_degraded_handwritten_page(emnist) -> None:
    images, labels = emnist
    rng = np.random.default_rng(7)
    page = degrade(handwritten_page(images, labels, rng), rng, skew=-3.0, noise=6, blur=0.8, jpeg=70,
                   uneven=0.5, specks=150)
    layout = segment(page.image)
    assert abs(layout.skew_angle + 3.0) < 0.3
    assert match_boxes(page.glyph_boxes(), _boxes(layout.glyphs())).f1 >= 0.95
    crops = normalize(page.image, layout.glyphs(), layout)
    assert crops.shape == (len(layout.glyphs()), 28, 28)
