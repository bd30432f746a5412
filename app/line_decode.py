"""Decoding a line model's CTC frames into characters, with word context where asked."""

from __future__ import annotations

import numpy as np

from recognizer.ctc import CharSpan, greedy_decode


def decode_line(probs: np.ndarray, classes: tuple[str, ...], options: object, top_k: int = 5) -> list[CharSpan]:
    """The characters of one line (best path; word context to come)."""
    chars = greedy_decode(probs, classes, top_k)
    # no leading, trailing or doubled spaces
    out: list[CharSpan] = []
    for char in chars:
        if char.text == " " and (not out or out[-1].text == " "):
            continue
        out.append(char)
    while out and out[-1].text == " ":
        out.pop()
    return out
