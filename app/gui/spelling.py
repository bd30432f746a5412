"""Which read words look wrong: not in the English word list (wordfreq) nor the user's dictionary,
and not a number or a name (Qt-free).

The word list loads once (about half a second); :meth:`Spelling.warm` does that on a worker, and
until then :meth:`Spelling.suspicious` answers False rather than stall the window.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.atomic import write_text_atomic
from app.document import Document, Word
from app.gui.refs import GlyphRef

EDGE_MARKS = ".,;:!?'\"()[]"


@dataclass(frozen=True)
class DoubtfulWord:
    """A word worth a look: its first glyph, its text, and why."""

    ref: GlyphRef  # the first glyph below the threshold, else the word's first glyph
    text: str
    reason: str  # "low confidence" or "not in the lexicon"


class Spelling:
    """The lexicon check plus a user dictionary stored one word a line in ``path``."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._ready = False
        self.user_words: set[str] = set()
        if path is not None and path.is_file():
            self.user_words = {w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip()}

    @property
    def ready(self) -> bool:
        return self._ready

    def warm(self) -> bool:
        """Load the word list (call on a worker); returns True."""
        from app.decode import in_word_list

        with self._lock:
            in_word_list("the")
            self._ready = True
        return True

    def accept(self, word: str) -> None:
        """Add a word to the user dictionary (written atomically)."""
        core = word.strip(EDGE_MARKS)
        if not core or core in self.user_words:
            return
        self.user_words.add(core)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self.path, "".join(f"{w}\n" for w in sorted(self.user_words)))

    def suspicious(self, text: str) -> bool:
        """True for a word outside the lexicon and the user dictionary that is no number and no name."""
        if not self._ready:
            return False
        from app.decode import in_word_list

        core = text.strip(EDGE_MARKS)
        if len(core) < 2 or core in self.user_words or core.lower() in self.user_words:
            return False
        listed = in_word_list(core)
        if listed is None or listed:
            return False
        is_name = core[0].isupper() and core[1:].replace("'", "").replace("-", "").islower()
        return not is_name

    def word_doubtful(self, word: Word, threshold: float) -> str | None:
        """Why ``word`` is doubtful (None when it is not); corrected words never are."""
        if any(g.corrected for g in word.glyphs):
            return None
        if any(g.confidence < threshold for g in word.glyphs):
            return "low confidence"
        if self.suspicious(word.text):
            return "not in the lexicon"
        return None

    def doubtful_words(self, document: Document, threshold: float) -> Iterator[DoubtfulWord]:
        """Every doubtful word of the document in reading order."""
        for p, page in enumerate(document.pages):
            for b, block in enumerate(page.blocks):
                for i, line in enumerate(block.lines):
                    for w, word in enumerate(line.words):
                        reason = self.word_doubtful(word, threshold) if word.glyphs else None
                        if reason is None:
                            continue
                        g = next((k for k, glyph in enumerate(word.glyphs) if glyph.confidence < threshold), 0)
                        yield DoubtfulWord(GlyphRef(p, b, i, w, g), word.text, reason)
