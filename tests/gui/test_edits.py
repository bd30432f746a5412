"""Qt-free edit operations and refs."""

from __future__ import annotations

from app.document import Alternative, Block, Document, Glyph, Line, Page, Word
from app.gui import edits
from app.gui.refs import GlyphRef, clamp_ref, next_doubtful


def _line(text: str, confidence: float = 0.95) -> Line:
    words, x = [], 0
    for token in text.split(" "):
        glyphs = []
        for char in token:
            glyphs.append(Glyph(bbox=(x, 0, x + 10, 20), text=char, confidence=confidence,
                                alternatives=[Alternative(char, confidence)]))
            x += 12
        words.append(Word(bbox=(glyphs[0].bbox[0], 0, glyphs[-1].bbox[2], 20), glyphs=glyphs))
        x += 10
    return Line(bbox=(0, 0, x, 20), words=words, baseline=18, x_height=10)


def test_same_length_edit_corrects_glyphs() -> None:
    line = _line("the cat")
    new = edits.apply_line_text(line, "tho cat")
    assert new.text == "tho cat"
    changed = [g for w in new.words for g in w.glyphs if g.corrected]
    assert [g.text for g in changed] == ["o"] and changed[0].bbox == line.words[0].glyphs[2].bbox
    assert line.text == "the cat"  # input untouched


def test_deletion_insertion_and_word_split() -> None:
    line = _line("thee cat")
    assert edits.apply_line_text(line, "the cat").text == "the cat"
    assert len(edits.apply_line_text(line, "the cat").words[0].glyphs) == 3
    joined = edits.apply_line_text(line, "theecat")
    assert joined.text == "theecat" and len(joined.words) == 1
    split = edits.apply_line_text(line, "th ee cat")
    assert split.text == "th ee cat" and len(split.words) == 3
    inserted = edits.apply_line_text(line, "theme cat")
    assert inserted.text == "theme cat" and sum(len(w.glyphs) for w in inserted.words) == 7


def test_merge_split_delete_insert() -> None:
    line = _line("ab cd")
    merged = edits.merge_with_next(line, 0, 1)  # b + c across the word gap
    assert merged is not None and merged.text == "abcd" and len(merged.words) == 1
    assert merged.words[0].glyphs[1].bbox == (12, 0, 44, 20)
    assert edits.merge_with_next(line, 1, 1) is None
    split = edits.split_glyph(line, 0, 0)
    assert split is not None and len(split.words[0].glyphs) == 3 and split.words[0].glyphs[1].bbox[0] == 5
    deleted = edits.delete_glyph(edits.delete_glyph(line, 1, 0), 1, 0)
    assert deleted.text == "ab" and len(deleted.words) == 1
    new, w, g = edits.insert_glyph(line, Glyph(bbox=(13, 0, 20, 20), text="x", confidence=1.0))
    assert (w, g) == (0, 1) and new.text == "axb cd"


def test_next_doubtful_wraps_and_skips_corrected() -> None:
    line = _line("abc", 0.5)
    line.words[0].glyphs[1].corrected = True
    doc = Document(source="x", pages=[Page(index=0, width=100, height=30, blocks=[Block((0, 0, 40, 20), [line])])])
    first = next_doubtful(doc, None, 0.7)
    assert first == GlyphRef(0, 0, 0, 0, 0)
    assert next_doubtful(doc, first, 0.7) == GlyphRef(0, 0, 0, 0, 2)
    assert next_doubtful(doc, GlyphRef(0, 0, 0, 0, 2), 0.7) == first
    assert next_doubtful(doc, first, 0.7, backwards=True) == GlyphRef(0, 0, 0, 0, 2)
    assert clamp_ref(doc, GlyphRef(0, 0, 0, 0, 9)) == GlyphRef(0, 0, 0, 0, 2)
