"""Turning classifier output into text: letter case from line geometry, then word context.

EMNIST Balanced has one class for both cases of c i j k l m o p s u v w x y z
(labelled with the capital). :func:`decide_case` picks the case from where the
glyph sits on its line; :func:`decode_word` then chooses among every glyph's
top-k readings with a beam search scored by classifier probability, letter/digit
consistency, how English spells (a letter trigram model) and English word frequency
(``wordfreq``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from app.readings import CAPITAL_ONLY, X_HEIGHT_READINGS

#: Capital letters whose class also stands for the lower-case letter.
MERGED_CASE = frozenset("CIJKLMOPSUVWXYZ")
#: Lower-case letters that reach below the baseline.
DESCENDERS = frozenset("gjpqy")
#: Small marks by where they sit on the line; a 28 x 28 crop alone cannot tell them apart.
HIGH_MARKS = frozenset("'\"`")
MIDDLE_MARKS = frozenset("-=*+~")
LOW_MARKS = frozenset(".,")
SMALL_MARKS = HIGH_MARKS | MIDDLE_MARKS | LOW_MARKS
#: What a glyph cut in two, or two glyphs joined, may be read as when the word list is asked first.
LETTERS = "abcdefghijklmnopqrstuvwxyz"
_LETTER_PAIRS = [a + b for a in LETTERS for b in LETTERS]
#: A glyph's readings, (character, probability) best first; a word's are one list per glyph.
Readings = list[list[tuple[str, float]]]


@dataclass(frozen=True)
class GlyphGeometry:
    """Where a glyph sits on its line, in page pixels (y grows downwards)."""

    top: float
    bottom: float
    baseline: float
    x_height: float
    left: float = 0.0
    right: float = 0.0
    small_mark: bool = False
    cap_height: float = 0.0  # the line's capital/ascender height above the baseline; 0 when unknown

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def width(self) -> float:
        return self.right - self.left


@dataclass(frozen=True)
class DecodeOptions:
    """Weights of the word decoder."""

    lexicon: bool = True
    beam_width: int = 16  # 24 before: the same text on every tuning page set, decoding 25% faster; 12 and 8 lose
    lexicon_weight: float = 0.45
    lexicon_floor: float = 9.0
    mixed_penalty: float = 1.6  # a letter beside a digit
    #: a capital or a digit right after a small letter ("paTh", "aFter": t/T, f/F, g/G, a/A are separate
    #: classes whose handwritten shapes overlap); below the cost of flipping a sure small letter before it
    inner_capital_penalty: float = 4.0
    min_probability: float = 1e-4
    letter_model_weight: float = 0.15


def _above_x_height(measure: float, ratio: float) -> bool | None:
    """Whether ink ``measure`` x-heights tall rises above the x-height of a line whose cap height is
    ``ratio`` x-heights: compared with the midpoint of the two when the cap height is known and clearly
    above the x-height (printed capitals of sans and typewriter faces are only 1.2-1.35 x-heights
    tall), with fixed ratios otherwise; None when unsure."""
    if ratio >= 1.2:
        middle, band = (1.0 + ratio) / 2, 0.1 * (ratio - 1.0)
        return False if measure <= middle - band else True if measure >= middle + band else None
    return False if measure <= 1.25 else True if measure >= 1.4 else None


def looks_lowercase(geometry: GlyphGeometry) -> bool | None:
    """True for a glyph of x-height or with a descender, False for a tall one, None when unsure
    (its rise above the baseline, or without a known cap height its height, :func:`_above_x_height`)."""
    xh = geometry.x_height
    if xh <= 0:
        return None
    if geometry.bottom - geometry.baseline > 0.3 * xh:
        return True
    ratio = geometry.cap_height / xh
    measure = geometry.baseline - geometry.top if ratio >= 1.2 else geometry.height
    above = _above_x_height(measure / xh, ratio)
    return None if above is None else not above


def decide_case(char: str, geometry: GlyphGeometry | None, word_lowercase: bool | None = None,
                inside: bool = False) -> str:
    """Lower-case a merged-class capital when the glyph looks like a lower-case letter.

    ``k``, ``l`` and a dotted ``i`` are as tall as capitals, so for a tall glyph the
    rest of the word decides (``word_lowercase``); so it does for any tall letter ``inside`` a word,
    after its first, as for the other letters a capital after a small letter is unlikely (a
    hand-written "y" drawn large at the end of "Monday").
    """
    if char not in MERGED_CASE or geometry is None:
        return char
    lower = looks_lowercase(geometry)
    if lower is None or (lower is False and (char in "KLI" or inside) and word_lowercase):
        lower = bool(word_lowercase)
    return char.lower() if lower else char


def lowercase_by_shape(char: str, ink: np.ndarray, components: int) -> bool | None:
    """What the ink of a tall ``K``, ``L`` or ``I`` says about its case in print, where the word
    cannot tell ("London" in mid-sentence): a separate dot above makes an ``i``; a foot reaching
    far right of the stem an ``L``, none an ``l``; an upper arm reaching the top a ``K``, one that
    starts at the x-height a ``k``. None when the shape does not tell (and for other characters).
    Measured on the held-out printed faces, the three pairs are far apart (foot 0.55+ vs 0.35-
    heights; arm 0.00 vs 0.27+ heights from the top)."""
    height, width = ink.shape
    if height < 8 or not ink.any():
        return None
    if char == "I":
        rows = np.asarray(ink.any(axis=1), dtype=bool)
        first = int(np.argmax(rows))
        gap = np.flatnonzero(~rows[first:])
        dotted = components >= 2 and gap.size > 0 and first + int(gap[0]) <= 0.35 * height
        return True if dotted else None
    if char == "L":
        stem = int(np.argmax(ink.sum(axis=0)))
        foot = np.flatnonzero(ink[int(0.85 * height) :].any(axis=0))
        reach = (int(foot[-1]) - stem) / height if foot.size else 0.0
        return False if reach >= 0.45 else True if reach <= 0.35 else None
    if char == "K":
        arm = np.flatnonzero(ink[:, int(0.7 * width) :].any(axis=1))
        top = int(arm[0]) / height if arm.size else 1.0
        return False if top <= 0.12 else True if top >= 0.2 else None
    return None


def small_mark_position(geometry: GlyphGeometry) -> frozenset[str]:
    """The small marks that fit where this small glyph sits on its line."""
    xh = max(geometry.x_height, 1.0)
    centre = (geometry.top + geometry.bottom) / 2
    if geometry.bottom <= geometry.baseline - 0.55 * xh:
        return HIGH_MARKS
    if centre >= geometry.baseline - 0.3 * xh:
        return LOW_MARKS
    return MIDDLE_MARKS


def mark_from_geometry(geometry: GlyphGeometry) -> str:
    """Best guess of a small mark from its place and shape alone (for models without punctuation)."""
    place = small_mark_position(geometry)
    if place is HIGH_MARKS:
        return '"' if geometry.width > 1.2 * geometry.height else "'"
    if place is MIDDLE_MARKS:
        return "-"
    return "," if geometry.bottom > geometry.baseline + 0.15 * max(geometry.x_height, 1.0) else "."


def _best_first(readings: Iterable[tuple[str, float]]) -> list[tuple[str, float]]:
    """Readings sorted by probability, best first (stable for ties)."""
    return sorted(readings, key=lambda item: -item[1])


def _in_weakest_places(readings: list[tuple[str, float]], new: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """A glyph's readings with ``new`` ones added (a character it had keeps the larger probability) in
    the weakest others' places, so it has as many readings as before (or one more when it had one)."""
    had: dict[str, float] = {}
    for c, p in readings:
        had[c] = max(p, had.get(c, 0.0))
    added = {c for c, _ in new}
    rest = [(c, p) for c, p in readings if c not in added][: max(1, len(readings) - len(new))]
    return _best_first([*rest, *((c, max(p, had.get(c, 0.0))) for c, p in new)])


