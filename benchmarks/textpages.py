"""Pages of real English text for end-to-end benchmarks and the bundled sample.

:func:`handwritten_text_page` writes English sentences with real EMNIST glyphs:
every character is drawn by a random glyph of its class, at the height its letter
has in handwriting (x-height letters small, ascenders and capitals tall,
descenders below the baseline), with jittered spacing and baselines.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from recognizer.synthetic_lines import DESCENDERS, ink_crop, sized_letter
from segmentation.synthetic import GlyphTruth, LineTruth, SyntheticPage, WordTruth

CLASSES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghnqrt"


@lru_cache(maxsize=1)
def english_words(n: int = 3000) -> tuple[str, ...]:
    """Frequent English words (letters only) from ``wordfreq``."""
    from wordfreq import top_n_list

    return tuple(w for w in top_n_list("en", n) if w.isalpha() and w.isascii())


def english_sentences(rng: np.random.Generator, n_chars: int) -> list[str]:
    """Words of English sentences (first word capitalised, a number now and then) totalling ``n_chars``."""
    vocab = english_words()
    weights = 1.0 / np.arange(1, len(vocab) + 1) ** 0.6
    weights /= weights.sum()
    words: list[str] = []
    total, start = 0, True
    while total < n_chars:
        if rng.random() < 0.04:
            word = str(int(rng.integers(2, 2030)))
        else:
            word = str(vocab[rng.choice(len(vocab), p=weights)])
            if start:
                word = word.capitalize()
        start = rng.random() < 0.12
        words.append(word)
        total += len(word) + 1
    return words


def class_of(char: str) -> int:
    """EMNIST Balanced class of a character (merged lower-case letters use their capital)."""
    if char in CLASSES:
        return CLASSES.index(char)
    return CLASSES.index(char.upper())


def handwritten_text_page(
    words: list[str],
    glyphs: np.ndarray,
    labels: np.ndarray,
    rng: np.random.Generator,
    size: tuple[int, int] = (2480, 3508),
    cap_height: int = 40,
    margin: int = 160,
) -> SyntheticPage:
    """Write ``words`` with EMNIST glyphs (N, 28, 28 upright, white on black) onto a page."""
    by_class = [np.flatnonzero(labels == c) for c in range(len(CLASSES))]
    width, height = size
    page = np.full((height, width), 246, dtype=np.uint8)
    lines: list[LineTruth] = []
    pitch = cap_height * 2.1
    baseline = float(margin + cap_height)
    queue = list(words)
    while queue and baseline + cap_height < height - margin:
        x = margin + rng.uniform(0, cap_height * 0.5)
        line_words: list[WordTruth] = []
        while queue:
            word = queue[0]
            if x + len(word) * cap_height * 0.85 > width - margin:
                break
            queue.pop(0)
            boxes = []
            for char in word:
                pick = by_class[class_of(char)]
                ink = ink_crop(glyphs[pick[rng.integers(len(pick))]])
                if ink is None:
                    continue
                big = sized_letter(ink, char, cap_height, rng)
                h, w = big.shape
                drop = cap_height * 0.3 if char in DESCENDERS else 0.0
                bottom = round(baseline + drop + rng.uniform(-0.04, 0.04) * cap_height)
                left = round(x)
                region = page[bottom - h : bottom, left : left + w]
                darkness = rng.uniform(0.8, 0.95)
                np.minimum(region, (255 - big.astype(np.float32) * darkness).astype(np.uint8), out=region)
                boxes.append(GlyphTruth((left, bottom - h, left + w, bottom), char))
                x += w + rng.uniform(0.15, 0.3) * cap_height
            if boxes:
                line_words.append(WordTruth(
                    (min(b.bbox[0] for b in boxes), min(b.bbox[1] for b in boxes),
                     max(b.bbox[2] for b in boxes), max(b.bbox[3] for b in boxes)), word, boxes))
            x += rng.uniform(0.8, 1.2) * cap_height
        if not line_words:
            break
        bbox = (min(w.bbox[0] for w in line_words), min(w.bbox[1] for w in line_words),
                max(w.bbox[2] for w in line_words), max(w.bbox[3] for w in line_words))
        lines.append(LineTruth(bbox, " ".join(w.text for w in line_words), line_words, float(baseline)))
        baseline += pitch * rng.uniform(0.97, 1.03)
    return SyntheticPage(page, lines)


def page_text(page: SyntheticPage) -> str:
    """Ground truth: one line of text per line."""
    return "\n".join(line.text for line in page.lines)


__all__ = ["GlyphTruth", "english_sentences", "handwritten_text_page", "page_text"]
