"""EMNIST-style crops: real EMNIST glyphs pasted on a page must come back nearly unchanged."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from segmentation import normalize, segment
from segmentation.normalize import EMNIST_STROKE_RATIO, _quantile, frame_glyph, glyph_crop
from segmentation.types import SegmentOptions


def _stats(glyph: np.ndarray) -> np.ndarray:
    ink = glyph.astype(np.float64)
    mass = ink.sum()
    ys, xs = np.mgrid[0:28, 0:28]
    on = np.argwhere(glyph > 30)
    height = np.ptp(on[:, 0]) + 1
    width = np.ptp(on[:, 1]) + 1
    return np.array([mass / 255.0, height, width, (ink * ys).sum() / mass, (ink * xs).sum() / mass])


@pytest.mark.emnist
@pytest.mark.parametrize(("sharpen", "mass_tolerance"), [(False, 0.08), (True, 0.12)])
def test_pasted_emnist_glyphs_normalise_back_to_themselves(emnist, sharpen: bool, mass_tolerance: float) -> None:
    # EMNIST's glyphs are soft: enlarged three times they make a page blurred enough to be sharpened
    # (segmentation.blur), which saturates more of their strokes
    images = emnist[0][:48]
    page = np.full((800, 1400), 238, np.uint8)
    places = []
    for i, glyph in enumerate(images):
        big = cv2.resize(glyph, (84, 84), interpolation=cv2.INTER_CUBIC)
        row, col = divmod(i, 12)
        y, x = 50 + row * 170, 50 + col * 110
        page[y : y + 84, x : x + 84] = np.minimum(page[y : y + 84, x : x + 84], 255 - (big * 0.9).astype(np.uint8))
        places.append((x + 42, y + 42))
    layout = segment(page, SegmentOptions(sharpen_blurred=sharpen))
    glyphs = layout.glyphs()
    crops = normalize(page, glyphs, layout)
    ours, originals = [], []
    for glyph, crop in zip(glyphs, crops, strict=True):
        cx, cy = (glyph.bbox[0] + glyph.bbox[2]) / 2, (glyph.bbox[1] + glyph.bbox[3]) / 2
        k = int(np.argmin([abs(cx - px) + abs(cy - py) for px, py in places]))
        if abs(cx - places[k][0]) < 15 and abs(cy - places[k][1]) < 15:  # skip pieces of broken glyphs
            ours.append(_stats(crop))
            originals.append(_stats(images[k]))
    assert len(ours) >= 44
    ours_a, orig_a = np.array(ours), np.array(originals)
    diff = np.abs(ours_a - orig_a).mean(axis=0)
    assert diff[0] < 0.15 * orig_a[:, 0].mean()  # ink mass
    assert diff[1] < 1.0 and diff[2] < 1.5  # ink box height, width (pixels)
    assert diff[3] < 0.5 and diff[4] < 0.5  # centre of mass (pixels)
    assert abs(ours_a[:, 0].mean() - orig_a[:, 0].mean()) < mass_tolerance * orig_a[:, 0].mean()


def test_frame_glyph_is_centred_padded_and_scaled() -> None:
    ink = np.zeros((60, 30), np.float32)
    ink[5:55, 10:20] = 100.0
    crop = frame_glyph(ink)
    assert crop.shape == (28, 28) and crop.dtype == np.uint8 and crop.max() == 255
    rows = np.flatnonzero(crop.max(axis=1) > 30)
    cols = np.flatnonzero(crop.max(axis=0) > 30)
    assert rows[0] >= 1 and rows[-1] <= 26  # 2 px padding (blur may reach one pixel further)
    assert abs((cols[0] + cols[-1]) / 2 - 13.5) <= 1.0


def test_thin_strokes_are_thickened() -> None:
    ink = np.zeros((200, 200), np.uint8)
    cv2.circle(ink, (100, 100), 70, 255, 2)  # stroke/size = 2/140, far thinner than EMNIST
    labels = (ink > 0).astype(np.int32)
    crop = glyph_crop(ink, (28, 28, 172, 172), labels, (1,))
    on = crop > 127
    run = np.median(np.diff(np.flatnonzero(np.diff(np.concatenate([[0], on[14], [0]]).astype(int)))))
    assert run >= 0.5 * EMNIST_STROKE_RATIO * 24


def test_neighbouring_ink_is_masked_out() -> None:
    ink = np.zeros((100, 100), np.uint8)
    ink[20:80, 40:48] = 255  # the glyph
    ink[20:80, 30:38] = 255  # a neighbour inside the box margin
    labels = np.zeros((100, 100), np.int32)
    labels[20:80, 40:48] = 1
    labels[20:80, 30:38] = 2
    alone = glyph_crop(ink, (36, 20, 48, 80), labels, (1,))
    cols = np.flatnonzero(alone.max(axis=0) > 30)
    assert cols[-1] - cols[0] < 14  # only one bar


@given(st.lists(st.integers(0, 255), min_size=1, max_size=300), st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]))
def test_fast_quantile_matches_numpy(values: list[int], q: float) -> None:
    array = np.asarray(values, dtype=np.float32)
    assert _quantile(array.copy(), q) == pytest.approx(float(np.quantile(array, q)), abs=1e-3)


def test_a_huge_glyph_crops_like_a_small_one() -> None:
    """A flourish or blot the size of a page is cut to the same 28 x 28 crop as the same shape at glyph
    size (and quickly: it is shrunk before its strokes are thickened)."""
    def ring(side: int) -> np.ndarray:
        ink = np.zeros((side + 40, side + 40), np.uint8)
        cv2.circle(ink, (side // 2 + 20, side // 2 + 20), side // 2, 255, max(1, side // 100))
        labels = (ink > 0).astype(np.int32)
        return glyph_crop(ink, (20 - side // 100, 20 - side // 100, side + 21, side + 21), labels, (1,))
    big, small = ring(3000), ring(240)
    assert big.max() == 255
    assert np.abs(big.astype(int) - small.astype(int)).mean() < 6
