"""Plain dataclasses for segmentation results and options.

All boxes are ``(x0, y0, x1, y1)`` with exclusive ``x1``/``y1`` in ORIGINAL image
pixels (the deskew rotation is undone). Fields named ``deskewed_*`` are in the
coordinates of the deskewed page kept in :class:`PageLayout` (identical to the
original coordinates when no rotation was applied).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

BBox = tuple[int, int, int, int]

#: The largest page accepted by default, by the loader and segmentation alike: an A4 page scanned at
#: 1200 dpi (9921 x 14031, about 139 million pixels) passes.
DEFAULT_MAX_PIXELS = 150_000_000


@dataclass
class GlyphBox:
    """One character box.

    Attributes:
        bbox: absolute box in original image pixels.
        baseline: y of the line's baseline at this glyph (original image coords).
        x_height: x-height of the line at this glyph, in pixels.
        line_top: y of the ascender (cap) line at this glyph (original image coords).
        deskewed_bbox: the box in deskewed page coordinates (used by ``normalize``).
        components: label ids (in ``PageLayout.labels``) whose ink makes up this glyph.
        is_small_mark: True for punctuation-sized marks (period, comma, quote, hyphen...).
        split: True when the box is a piece of a wider component cut apart.
        crop: its normalised 28 x 28 crop when segmentation already made one (scoring split
            candidates), else None; :func:`segmentation.normalize` reuses it.
    """

    bbox: BBox
    baseline: float
    x_height: float
    line_top: float
    deskewed_bbox: BBox = (0, 0, 0, 0)
    components: tuple[int, ...] = ()
    is_small_mark: bool = False
    split: bool = False
    crop: np.ndarray | None = field(default=None, repr=False, compare=False)


@dataclass
class WordBox:
    """A word: glyphs separated from the next word by a word-sized gap."""

    bbox: BBox
    glyphs: list[GlyphBox]


@dataclass
class LineBox:
    """A text line with its words in reading order.

    Attributes:
        bbox: absolute box in original image pixels.
        words: words left to right.
        baseline: baseline y at the line's horizontal centre (original coords).
        x_height: median x-height of the line in pixels.
        block: index of the text block (column) in reading order.
        paragraph_start: True when the line starts a paragraph (indent or larger gap).
    """

    bbox: BBox
    words: list[WordBox]
    baseline: float
    x_height: float
    block: int = 0
    paragraph_start: bool = False


@dataclass
class PageLayout:
    """Segmentation of one page.

    Attributes:
        width: original image width.
        height: original image height.
        skew_angle: detected skew in degrees (positive = text rises to the right
            in the image, i.e. the page was rotated counter-clockwise).
        inverted: True when the page was white-on-black and got inverted.
        lines: text lines in reading order (block by block).
        binary: deskewed binary page (ink = 255), optional.
        ink: deskewed, illumination-corrected grey page with ink bright (uint8).
        labels: deskewed connected-component labels (uint16 or int32) matching ``GlyphBox.components``.
        rotation: 2 x 3 affine matrix mapping original to deskewed coordinates
            (None when no rotation was applied).
        stroke_width: estimated median stroke width in pixels.
    """

    width: int
    height: int
    skew_angle: float
    inverted: bool
    lines: list[LineBox]
    binary: np.ndarray | None = None
    ink: np.ndarray | None = field(default=None, repr=False)
    labels: np.ndarray | None = field(default=None, repr=False)
    rotation: np.ndarray | None = field(default=None, repr=False)
    stroke_width: float = 0.0

    def glyphs(self) -> list[GlyphBox]:
        """All glyphs in reading order."""
        return [g for line in self.lines for word in line.words for g in word.glyphs]

    def words(self) -> list[WordBox]:
        """All words in reading order."""
        return [w for line in self.lines for w in line.words]


@dataclass
class SegmentOptions:
    """Tunables of the segmentation pipeline (defaults suit 150-600 dpi scans).

    Attributes:
        max_pixels: refuse larger images (ValueError); the loader's default limit too.
        max_skew: largest skew searched, degrees.
        deskew_min_angle: rotate the page only when |skew| is at least this.
        detect_skew: estimate and correct skew at all.
        illumination: "auto", "on" or "off": flatten uneven background.
        binarize: "auto", "otsu" or "sauvola".
        sauvola_window: window of the adaptive threshold, as a multiple of the estimated text height.
        sauvola_k: Sauvola's k.
        sharpen_blurred: sharpen a blurred page before binarising it (:mod:`segmentation.blur`).
        detect_inversion: invert white-on-black pages.
        remove_rulings: remove long ruling lines and form box borders.
        ruling_min_length: a ruling is at least this many median glyph heights long.
        speck_area: components with area below ``speck_area * stroke_width**2`` (and tiny) are noise.
        column_gap: minimum gutter between columns, in median glyph heights.
        word_gap_min: gaps below this many x-heights never split words.
        word_gap_max: gaps above this many x-heights always split words.
        join_broken: with a score function, join two narrow neighbours read better as one
            glyph (a character broken in two by worn type or a faint ribbon).
        split_wide: split touching characters.
        split_min_ratio: with a score function, components wider than this many typical
            glyph widths get candidate cuts.
        split_heuristic_ratio: without a score function, only components wider than this are split.
        split_objective: "mean" or "product" of the score function's confidences.
        split_keep_confidence: a wide component the score function reads whole with at least
            this confidence is not split (saves scoring its pieces: most are ``m``, ``w``, ``M``).
        keep_binary: keep the deskewed binary page in the layout.
    """

    max_pixels: int = DEFAULT_MAX_PIXELS
    max_skew: float = 15.0
    deskew_min_angle: float = 0.2
    detect_skew: bool = True
    illumination: str = "auto"
    binarize: str = "auto"
    sauvola_window: float = 2.0
    sauvola_k: float = 0.2
    sharpen_blurred: bool = True
    detect_inversion: bool = True
    remove_rulings: bool = True
    ruling_min_length: float = 8.0
    speck_area: float = 0.3
    column_gap: float = 2.0
    word_gap_min: float = 0.25
    word_gap_max: float = 1.2
    join_broken: bool = True
    split_wide: bool = True
    split_min_ratio: float = 1.5
    split_heuristic_ratio: float = 2.1
    split_objective: str = "mean"
    split_keep_confidence: float = 0.9
    keep_binary: bool = True
