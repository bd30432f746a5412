"""Property-based robustness: any image returns a layout with every box inside the image."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from segmentation import normalize, segment


def _check(image: np.ndarray) -> None:
    layout = segment(image)
    height, width = image.shape[:2]
    for line in layout.lines:
        for box in [line.bbox, *(w.bbox for w in line.words), *(g.bbox for w in line.words for g in w.glyphs)]:
            x0, y0, x1, y1 = box
            assert 0 <= x0 <= x1 <= width and 0 <= y0 <= y1 <= height
    crops = normalize(image, layout.glyphs(), layout)
    assert crops.shape == (len(layout.glyphs()), 28, 28)


@settings(max_examples=30, deadline=None)
@given(
    height=st.integers(1, 300),
    width=st.integers(1, 300),
    kind=st.sampled_from(["black", "white", "noise", "sparse", "blocks"]),
    seed=st.integers(0, 2**31 - 1),
)
def test_any_image_is_segmented_inside_its_bounds(height: int, width: int, kind: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    if kind == "black":
        image = np.zeros((height, width), np.uint8)
    elif kind == "white":
        image = np.full((height, width), 255, np.uint8)
    elif kind == "noise":
        image = rng.integers(0, 256, (height, width), dtype=np.uint8)
    elif kind == "sparse":
        image = np.where(rng.random((height, width)) < 0.05, 0, 255).astype(np.uint8)
    else:
        image = np.full((height, width), 255, np.uint8)
        for _ in range(int(rng.integers(1, 20))):
            y, x = int(rng.integers(0, height)), int(rng.integers(0, width))
            image[y : y + int(rng.integers(1, 40)), x : x + int(rng.integers(1, 40))] = 0
    _check(image)


def test_extreme_shapes() -> None:
    rng = np.random.default_rng(0)
    for image in (np.zeros((1, 1), np.uint8), np.full((20, 10000), 255, np.uint8),
                  rng.integers(0, 256, (20, 10000), dtype=np.uint8), rng.integers(0, 256, (10000, 20), dtype=np.uint8),
                  rng.integers(0, 65536, (50, 60, 3), dtype=np.uint16)):
        _check(image)