def reweigh_small_mark(readings: list[tuple[str, float]], geometry: GlyphGeometry) -> list[tuple[str, float]]:
    """Favour the marks that fit the glyph's position (marks of one shape, like comma and apostrophe, differ
    only by it); letters and digits are unlikely for a small mark."""
    allowed = small_mark_position(geometry)
    weighted = [(c, p * (1.0 if c in allowed else 0.001 if c in SMALL_MARKS else 0.05)) for c, p in readings]
    total = sum(p for _, p in weighted) or 1.0
    return _best_first((c, p / total) for c, p in weighted)


def is_mark_like(readings: list[tuple[str, float]], geometry: GlyphGeometry) -> bool:
    """A glyph read as a small mark and no taller than the x-height (a comma of a serif face is
    often too tall for segmentation's small-mark size limit, yet looks just like an apostrophe)."""
    return bool(readings) and readings[0][0] in SMALL_MARKS and geometry.height <= geometry.x_height


#: Marks that a speck of ink between two letters of a handwritten word is often read as.
SPECK_MARKS = frozenset("-.,:;")


def with_speck_readings(raw: Readings, geometries: list[GlyphGeometry], split: list[bool]) -> Readings:
    """Give a small mark between two letters the extra reading "nothing" (a speck of ink).

    Its probability is half the mark's, so without the lexicon the mark stays; with it
    the word decides (``w-ith`` becomes ``with``, ``psalm-hymn`` keeps its hyphen). A hyphen
    cut out of a wider component is the stroke that joined two hand-written letters (the
    long bar of a ``t``): there "nothing" comes first.
    """
    out = list(raw)
    for n, readings in enumerate(raw):
        top, prob = readings[0]
        if top not in SPECK_MARKS:
            continue
        if split[n] and top == "-":
            out[n] = [("", prob), *((c, 0.5 * p) for c, p in readings)]
        elif (0 < n < len(raw) - 1 and geometries[n].small_mark and raw[n - 1][0][0].isalpha()
              and raw[n + 1][0][0].isalpha()):
            out[n] = [*readings, ("", 0.5 * prob)]
    return out


