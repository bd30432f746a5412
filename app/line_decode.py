"""Decoding a line model's CTC frames into characters, with word context where asked.

The best path gives the characters and where they lie. With the lexicon on, a word that is not in
the word list (``wordfreq``) is read again: spellings made of its characters' alternatives that are
listed words, and the frequent words a few letters away from the reading (a letter the best path
dropped or doubled: "Membes" -> "Members"), are scored by the CTC probability of the word's own frames
(every alignment, not just the best path) plus a bonus for the word's frequency, and the best of them
replaces the reading when it scores higher. One stroke may be an i, an l or a capital I (dotless
handwriting, block capitals): the word list decides between them. Words with digits (amounts, dates,
codes) and words already listed are left as read; a name the model is sure of outscores any listed
word it might be mistaken for. Among digits, an l, I or i is a 1 and an O or o a 0 (many typewriters
had no 1 key: "l89l" is 1891), and so is one before an ordinal's ending when that makes a more
frequent word ("lst" -> "1st").
"""

from __future__ import annotations

import heapq
import math
import re
from functools import lru_cache

import numpy as np

from app.decode import WORD_EDGE_MARKS, DecodeOptions, common_words, in_word_list, lexicon_bonus, word_score
from recognizer.ctc import CharSpan, ctc_log_likelihoods, greedy_decode

#: Spellings tried per unlisted word (the most probable by their characters' alternatives).
CANDIDATES = 48
#: Natural-log points a listed word gains per unit of :func:`app.decode.lexicon_bonus`.
LEXICON_SCALE = 1.0
#: Characters of an unlisted word whose alternatives are tried.
MAX_WORD = 20
#: Letters one stroke can be (a dotless i, an l, a capital I): when a word is read again, each of them is as
#: probable as the model's reading of the stroke.
ONE_STROKE = "ilI"
#: Letters that stand for digits among digits (typewriters without a 1 key; a round O for a zero).
DIGIT_LOOKALIKES = {"l": "1", "I": "1", "i": "1", "O": "0", "o": "0"}
NUMBER = re.compile(r"\d+(st|nd|rd|th)?")
#: The frequent words a reading may be respelt as when it is a few letters away from one of them.
NEAR_WORDS = 50_000
#: Of those, the nearest (then the most frequent) tried per unlisted word.
NEAR_CANDIDATES = 24


def decode_line(probs: np.ndarray, classes: tuple[str, ...], options: DecodeOptions | None = None,
                top_k: int = 5) -> list[CharSpan]:
    """The characters of one line: best path, then unlisted words read again with the word list."""
    chars = _tidy_spaces(greedy_decode(probs, classes, top_k))
    if options is None or not options.lexicon:
        return chars
    log_probs = np.log(np.maximum(probs, 1e-12))
    index = {c: i for i, c in enumerate(classes)}
    for start, end in reversed(_words(chars)):  # from the end: a respelt word may change the line's length
        word = _reread_word(chars, start, end, log_probs, index, options)
        _read_as_number(word)
        chars[start:end] = word
    return chars


def _tidy_spaces(chars: list[CharSpan]) -> list[CharSpan]:
    """No leading, trailing or doubled spaces."""
    out: list[CharSpan] = []
    for char in chars:
        if char.text == " " and (not out or out[-1].text == " "):
            continue
        out.append(char)
    while out and out[-1].text == " ":
        out.pop()
    return out


def _words(chars: list[CharSpan]) -> list[tuple[int, int]]:
    """(start, end) index ranges of the runs of non-space characters."""
    words, start = [], None
    for n, char in enumerate([*chars, CharSpan(" ", 0, 0, 1.0)]):
        if char.text != " " and start is None:
            start = n
        elif char.text == " " and start is not None:
            words.append((start, n))
            start = None
    return words


def _reread_word(chars: list[CharSpan], start: int, end: int, log_probs: np.ndarray, index: dict[str, int],
                 options: DecodeOptions) -> list[CharSpan]:
    """The characters of ``chars[start:end]``, respelt as a listed word that scores higher if there is one."""
    word = chars[start:end]
    text = "".join(c.text for c in word)
    if in_word_list(text) is not False or len(word) > MAX_WORD:
        return word  # listed, or holds a digit or no letter: kept as read
    first = chars[start - 1].end + 1 if start > 0 else 0
    last = chars[end].start if end < len(chars) else len(log_probs)
    frames = _one_stroke_pooled(log_probs[first:last], index)
    spellings = [text, *dict.fromkeys(s for s in [*_spellings(word), *_near_spellings(text)]
                                      if s != text and all(c in index for c in s) and in_word_list(s))]
    scores = ctc_log_likelihoods(frames, [[index[c] for c in s] for s in spellings])
    scores += LEXICON_SCALE * np.array([lexicon_bonus(s, options) for s in spellings])
    best = spellings[int(np.argmax(scores))]
    if best == text:
        return word
    if len(best) == len(text):
        for char, letter in zip(word, best, strict=True):
            _choose(char, letter)
        return word
    return _respelt(word, best)


