"""The glyph-box benchmark's pages and scorer, on small pages in DejaVu faces only (CI has no others)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.glyph_boxes import score_page
from benchmarks.wild_pages import KINDS, WildPage, stamps_page
from segmentation.synthetic import ttf_path

SMALL = (640, 520)
FACES = {"own": None, "faces": "DejaVuSerif.ttf", "touching": "DejaVuSans-Bold.ttf",
         "handwriting": "DejaVuSans-Oblique.ttf", "ruled": "DejaVuSans-Oblique.ttf",
         "squared": "DejaVuSans-Oblique.ttf", "stamps": "DejaVuSerif.ttf", "photo": "DejaVuSans.ttf"}


def small_page(kind: str, seed: int) -> WildPage:
    face = FACES[kind]
    faces = [ttf_path(face)] if face else None
    if kind == "stamps":
        return stamps_page(seed, faces, SMALL, stamp_faces=[ttf_path("DejaVuSans-Bold.ttf")])
    return KINDS[kind](seed, faces, SMALL)


@pytest.mark.parametrize("kind", list(KINDS))
def test_truth_boxes_lie_inside_the_page_around_ink(kind: str) -> None:
    page = small_page(kind, 3)
    height, width = page.image.shape
    assert page.image.dtype == np.uint8 and page.image.ndim == 2
    boxes = page.boxes()
    assert len(boxes) > 20
    assert (boxes[:, 0] >= 0).all() and (boxes[:, 1] >= 0).all()
    assert (boxes[:, 2] <= width).all() and (boxes[:, 3] <= height).all()
    assert (boxes[:, 2] > boxes[:, 0]).all() and (boxes[:, 3] > boxes[:, 1]).all()
    for x0, y0, x1, y1 in boxes:  # the darkest pixel in a box is ink, well below the paper around it
        w, h = x1 - x0, y1 - y0
        around = page.image[max(0, y0 - h) : y1 + h, max(0, x0 - w) : x1 + w]
        assert page.image[y0:y1, x0:x1].min() < np.percentile(around, 90) - 40, (kind, (x0, y0, x1, y1))
    assert all(name.startswith("DejaVu") for name in page.faces)


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_page_is_the_same_for_the_same_seed(kind: str) -> None:
    first, again, other = small_page(kind, 5), small_page(kind, 5), small_page(kind, 6)
    assert np.array_equal(first.image, again.image)
    assert np.array_equal(first.boxes(), again.boxes())
    assert [g.char for g in first.glyphs] == [g.char for g in again.glyphs]
    assert not np.array_equal(first.boxes(), other.boxes())


def test_tight_tracking_makes_letters_overlap() -> None:
    boxes = small_page("touching", 1).boxes()
    same_line = np.abs(boxes[1:, 3] - boxes[:-1, 3]) < 15
    overlap = boxes[1:, 0] < boxes[:-1, 2]
    assert (same_line & overlap).sum() > len(boxes) // 4


def test_stamp_characters_are_kept_apart_from_the_body_text() -> None:
    page = small_page("stamps", 2)
    assert page.stamp_glyphs and page.ignore  # a stamp's text, and its region and the logo's
    body = {g.bbox for g in page.glyphs}
    assert not body & {g.bbox for g in page.stamp_glyphs}


def test_the_truth_scores_one_and_shifted_boxes_less() -> None:
    truth = small_page("faces", 4).boxes()
    assert score_page(truth, truth).f1 == 1.0
    widths = truth[:, 2] - truth[:, 0]
    step = np.array([1, 0, 1, 0])
    half = truth + (widths * 6 // 10)[:, None] * step * (np.arange(len(truth)) % 2)[:, None]  # every second box
    assert score_page(truth, half).f1 == pytest.approx(0.5, abs=0.05)
    assert score_page(truth, truth + 1).f1 == 1.0  # a pixel off still matches at IoU >= 0.5
    assert score_page(truth, truth[: len(truth) // 2]).recall == pytest.approx(0.5, abs=0.02)
    near = score_page(truth, truth + (widths * 45 // 100)[:, None] * step)  # every box 45% of its width off
    assert near.f1 < 0.3 and near.f1_loose > 0.95


def test_boxes_on_a_stamp_clear_of_the_text_are_not_held_against_an_engine() -> None:
    truth = np.array([[10, 10, 30, 40], [40, 10, 60, 40]])
    stamp_chars = np.array([[200, 200, 220, 230]])
    region = [(150, 150, 300, 300)]
    predicted = np.vstack([truth, stamp_chars, [[160, 250, 170, 260]], [[400, 10, 420, 40]]])
    counts = score_page(truth, predicted, stamp_chars, region)
    assert (counts.matched, counts.ignored, counts.predicted) == (2, 2, 3)  # the stray box off the stamp counts
    assert counts.stamp_matched == 1 and counts.recall == 1.0 and counts.precision == pytest.approx(2 / 3)