#: A stem read as one of these, and not surely, may be a ``t`` whose faint crossbar was lost (the
#: recognizer's classes are "I" and "L" for ``i`` and ``l`` too).
STEMS = frozenset("il1IL")
WORN_T_SURE = 0.8
WORN_T_SHARE = 0.25
#: A ``t`` rises above the baseline less than this share of the line's ascender / cap height
#: (``l``, ``1``, ``I`` and a dotted ``i`` reach it).
T_RISE = 0.92


def with_worn_t(raw: Readings, geometries: list[GlyphGeometry]) -> Readings:
    """Give an unsure stem (``i``, ``l``, ``1``, ``I``, ``L`` below 0.8) that is shorter than the line's
    ascenders the reading ``t`` at a quarter of its probability: a worn or blurred ``t`` loses
    its thin crossbar and reads as a stem, and only the word can tell (``foresi`` becomes ``forest``)."""
    out = []
    for readings, geometry in zip(raw, geometries, strict=True):
        top, prob = readings[0]
        xh, rise = geometry.x_height, geometry.baseline - geometry.top
        short = geometry.cap_height >= 1.2 * xh > 0 and xh < rise < T_RISE * geometry.cap_height
        if top in STEMS and prob < WORN_T_SURE and short:
            readings = _in_weakest_places(readings, [("t", WORN_T_SHARE * prob)])
        out.append(readings)
    return out


#: Readings a glyph whose ink stays within the x-height can have: those segmentation allows it, and an
#: undotted ``i`` and a short ``t``, which hand-written pages have often enough.
SHORT_ALLOWS = X_HEIGHT_READINGS | {"I", "t"}
#: Lower-case letters with a class of their own that neither rise above the x-height nor descend.
X_HEIGHT_ONLY = frozenset("aenr")
#: What a reading keeps of its probability when the glyph's height rules it out ("n" read "h"). On the
#: validation-glyph pages 0.2 / 0.1 / 0.05 / 0.02 all helped, the smaller the more (the page generator
#: sizes letters exactly); 0.05 leaves room for hand-written heights that vary more than that.
HEIGHT_MISMATCH = 0.05


