"""CTC decoding of the line engine: alignment probabilities and the word list."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from app.decode import DecodeOptions
from app.line_decode import decode_line
from recognizer.ctc import ctc_log_likelihood, ctc_log_likelihoods, greedy_decode

CLASSES = ("", " ", ".", "1", "2", "5", "0", "S", "Z", "a", "b", "c", "e", "g", "h", "i", "I", "k", "l", "n", "o", "r",
           "s", "t", "v", "8", "9", ",", "O", "A")


def _frames(spec: list[dict[str, float]]) -> np.ndarray:
    """(T, C) probabilities: each frame's listed classes, the rest of the mass spread thinly; a blank
    frame between characters."""
    rows = []
    for readings in spec:
        for frame in (readings, {"": 0.98}):
            row = np.full(len(CLASSES), 1e-4)
            for char, p in frame.items():
                row[CLASSES.index(char)] = p
            rows.append(row / row.sum())
    return np.array(rows)


def _text(chars) -> str:
    return "".join(c.text for c in chars)


def test_the_ctc_likelihood_sums_every_alignment() -> None:
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(3), size=4)  # 4 frames, classes blank/a/b
    labels = [1, 1]  # "aa" needs a blank between its letters
    total = 0.0
    for path in itertools.product(range(3), repeat=4):
        collapsed = [c for n, c in enumerate(path) if c != 0 and (n == 0 or c != path[n - 1])]
        if collapsed == labels:
            total += float(np.prod([probs[t, c] for t, c in enumerate(path)]))
    assert ctc_log_likelihood(np.log(probs), labels) == pytest.approx(np.log(total))


def test_the_word_list_fixes_an_ambiguous_word_and_keeps_the_amount() -> None:
    letters = [{c: 0.97} for c in "the"] + [{" ": 0.97}]
    letters += [{"r": 0.97}, {"l": 0.55, "i": 0.43}, {"v": 0.97}, {"e": 0.97}, {"r": 0.97}, {" ": 0.97}]
    letters += [{"1": 0.97}, {"2": 0.97}, {".": 0.97}, {"5": 0.55, "S": 0.43}, {"0": 0.97}]
    probs = _frames(letters)
    assert _text(greedy_decode(probs, CLASSES)) == "the rlver 12.50"
    assert _text(decode_line(probs, CLASSES, DecodeOptions(lexicon=False))) == "the rlver 12.50"
    chars = decode_line(probs, CLASSES, DecodeOptions(lexicon=True))
    assert _text(chars) == "the river 12.50"
    fixed = chars[5]
    assert fixed.text == "i" and fixed.alternatives[0][0] == "l"  # the model's own reading stays first
    assert fixed.confidence == pytest.approx(0.43 / (0.43 + 0.55), abs=0.01)


def test_a_name_the_model_is_sure_of_is_not_made_a_word() -> None:
    probs = _frames([{"Z": 0.97}, {"o": 0.97}, {"r": 0.95, "t": 0.03}, {"b": 0.97}, {"i": 0.97}, {"k": 0.97}])
    assert _text(decode_line(probs, CLASSES, DecodeOptions(lexicon=True))) == "Zorbik"


def test_a_bare_stroke_read_as_l_is_the_i_of_a_listed_word() -> None:
    # block capitals and dotless handwriting: one stroke is an i, an l or an I, and the model says l
    probs = _frames([{"a": 0.97}, {"g": 0.97}, {"a": 0.97}, {"l": 0.97}, {"n": 0.97}])
    assert _text(decode_line(probs, CLASSES, DecodeOptions(lexicon=False))) == "agaln"
    chars = decode_line(probs, CLASSES, DecodeOptions(lexicon=True))
    assert _text(chars) == "again"
    assert chars[3].alternatives[0][0] == "l" and chars[3].confidence > 0.9
    sure = _frames([{"a": 0.97}, {"g": 0.97}, {"a": 0.97}, {"t": 0.97}, {"n": 0.97}])
    assert _text(decode_line(sure, CLASSES, DecodeOptions(lexicon=True))) == "agatn"  # only strokes are pooled


@pytest.mark.parametrize(("read", "meant"), [
    ("l89l,", "1891,"),  # a typewriter without a 1 key
    ("lst", "1st"),  # an ordinal: more frequent than the letters
    ("2O5", "205"),
    ("lol", "lol"),  # no digit, no ordinal: letters
    ("I", "I"),
    ("Ill", "Ill"),
    ("A1", "A1"),  # a code, not a number
])
def test_digit_lookalikes_among_digits_are_digits(read: str, meant: str) -> None:
    probs = _frames([{c: 0.97} for c in read])
    assert _text(decode_line(probs, CLASSES, DecodeOptions(lexicon=False))) == read
    assert _text(decode_line(probs, CLASSES, DecodeOptions(lexicon=True))) == meant


def _by_every_path(probs: np.ndarray, labels: list[int]) -> float:
    """log P(labels | frames), summed over every path of the frames that collapses to the labels."""
    total = 0.0
    for path in itertools.product(range(probs.shape[1]), repeat=len(probs)):
        collapsed = [c for n, c in enumerate(path) if c != 0 and (n == 0 or c != path[n - 1])]
        if collapsed == labels:
            total += float(np.prod([probs[t, c] for t, c in enumerate(path)]))
    return float(np.log(total)) if total > 0 else -np.inf


def test_likelihoods_of_spellings_of_different_lengths_are_computed_together() -> None:
    probs = np.random.default_rng(1).dirichlet(np.ones(4), size=5)  # 5 frames, blank and 3 letters
    spellings = [[1, 2], [1, 1, 3], [], [3], [2, 2, 2, 2], [1, 2, 3, 1]]
    together = ctc_log_likelihoods(np.log(probs), spellings)
    assert together[4] == -np.inf  # four alike need a blank between each two: 7 frames > 5
    for spelling, value in zip(spellings, together, strict=True):
        assert value == pytest.approx(_by_every_path(probs, spelling))


def test_a_letter_the_best_path_dropped_is_put_back_when_the_frames_hold_it() -> None:
    letters = [{c: 0.97} for c in "the"] + [{" ": 0.97}]
    letters += [{"r": 0.97}, {"i": 0.97}, {"v": 0.97}, {"e": 0.3, "": 0.65}, {"r": 0.97}]
    probs = _frames(letters)
    assert _text(greedy_decode(probs, CLASSES)) == "the rivr"
    chars = decode_line(probs, CLASSES, DecodeOptions(lexicon=True))
    assert _text(chars) == "the river"
    assert [c.start for c in chars] == sorted(c.start for c in chars)  # the letters stay in reading order
    assert chars[-2].text == "e" and chars[-2].confidence < 0.5  # a letter the best path did not see is doubtful


def test_a_confident_unlisted_word_is_not_respelt_as_a_near_word() -> None:
    probs = _frames([{c: 0.97} for c in "shabe"])  # share, shape, shame ... are a letter away
    assert _text(decode_line(probs, CLASSES, DecodeOptions(lexicon=True))) == "shabe"
