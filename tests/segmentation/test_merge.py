"""Broken characters: two narrow neighbours the recogniser reads better as one glyph are joined."""

from __future__ import annotations

import cv2
import numpy as np

from segmentation import segment
from segmentation.merge import Pair, is_candidate, join_decisions
from segmentation.normalize import glyph_crop


def _page_with_broken_o() -> np.ndarray:
    """Two lines of text; the o of "good" is broken into two arcs (worn type)."""
    page = np.full((300, 900), 250, np.uint8)
    cv2.putText(page, "good rooms look", (30, 120), cv2.FONT_HERSHEY_SIMPLEX, 2.2, 20, 5)
    cv2.putText(page, "moon soon took", (30, 230), cv2.FONT_HERSHEY_SIMPLEX, 2.2, 20, 5)
    page[:150, 86:91] = 250  # the first o spans x 72-104
    return page


def _roundness(crops: np.ndarray) -> np.ndarray:
    """A stand-in recogniser: round ink reads as a confident letter, a thin arc does not."""
    scores = []
    for crop in crops:
        ys, xs = np.nonzero(crop > 60)
        aspect = (xs.max() - xs.min() + 1) / (ys.max() - ys.min() + 1)
        scores.append(0.99 if aspect > 0.7 else 0.3)
    return np.array(scores)


def test_a_broken_o_is_joined() -> None:
    page = _page_with_broken_o()
    plain = segment(page)
    joined = segment(page, join_fn=_roundness)
    assert len(plain.glyphs()) == 26
    assert len(joined.glyphs()) == 25
    broken = joined.glyphs()[1]
    assert broken.bbox[0] <= 73 and broken.bbox[2] >= 103  # one box over both arcs
    assert broken.crop is not None and not broken.split
    assert joined.ink is not None
    fresh = glyph_crop(joined.ink, broken.deskewed_bbox, joined.labels, broken.components)
    assert np.array_equal(broken.crop, fresh)  # the scored crop is the one the page is read with


def test_confident_pieces_stay_apart() -> None:
    page = _page_with_broken_o()
    assert len(segment(page, join_fn=lambda crops: np.full(len(crops), 0.99)).glyphs()) == 26


def test_only_narrow_close_neighbours_are_candidates() -> None:
    narrow, other = (0, 0, 10, 40), (12, 0, 22, 40)
    assert is_candidate(narrow, other, typical_width=20, x_height=20)
    assert not is_candidate(narrow, (20, 0, 30, 40), typical_width=20, x_height=20)  # gap of 10 px
    assert not is_candidate(narrow, (12, 0, 30, 40), typical_width=20, x_height=20)  # a wide neighbour


def test_one_piece_may_pass_for_a_letter_but_not_a_sure_one() -> None:
    ink = np.zeros((40, 40), np.uint8)
    ink[5:35, 5:12] = 255
    ink[5:35, 16:23] = 255
    labels = np.zeros(ink.shape, np.int32)
    labels[:, :14] = 1
    labels[:, 14:] = 2
    labels[ink == 0] = 0
    pair = Pair((5, 5, 12, 35), (16, 5, 23, 35), (1,), (2,))
    # (first piece, second piece, joined) letter confidences for three copies of the pair:
    scores = np.array([0.7, 0.1, 0.99,  # the left arc of an "o" read as "I", the right as ")": join
                       0.97, 0.1, 0.99,  # a sure "t" and a ":" that together also read "t": apart
                       0.7, 0.7, 0.99])  # two letters: apart
    decisions = join_decisions([pair] * 3, ink, labels, lambda crops: scores[: len(crops)])
    assert decisions[0] is not None and decisions[0].shape == (28, 28)
    assert decisions[1] is None and decisions[2] is None