def rises_above_x_height(geometry: GlyphGeometry) -> bool | None:
    """True when a glyph's ink rises clearly above its line's x-height (an ascender, a capital or a
    digit), False when it stays within it, None when unsure or for a small mark."""
    xh = geometry.x_height
    if xh <= 0 or geometry.small_mark:
        return None
    return _above_x_height((geometry.baseline - geometry.top) / xh, geometry.cap_height / xh)


#: Capitals whose small letters are classes of their own ("T" and "t"); hand-written, the two often look
#: alike, and the recognizer can be sure of the wrong one.
CASE_PAIRS = CAPITAL_ONLY
#: The share of a capital's probability its small letter gets when the recognizer left it out (0.05 /
#: 0.1 / 0.2 on the validation-glyph pages, seeds 7 and 11: 218 + 196 / 205 + 187 / 203 + 185 errors).
OTHER_CASE_SHARE = 0.1


def with_other_case(raw: Readings) -> Readings:
    """Give a glyph read as a capital of :data:`CASE_PAIRS` its small letter as a reading too, at
    :data:`OTHER_CASE_SHARE` of the capital's probability, when it lacks a likelier one: the word
    decides ("doinG", "paTh": a capital right after a small letter costs more than this)."""
    out = []
    for readings in raw:
        have = dict(readings)
        extra = [(c.lower(), OTHER_CASE_SHARE * p) for c, p in readings
                 if c in CASE_PAIRS and have.get(c.lower(), 0.0) < OTHER_CASE_SHARE * p]
        out.append(_in_weakest_places(readings, extra) if extra else readings)
    return out


def reweigh_by_height(raw: Readings, geometries: list[GlyphGeometry]) -> Readings:
    """Readings the glyph's height rules out keep :data:`HEIGHT_MISMATCH` of their probability: letters
    with an ascender, capitals and digits for ink within the x-height ("n" read "h"), the x-height
    letters ``a e n r`` for ink that rises above it."""
    out = []
    for readings, geometry in zip(raw, geometries, strict=True):
        tall = rises_above_x_height(geometry)
        if tall is None:
            out.append(readings)
            continue
        weighted = [(c, p * HEIGHT_MISMATCH if (c in X_HEIGHT_ONLY if tall else c.isalnum() and c not in SHORT_ALLOWS)
                     else p) for c, p in readings]
        out.append(readings if weighted == readings else _best_first(weighted))
    return out


OPENING = frozenset("([")
CLOSING = frozenset(")]")
#: What may stand before an opening bracket in a word, and after a closing one.
LEADING = frozenset("\"'([")
TRAILING = frozenset(".,;:!?'\")]")


#: Readings a square bracket out of place gets, with their share of its probability: the stem of a
#: worn or heavy-serifed "l" or "1" looks like one.
STEMS_FOR_SQUARE_BRACKETS = (("L", 0.5), ("1", 0.25))


#: Brackets reach below the baseline by about a quarter of the x-height in print (0.2 and more on
#: the held-out faces); a glyph that ends within this share of it rests on the baseline like a letter.
BRACKET_DESCENT = 0.12


def rests_on_baseline(geometry: GlyphGeometry) -> bool:
    """Whether a glyph ends at the baseline instead of reaching below it as a bracket does."""
    return geometry.x_height > 0 and geometry.bottom < geometry.baseline + BRACKET_DESCENT * geometry.x_height


