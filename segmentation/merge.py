"""Joining broken characters: two narrow neighbours the recogniser reads better as one glyph.

Worn type and faint ribbons break a character into pieces that do not touch (an ``o`` in
two arcs, read as ``(`` and ``)``). Neighbours that are both narrow, close together and
together not much wider than a typical glyph are scored apart and together by the
recogniser's confidence that a crop is a letter or digit; they are joined when the joined
crop is a confident letter, one piece is not much of one and the other not a sure one
(``ri`` stays ``ri``, and two worn ``t`` do not become a ``u``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from segmentation.normalize import glyph_crop
from segmentation.split import ScoreFn
from segmentation.types import BBox

#: Each piece is narrower than this many typical glyph widths, the pair no wider than ``MAX_PAIR``.
MAX_PIECE = 0.75
MAX_PAIR = 1.4
#: Largest gap between the pieces, in x-heights.
MAX_GAP = 0.2
#: The joined glyph's confidence must reach this; one piece may be read as a letter with at
#: most ``MAX_PIECE_CONFIDENCE``, the other with at most ``MAX_OTHER_CONFIDENCE`` (the left arc
#: of a broken ``o`` passes for an ``I``; two worn ``t`` must not become a ``u``, nor ``t:`` a ``t``).
MIN_JOINED = 0.9
MAX_PIECE_CONFIDENCE = 0.5
MAX_OTHER_CONFIDENCE = 0.85


@dataclass
class Pair:
    """Two neighbouring glyphs of one line that may be one broken character."""

    first: BBox
    second: BBox
    first_components: tuple[int, ...]
    second_components: tuple[int, ...]

    @property
    def box(self) -> BBox:
        a, b = self.first, self.second
        return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def is_candidate(first: BBox, second: BBox, typical_width: float, x_height: float,
                 max_piece: float = MAX_PIECE, max_gap: float = MAX_GAP, max_pair: float = MAX_PAIR) -> bool:
    """Whether two neighbours (left to right) are narrow and close enough to be one broken glyph
    (pieces narrower than ``max_piece`` typical widths, at most ``max_gap`` x-heights apart, together
    at most ``max_pair`` typical widths wide)."""
    gap = second[0] - first[2]
    width = max(first[2], second[2]) - min(first[0], second[0])
    return (gap <= max_gap * x_height and width <= max_pair * typical_width
            and first[2] - first[0] < max_piece * typical_width
            and second[2] - second[0] < max_piece * typical_width)


def join_decisions(pairs: list[Pair], ink: np.ndarray, labels: np.ndarray,
                   letter_fn: ScoreFn) -> list[np.ndarray | None]:
    """For each pair, the crop of the joined glyph when it should be joined, else None.

    ``letter_fn`` gives the confidence that a crop is a letter or digit. All crops of the page
    (both pieces and the joined glyph of every pair) are scored in one call.
    """
    if not pairs:
        return []
    crops = []
    for pair in pairs:
        crops.append(glyph_crop(ink, pair.first, labels, pair.first_components))
        crops.append(glyph_crop(ink, pair.second, labels, pair.second_components))
        crops.append(glyph_crop(ink, pair.box, labels, pair.first_components + pair.second_components))
    scores = np.asarray(letter_fn(np.stack(crops)), dtype=np.float64).reshape(-1, 3)
    return [crops[3 * n + 2] if joined >= MIN_JOINED and min(a, b) <= MAX_PIECE_CONFIDENCE
            and max(a, b) <= MAX_OTHER_CONFIDENCE else None
            for n, (a, b, joined) in enumerate(scores)]