def _near_spellings(text: str) -> list[str]:
    """Frequent words a few letters away from a reading (the case of its first letter, or of all, kept)."""
    core = text.strip(WORD_EDGE_MARKS)
    lead = text[: len(text) - len(text.lstrip(WORD_EDGE_MARKS))]
    trail = text[len(lead) + len(core) :]
    if len(core) < 3 or not core.isalpha():
        return []
    near = _near_words(core.lower())
    if core.isupper() and len(core) > 1:
        near = [w.upper() for w in near]
    elif core[0].isupper():
        near = [w.capitalize() for w in near]
    return [lead + w + trail for w in near]


@lru_cache(maxsize=20_000)
def _near_words(core: str) -> list[str]:
    """The :data:`NEAR_CANDIDATES` nearest of the :data:`NEAR_WORDS` most frequent words within an edit
    distance of a third of the word's length (1 to 3 letters), nearest and most frequent first."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    reach = min(3, max(1, len(core) // 3))
    by_length = _frequent_words()
    found = []
    for length in range(len(core) - reach, len(core) + reach + 1):
        words = by_length.get(length, [])
        found += [(distance, rank, word) for word, distance, rank in process.extract(
            core, words, scorer=Levenshtein.distance, score_cutoff=reach, limit=None)]
    return [word for _, _, word in sorted(found)[:NEAR_CANDIDATES] if word != core]


@lru_cache(maxsize=1)
def _frequent_words() -> dict[int, list[str]]:
    """The :data:`NEAR_WORDS` most frequent English words of letters only, by length, most frequent first."""
    by_length: dict[int, list[str]] = {}
    for word in common_words(NEAR_WORDS):
        by_length.setdefault(len(word), []).append(word)
    return by_length


def _respelt(word: list[CharSpan], spelling: str) -> list[CharSpan]:
    """The word's characters as ``spelling`` of another length: letters kept where the two agree, the
    others spread over the frames of the characters they replace (or next to their neighbour), each with
    its probability among the alternatives the model gave there (0 for a letter it did not see)."""
    from rapidfuzz.distance import Levenshtein

    text = "".join(c.text for c in word)
    respelt: list[CharSpan] = []
    for op in Levenshtein.opcodes(text, spelling):
        tag, i1, i2, j1, j2 = op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end
        if tag == "equal":
            respelt += word[i1:i2]
            continue
        if tag == "delete":
            continue
        source = word[i1:i2] or [word[i1 - 1] if i1 > 0 else word[0]]
        lo, hi = source[0].start, source[-1].end
        count = j2 - j1
        for n, letter in enumerate(spelling[j1:j2]):
            a = lo + (hi - lo + 1) * n // count
            b = max(a, lo + (hi - lo + 1) * (n + 1) // count - 1)
            near = source[min(len(source) - 1, n * len(source) // count)]
            respelt.append(CharSpan(letter, a, b, dict(near.alternatives).get(letter, 0.0), list(near.alternatives)))
    return respelt


def _read_as_number(word: list[CharSpan]) -> None:
    """Digit look-alikes in a number read as digits: in a word that holds a digit and is a number (or an
    ordinal) once they are, or an ordinal that is a more frequent word than the letters ("lst")."""
    text = "".join(c.text for c in word)
    core = text.strip(WORD_EDGE_MARKS)
    first = len(text) - len(text.lstrip(WORD_EDGE_MARKS))
    digits = "".join(DIGIT_LOOKALIKES.get(c, c) for c in core)
    if digits == core or not NUMBER.fullmatch(digits):
        return
    if not any(c.isdigit() for c in core) and not (digits[-1].isalpha() and word_score(digits) > word_score(core)):
        return
    for char, digit in zip(word[first: first + len(core)], digits, strict=True):
        if char.text != digit:
            char.confidence = dict(char.alternatives).get(digit, char.confidence)
            char.text = digit


def _one_stroke_pooled(frames: np.ndarray, index: dict[str, int]) -> np.ndarray:
    """Log frame probabilities in which each :data:`ONE_STROKE` letter has the probability of them all."""
    columns = [index[c] for c in ONE_STROKE if c in index]
    pooled = frames.copy()
    pooled[:, columns] = np.logaddexp.reduce(frames[:, columns], axis=1, keepdims=True)
    return pooled


def _spellings(word: list[CharSpan]) -> list[str]:
    """The :data:`CANDIDATES` most probable spellings from the characters' alternatives (a one-stroke
    letter standing for any of them)."""
    options = []
    for char in word:
        readings = [(c, math.log(max(p, 1e-6))) for c, p in char.alternatives] or [(char.text, 0.0)]
        strokes = [lp for c, lp in readings if c in ONE_STROKE]
        if strokes:
            readings = [r for r in readings if r[0] not in ONE_STROKE] + [(c, max(strokes)) for c in ONE_STROKE]
        options.append(readings)
    beam = [(0.0, "")]
    for choices in options:
        beam = heapq.nlargest(CANDIDATES, ((score + lp, text + c) for score, text in beam for c, lp in choices))
    return [text for _, text in beam]


def _choose(char: CharSpan, letter: str) -> None:
    """Make ``letter`` the character's reading, its alternative's probability its confidence (the
    alternatives stay the model's, best first)."""
    if char.text != letter:
        char.text = letter
        readings = dict(char.alternatives)
        if letter in readings or letter not in ONE_STROKE:
            char.confidence = readings.get(letter, 0.0)
        else:  # the stroke the model saw, the letter the word list chose
            char.confidence = sum(p for c, p in readings.items() if c in ONE_STROKE)
