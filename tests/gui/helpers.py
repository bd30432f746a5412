"""Small helpers shared by the GUI tests."""

from __future__ import annotations

from app.document import Document, Glyph
from app.gui.refs import GlyphRef, glyph_at


def existing_glyph(document: Document, ref: GlyphRef | None) -> Glyph:
    """The glyph at ``ref``; fails the test when there is none."""
    glyph = glyph_at(document, ref)
    assert glyph is not None
    return glyph
