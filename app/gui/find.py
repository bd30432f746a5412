"""Finding and replacing text across the document (Qt-free part)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.document import Document
from app.gui.refs import LineRef, page_lines


@dataclass(frozen=True, order=True)
class Match:
    """``needle`` found in a line's text at ``start:end``."""

    line: LineRef
    start: int
    end: int


def _pattern(needle: str, case: bool, whole_words: bool = False) -> re.Pattern[str]:
    body = re.escape(needle)
    if whole_words:
        body = rf"\b{body}\b"
    return re.compile(body, 0 if case else re.IGNORECASE)


def find_all(document: Document, needle: str, case: bool = False, whole_words: bool = False) -> list[Match]:
    """Every match in the document, in reading order."""
    if not needle:
        return []
    pattern = _pattern(needle, case, whole_words)
    matches: list[Match] = []
    for p, page in enumerate(document.pages):
        for ref, line in page_lines(page, p):
            matches.extend(Match(ref, m.start(), m.end()) for m in pattern.finditer(line.text))
    return matches


def replace_text(text: str, needle: str, replacement: str, case: bool = False, whole_words: bool = False,
                 only_at: int | None = None) -> str:
    """``text`` with every match (or only the one starting at ``only_at``) replaced."""
    pattern = _pattern(needle, case, whole_words)

    def swap(m: re.Match[str]) -> str:
        return replacement if only_at is None or m.start() == only_at else m.group(0)

    return pattern.sub(swap, text)
