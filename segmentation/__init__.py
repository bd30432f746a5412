"""Page segmentation: lines, words and glyph boxes, and EMNIST-style glyph crops (numpy + OpenCV only)."""

from segmentation.normalize import normalize
from segmentation.pipeline import (
    cut_glyph,
    glyph_ink,
    join_glyphs,
    line_typical_width,
    may_be_one_glyph,
    segment,
)
from segmentation.types import BBox, GlyphBox, LineBox, PageLayout, SegmentOptions, WordBox

__all__ = ["BBox", "GlyphBox", "LineBox", "PageLayout", "SegmentOptions", "WordBox", "cut_glyph",
           "glyph_ink", "join_glyphs", "line_typical_width", "may_be_one_glyph", "normalize", "segment"]
