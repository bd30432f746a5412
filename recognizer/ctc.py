"""CTC decoding of a line model's frame probabilities into characters with positions.

A frame is ``stride`` pixels of the normalised line image. :func:`greedy_decode` takes the best
class of every frame, merges repeats and drops blanks; every character keeps the frames it
spans (for its box) and its top-k readings at its most confident frame (for the alternatives
popup and the decoder).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass
class CharSpan:
    """One decoded character.

    Attributes:
        text: the character.
        start, end: its first and last frame (inclusive).
        confidence: its probability at its most confident frame.
        alternatives: (character, probability) readings at that frame, best first, blank and space left out.
    """

    text: str
    start: int
    end: int
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)


def greedy_decode(probs: np.ndarray, classes: list[str] | tuple[str, ...], k: int = 5,
                  blank: int = 0) -> list[CharSpan]:
    """Best-path decoding of (T, C) frame probabilities."""
    if probs.ndim != 2 or probs.shape[1] != len(classes):
        raise ValueError(f"frame probabilities must be (T, {len(classes)}), got {probs.shape}")
    best = probs.argmax(1)
    chars: list[CharSpan] = []
    previous = blank
    for t, c in enumerate(best):
        if c != blank and c == previous and chars:
            chars[-1].end = t
            if probs[t, c] > chars[-1].confidence:
                chars[-1].confidence = float(probs[t, c])
                chars[-1].alternatives = _top_k(probs[t], classes, k, blank)
        elif c != blank:
            chars.append(CharSpan(classes[c], t, t, float(probs[t, c]), _top_k(probs[t], classes, k, blank)))
        previous = c
    return chars


def _top_k(frame: np.ndarray, classes: list[str] | tuple[str, ...], k: int, blank: int) -> list[tuple[str, float]]:
    order = np.argsort(-frame)[: k + 2]
    readings = [(classes[i], float(frame[i])) for i in order if i != blank and classes[i] != " "][:k]
    total = sum(p for _, p in readings) or 1.0
    # the readings of the character's own place: renormalised without the blank and the space
    return [(c, p / total) for c, p in readings]


def char_boundaries(chars: list[CharSpan], frames: int) -> list[tuple[float, float]]:
    """Each character's extent in frames (start inclusive, end exclusive): from halfway after the previous
    character to halfway before the next one, a space giving its neighbours no more than its own frames."""
    edges: list[tuple[float, float]] = []
    for n, char in enumerate(chars):
        left = 0.0 if n == 0 else (chars[n - 1].end + 1 + char.start) / 2
        right = float(frames) if n + 1 == len(chars) else (char.end + 1 + chars[n + 1].start) / 2
        edges.append((left, right))
    return edges


def ctc_log_likelihood(log_probs: np.ndarray, labels: list[int], blank: int = 0) -> float:
    """log P(labels | frames) under CTC: the sum over every alignment of ``labels`` to the (T, C) frames
    (log probabilities), by the forward algorithm."""
    return float(ctc_log_likelihoods(log_probs, [labels], blank)[0])


def ctc_log_likelihoods(log_probs: np.ndarray, label_lists: Sequence[Sequence[int]], blank: int = 0) -> np.ndarray:
    """:func:`ctc_log_likelihood` of several label sequences over the same frames, computed together."""
    count = len(label_lists)
    if count == 0:
        return np.zeros(0)
    sizes = np.array([2 * len(labels) + 1 for labels in label_lists])
    # each row: blank, label, blank, label, ..., blank; shorter rows padded with blanks (states past a
    # row's last one are reached only from it and never read)
    extended = np.full((count, int(sizes.max())), blank)
    for row, labels in enumerate(label_lists):
        extended[row, 1 : 2 * len(labels) : 2] = labels
    if len(log_probs) == 0:
        return np.where(sizes == 1, 0.0, -np.inf)
    # a state may be skipped from two back when it is a label different from the label two back
    skip = np.zeros(extended.shape, bool)
    skip[:, 3::2] = extended[:, 3::2] != extended[:, 1:-2:2]
    alpha = np.full(extended.shape, -np.inf)
    alpha[:, 0] = log_probs[0, blank]
    if extended.shape[1] > 1:
        alpha[:, 1] = log_probs[0, extended[:, 1]]
    never = np.full((count, 2), -np.inf)
    for frame in log_probs[1:]:
        one_back = np.concatenate((never[:, :1], alpha[:, :-1]), axis=1)
        two_back = np.where(skip, np.concatenate((never, alpha[:, :-2]), axis=1), -np.inf)
        alpha = np.logaddexp(np.logaddexp(alpha, one_back), two_back) + frame[extended]
    rows = np.arange(count)
    last = alpha[rows, sizes - 1]
    before = np.where(sizes > 1, alpha[rows, np.maximum(sizes - 2, 0)], -np.inf)
    return np.logaddexp(last, before)
