"""The recognizer's outputs for one page, shared by segmentation's scoring and the final reading."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

#: Classes a glyph can be read as when its ink rises no higher than the line's x-height:
#: the x-height letters, those with a descender and marks (C, J, M, O, P, S, U, V, W, X, Y, Z
#: are the merged upper/lower-case classes).
X_HEIGHT_READINGS = frozenset("aegnqrCJMOPSUVWXYZ-+=*:;.,")
#: Capital letters whose lower-case form is a class of its own: never inside a lower-case word.
CAPITAL_ONLY = frozenset("ABDEFGHNQRT")
#: Classes of the lower-case letters that rise above the x-height (K L I J: k l i j).
TALL_LOWER = frozenset("bdfhtKLIJ")


class PageReadings:
    """The recognizer's outputs for one page's crops, remembered by crop content.

    Segmentation scores whole wide components and the pieces it may cut them into;
    the crops it keeps are the ones the page is then read with, so their logits are
    looked up here instead of being computed twice.
    """

    def __init__(self, predictor: Any) -> None:
        self.predictor = predictor
        self._logits: dict[bytes, np.ndarray] = {}

    def _logits_of(self, crops: np.ndarray) -> np.ndarray:
        """Logits of every crop, running the model only on crops not seen before."""
        keys = [crop.tobytes() for crop in crops]
        missing = [i for i, key in enumerate(keys) if key not in self._logits]
        if missing:
            self._logits.update(zip((keys[i] for i in missing), self.predictor.logits(crops[missing]), strict=True))
        return np.stack([self._logits[key] for key in keys])

    def _probabilities(self, crops: np.ndarray) -> np.ndarray:
        return np.asarray(self.predictor.calibrated(self._logits_of(crops)))

    def _best_among(self, crops: np.ndarray, allowed: Callable[[str], bool]) -> np.ndarray:
        """Calibrated probability of each crop's most likely reading among the allowed classes."""
        mask = np.array([allowed(c) for c in self.predictor.classes])
        if len(crops) == 0 or not mask.any():
            return np.zeros(len(crops))
        return self._probabilities(crops)[:, mask].max(axis=1)

    def confidence(self, crops: np.ndarray) -> np.ndarray:
        """Calibrated top-1 probability of each crop (the segmentation's score function)."""
        return self._best_among(crops, lambda c: True)

    def letter_confidence(self, crops: np.ndarray) -> np.ndarray:
        """Calibrated probability of each crop's most likely letter or digit (for joining broken glyphs)."""
        return self._best_among(crops, str.isalnum)

    def short_confidence(self, crops: np.ndarray) -> np.ndarray:
        """The same among the readings ink below the x-height line can have
        (:data:`X_HEIGHT_READINGS`): no capital-only letter, digit or letter with an ascender."""
        return self._best_among(crops, X_HEIGHT_READINGS.__contains__)

    def in_word_confidence(self, crops: np.ndarray) -> np.ndarray:
        """The same among the readings of a glyph right after a lower-case letter of its word:
        no capital-only letter (:data:`CAPITAL_ONLY`) and no digit."""
        return self._best_among(crops, lambda c: c not in CAPITAL_ONLY and not c.isdigit())

    def tall_in_word_confidence(self, crops: np.ndarray) -> np.ndarray:
        """The same for a tall glyph inside a lower-case word read whole: one tall lower-case
        letter (:data:`TALL_LOWER`) or a mark."""
        return self._best_among(crops, lambda c: c in TALL_LOWER or not c.isalnum())

    def predict(self, crops: np.ndarray, k: int) -> Any:
        """Top-k prediction of every crop, running the model only on crops not seen before."""
        return self.predictor.top_k(self._logits_of(crops), k=k)

    def readings(self, crops: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        """Every crop's top-k (character, probability) readings, best first (see :meth:`predict`)."""
        prediction = self.predict(crops, k)
        classes = self.predictor.classes
        return [[(classes[i], float(p)) for i, p in zip(idx, probs, strict=True)]
                for idx, probs in zip(prediction.indices, prediction.probabilities, strict=True)]
