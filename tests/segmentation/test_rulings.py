"""Ruling lines and form boxes are removed without eating the glyphs that touch them."""

from __future__ import annotations

import cv2
import numpy as np

from segmentation import segment
from segmentation.evaluation import match_boxes
from segmentation.synthetic import printed_page


def test_underlines_and_form_box_are_removed() -> None:
    page = printed_page(np.random.default_rng(8), size=(1200, 800), font_sizes=(30,), margin=100)
    image = page.image.copy()
    for line in page.lines:  # ruled paper: a line through the descenders of every text line
        y = round(line.baseline) + 3
        cv2.line(image, (40, y), (1160, y), 60, 2)
    cv2.rectangle(image, (60, 60), (1140, 740), 30, 3)  # a form box around everything
    layout = segment(image)
    boxes = np.array([g.bbox for g in layout.glyphs()])
    assert match_boxes(page.glyph_boxes(), boxes, threshold=0.5).f1 >= 0.9
    widths = boxes[:, 2] - boxes[:, 0]
    assert widths.max() < 200  # no ruling survived as a glyph
    assert len(layout.lines) == len(page.lines)