def reweigh_brackets(raw: Readings, open_before: bool = True,
                     geometries: list[GlyphGeometry] | None = None) -> Readings:
    """Brackets open and close words: inside a word a bracket is most likely a worn letter
    (an ``l`` with a heavy foot read as ``]``), so its reading there counts a twentieth; so does
    a closing bracket that closes nothing (none opened earlier in the word or, unless
    ``open_before``, on the page: "smal]"), and one that rests on the baseline (with ``geometries``:
    a worn "t" read as "[" in "[rees", a broken "o" as "c)"). A square bracket out of place may also
    be an ``l`` or a ``1`` (:data:`STEMS_FOR_SQUARE_BRACKETS`)."""
    tops = [readings[0][0] for readings in raw]
    out = []
    for n, readings in enumerate(raw):
        resting = geometries is not None and rests_on_baseline(geometries[n])
        opens = all(t in LEADING for t in tops[:n]) and not resting
        closes = (all(t in TRAILING for t in tops[n + 1:]) and (open_before or any(t in OPENING for t in tops[:n]))
                  and not resting)
        weighted = [(c, p * (0.05 if (c in OPENING and not opens) or (c in CLOSING and not closes) else 1.0))
                    for c, p in readings]
        if weighted == readings:
            out.append(readings)
            continue
        square = sum(p for c, p in readings if c in "[]" and (c, p) not in weighted)
        for stem, share in STEMS_FOR_SQUARE_BRACKETS:
            before = next((p for c, p in weighted if c == stem), 0.0)
            weighted = [(c, p) for c, p in weighted if c != stem] + [(stem, before + share * square)]
        scale = sum(p for _, p in readings) / (sum(p for _, p in weighted) or 1.0)
        out.append(_best_first((c, p * scale) for c, p in weighted))
    return out


def ends_sentence(text: str) -> bool:
    """Whether a word closes a sentence, so the next word starts with a capital."""
    return text.rstrip("'\")]").endswith((".", "!", "?"))


def word_is_lowercase(chars: list[str], geometries: list[GlyphGeometry | None]) -> bool | None:
    """Majority vote of the glyphs whose case is known from their class or shape."""
    votes = 0
    for char, geometry in zip(chars, geometries, strict=True):
        if not char.isalpha():
            continue
        if char not in MERGED_CASE:
            votes += 1 if char.islower() else -1
        elif geometry is not None and char not in "KLI":
            shape = looks_lowercase(geometry)
            if shape is not None:
                votes += 1 if shape else -1
    if votes == 0:
        return None
    return votes > 0


#: The only marks a word may hold inside it (``small's``, ``psalm-hymn``).
WORD_JOINERS = frozenset("'-")
#: Marks that may stand before or after a word.
WORD_EDGE_MARKS = ".,;:!?'\"()[]"


@lru_cache(maxsize=200_000)
def word_score(word: str) -> float:
    """log10 frequency of the word in English, ``-inf`` when unknown."""
    core = word.strip(WORD_EDGE_MARKS).lower()
    if not core or not all(c.isalnum() or c in WORD_JOINERS for c in core):
        return -math.inf  # wordfreq would score "c]ear" as the two words "c" and "ear"
    from wordfreq import word_frequency

    # a plain word is one lookup in wordfreq's cached dict (100 times cheaper than word_frequency());
    # digits, apostrophes and hyphens go through wordfreq's tokeniser
    freq = _frequencies().get(core, 0.0) if core.isalpha() else word_frequency(core, "en")
    return math.log10(freq) if freq > 0 else -math.inf


def in_word_list(text: str) -> bool | None:
    """Whether a read word is in the word list (a word missing from it was likely misread); None for
    what holds a digit or no letter at all."""
    core = text.strip(WORD_EDGE_MARKS)
    if not any(c.isalpha() for c in core) or any(c.isdigit() for c in core):
        return None
    return word_score(core) > -math.inf


def two_letters_make_a_word(text: str, position: int, gain: float, least_frequency: float = 0.0) -> bool:
    """Whether the letter at ``position`` of a read word, replaced by two letters, gives a listed word
    ``gain`` times as frequent as the one read (any listed word when that one is unlisted) and at least
    ``least_frequency`` frequent: a cheap test before cutting a glyph that may be two touching letters
    ("brom" -> "brown"). Words are the runs of letters around the replaced part."""
    head, tail, word = _letters_around(text, position, position + 1)
    return _best_filled(head, tail, 2) > max(gain * _frequencies().get(word, 0.0), least_frequency)


