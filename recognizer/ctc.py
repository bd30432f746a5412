"""CTC decoding of a line model's frame probabilities into characters with positions.

A frame is ``stride`` pixels of the normalised line image. :func:`greedy_decode` takes the best
class of every frame, merges repeats and drops blanks; every character keeps the frames it
spans (for its box) and its top-k readings at its most confident frame (for the alternatives
popup and the decoder).
"""

from __future__ import annotations

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
    steps = len(log_probs)
    extended = np.full(2 * len(labels) + 1, blank)
    extended[1::2] = labels
    size = len(extended)
    if steps == 0:
        return 0.0 if not labels else -np.inf
    # a state may be skipped from two back when it is a label different from the label two back
    skip = np.zeros(size, bool)
    skip[3::2] = extended[3::2] != extended[1:-2:2]
    alpha = np.full(size, -np.inf)
    alpha[0] = log_probs[0, blank]
    if size > 1:
        alpha[1] = log_probs[0, extended[1]]
    for t in range(1, steps):
        one_back = np.concatenate(([-np.inf], alpha[:-1]))
        two_back = np.where(skip, np.concatenate(([-np.inf, -np.inf], alpha[:-2])), -np.inf)
        alpha = np.logaddexp(np.logaddexp(alpha, one_back), two_back) + log_probs[t, extended]
    return float(np.logaddexp(alpha[-1], alpha[-2]) if size > 1 else alpha[-1])
