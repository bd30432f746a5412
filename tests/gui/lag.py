"""A synthetic long page (no recognition needed) and an event-loop stall meter, for the GUI tests."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import cv2
from PySide6.QtCore import QCoreApplication, QTimer

from app.document import Block, Document, Glyph, Line, Page, Word
from app.gui.session import PageImageData
from tests.gui.conftest import draw_page

WORDS = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "and", "then", "runs", "far", "away"]


def long_page(lines: int = 60) -> tuple[Document, PageImageData]:
    """A page of ``lines`` text lines with glyph boxes where cv2 drew the letters (roughly)."""
    texts = [" ".join(WORDS[(i + k) % len(WORDS)] for k in range(6)) for i in range(lines)]
    image = draw_page(texts, width=1700, scale=1.2)
    built = []
    for i, text in enumerate(texts):
        y1 = 90 + 70 * i + 6
        y0 = y1 - 36
        words, x = [], 40
        for token in text.split():
            glyphs = []
            for c in token:
                conf = 0.5 if (i + x) % 7 == 0 else 0.97
                glyphs.append(Glyph(bbox=(x, y0, x + 22, y1), text=c, confidence=conf))
                x += 24
            words.append(Word(bbox=(glyphs[0].bbox[0], y0, glyphs[-1].bbox[2], y1), glyphs=glyphs))
            x += 24
        built.append(Line(bbox=(40, y0, words[-1].bbox[2], y1), words=words, baseline=y1 - 6, x_height=18))
    height, width = image.shape
    page = Page(index=0, width=width, height=height,
                blocks=[Block(bbox=(40, built[0].bbox[1], width, built[-1].bbox[3]), lines=built)])
    ok, png = cv2.imencode(".png", image)
    assert ok
    return Document(source="long.png", pages=[page]), PageImageData(image, png.tobytes(), recognized=True)


@contextmanager
def tick_gaps(interval_ms: int) -> Iterator[list[float]]:
    """While inside, a timer ticks every ``interval_ms``; the list gets the gaps (s) between its ticks."""
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(interval_ms)
    timer.timeout.connect(tick)
    timer.start()
    try:
        yield gaps
    finally:
        timer.stop()


def max_stall(steps: list[Callable[[], None]], settle_ms: int = 30) -> float:
    """Run ``steps`` one per event-loop turn while a 5 ms timer ticks; the largest gap between ticks (s)."""
    with tick_gaps(5) as gaps:
        for step in steps:
            step()
            end = time.perf_counter() + settle_ms / 1000
            while time.perf_counter() < end:
                QCoreApplication.processEvents()
    return max(gaps[1:], default=0.0)