def one_letter_makes_a_word(text: str, position: int, gain: float) -> bool:
    """The same for the two characters at ``position`` replaced by one letter: a test before joining two
    glyphs that may be one broken letter ("i'orest" -> "forest"). A word of two letters is never
    joined into one ("al" is no broken "d")."""
    head, tail, word = _letters_around(text, position, position + 2)
    return bool(head or tail) and _best_filled(head, tail, 1) > gain * _frequencies().get(word, 0.0)


#: Endings an apostrophe inside a word stands before ("small's", "don't", "we'll").
CONTRACTIONS = frozenset({"s", "t", "d", "m", "ll", "re", "ve"})


def out_of_place_marks_only(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` holds letters and only marks a word has no use for there: inside
    the word and not an apostrophe before a contraction's ending ("i'orest", not "first:" or "number's")."""
    core_start = len(text) - len(text.lstrip(WORD_EDGE_MARKS))
    core_end = len(text.rstrip(WORD_EDGE_MARKS))
    for i in range(start, end):
        if text[i].isalpha():
            continue
        if not core_start < i < core_end - 1 or (text[i] == "'" and text[i + 1 : core_end].lower() in CONTRACTIONS):
            return False
    return True


def _letters_around(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The runs of letters just before ``start`` and from ``end`` on, and the whole run, lower-cased."""
    first, last = start, end
    while first > 0 and text[first - 1].isalpha():
        first -= 1
    while last < len(text) and text[last].isalpha():
        last += 1
    return text[first:start].lower(), text[end:last].lower(), text[first:last].lower()


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en")


@lru_cache(maxsize=50_000)
def _best_filled(head: str, tail: str, letters: int) -> float:
    """Frequency of the most frequent listed word ``head`` + ``letters`` letters (1 or 2) + ``tail``."""
    fills = _LETTER_PAIRS if letters == 2 else LETTERS
    words = (head + (tail + "\n" + head).join(fills) + tail).split("\n")  # every head + fill + tail
    return max(map(_frequencies().get, words, itertools.repeat(0.0, len(words))))


def lexicon_bonus(word: str, options: DecodeOptions) -> float:
    """What being a frequent word adds to a reading's log probability (0 for an unlisted word)."""
    freq = word_score(word) if options.lexicon else -math.inf
    return options.lexicon_weight * max(0.0, freq + options.lexicon_floor) if freq > -math.inf else 0.0


def reading_score(word: str, probabilities: Iterable[float], options: DecodeOptions) -> float:
    """How good a whole reading of a word is: its glyphs' log probabilities plus its lexicon bonus."""
    return sum(math.log(max(p, options.min_probability)) for p in probabilities) + lexicon_bonus(word, options)


#: Words the letter model learns spelling from: the most frequent English words, each counted once.
LETTER_MODEL_WORDS = 60_000


def common_words(count: int) -> list[str]:
    """The ``count`` most frequent English words made of ASCII letters only, most frequent first."""
    from wordfreq import iter_wordlist

    return list(itertools.islice((w for w in iter_wordlist("en") if w.isalpha() and w.isascii()), count))


@lru_cache(maxsize=1)
def _letter_model() -> tuple[dict[str, float], dict[str, float]]:
    """log P(letter | the two before it) in English words, and the log probability of an unseen letter
    after each pair ("^" pads a word's start, "$" marks its end)."""
    from collections import Counter

    triples: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for word in common_words(LETTER_MODEL_WORDS):
        padded = "^^" + word + "$"
        for i in range(2, len(padded)):
            triples[padded[i - 2 : i + 1]] += 1
            pairs[padded[i - 2 : i]] += 1
    log_p = {t: math.log((n + 0.5) / (pairs[t[:2]] + 13.5)) for t, n in triples.items()}
    unseen = {pair: math.log(0.5 / (n + 13.5)) for pair, n in pairs.items()}
    return log_p, unseen


#: log P(letter) after two letters no listed word has together.
UNSEEN_PAIR = math.log(1 / 27)


@lru_cache(maxsize=1)
def _spelling_range() -> float:
    """The most one letter's log probability under the letter model can differ from another's."""
    log_p, unseen = _letter_model()
    values = [*log_p.values(), *unseen.values(), UNSEEN_PAIR]
    return max(values) - min(values)


def letter_log_p(history: str, char: str) -> float:
    """log P(``char`` | the two letters before it), ``history`` being those two (or "^" padding)."""
    log_p, unseen = _letter_model()
    return log_p.get(history + char, unseen.get(history, UNSEEN_PAIR))


def _kind(char: str) -> str:
    if char.isalpha():
        return "upper" if char.isupper() else "lower"
    return "digit" if char.isdigit() else "other"


#: Neighbours a word seldom has: a letter beside a digit (a capital or digit after a small letter: below).
_MIXED = frozenset({("lower", "digit"), ("upper", "digit"), ("digit", "lower"), ("digit", "upper")})


def decode_word(candidates: list[list[tuple[str, float]]], options: DecodeOptions | None = None) -> list[int]:
    """Choose one reading per glyph of a word.

    Args:
        candidates: for every glyph, its (character, probability) readings, best first.
        options: decoder weights.

    Returns:
        For every glyph, the index into its candidate list that was chosen.
    """
    options = options or DecodeOptions()
    if not candidates:
        return []
    weight = options.letter_model_weight if options.lexicon else 0.0
    spelling, unseen = _letter_model() if weight else ({}, {})
    # A reading this much (in log probability) below its glyph's best can never win: the lexicon
    # bonus (log10 frequency <= 0), the penalties of its two neighbours (letter beside digit, capital
    # after a small letter) and what the spelling of it and of the next two letters can add are smaller.
    neighbour = max(options.mixed_penalty, options.inner_capital_penalty)
    max_gain = ((options.lexicon_weight * options.lexicon_floor if options.lexicon else 0.0)
                + 2 * neighbour + (3 * weight * _spelling_range() if weight else 0.0))
    # beam items: (score, chosen indices, last kind, the last two letters for the letter model)
    beam: list[tuple[float, tuple[int, ...], str, str]] = [(0.0, (), "", "^^")]
    for readings in candidates:
        floor = max(p for _, p in readings) * math.exp(-max_gain)
        # (index, log probability, kind, letter) of the readings worth keeping, worked out once per glyph
        kept = [(i, math.log(max(prob, options.min_probability)), _kind(char), char.lower())
                for i, (char, prob) in enumerate(readings) if prob >= floor]
        grown = []
        for score, chosen, last, history in beam:
            for i, log_prob, kind, letter in kept:
                penalty = options.mixed_penalty if (last, kind) in _MIXED else 0.0
                if last == "lower" and kind in ("upper", "digit"):  # no cheaper for a digit than a capital
                    penalty = max(penalty, options.inner_capital_penalty)
                if weight and kind in ("lower", "upper"):
                    spelt = spelling.get(history + letter)  # letter_log_p, inlined: the beam's hottest line
                    if spelt is None:
                        spelt = unseen.get(history, UNSEEN_PAIR)
                    grown.append((score + log_prob - penalty + weight * spelt, (*chosen, i), kind, history[1] + letter))
                else:
                    grown.append((score + log_prob - penalty, (*chosen, i), kind, history if letter == "" else "^^"))
        grown.sort(key=lambda item: -item[0])
        beam = grown[: options.beam_width]
    if options.lexicon:
        best_score, best = -math.inf, beam[0][1]
        for score, chosen, _, _ in beam:
            word = "".join(candidates[g][i][0] for g, i in enumerate(chosen))
            bonus = lexicon_bonus(word, options)
            if score + bonus > best_score:
                best_score, best = score + bonus, chosen
        return list(best)
    return list(beam[0][1])
