"""Page segmentation: lines, words and glyph boxes, and EMNIST-style glyph crops (numpy + OpenCV only)."""

from segmentation.normalize import normalize
from segmentation.pipeline import cut_glyph, line_typical_width, segment
from segmentation.types import BBox, GlyphBox, LineBox, PageLayout, SegmentOptions, WordBox

__all__ = ["BBox", "GlyphBox", "LineBox", "PageLayout", "SegmentOptions", "WordBox", "cut_glyph",
           "line_typical_width", "normalize", "segment"]
