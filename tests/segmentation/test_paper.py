"""Textured paper: woven or laid paper whose fibres a global threshold would take for ink."""

from __future__ import annotations

import cv2
import numpy as np

from segmentation import segment
from segmentation.paper import textured_paper
from segmentation.preprocess import binarize_page
from segmentation.synthetic import printed_page
from segmentation.types import SegmentOptions


def _woven(image: np.ndarray, seed: int = 0) -> np.ndarray:
    """The page on a woven paper: dark threads about 6 px apart, wavering, with fibres along them."""
    rng = np.random.default_rng(seed)
    height, width = image.shape
    x = np.arange(width, dtype=np.float32)[None, :]
    wobble = cv2.GaussianBlur(rng.normal(0, 1, (height, width)).astype(np.float32), (0, 0), 8) * 20
    threads = np.maximum(np.sin(2 * np.pi * x / 6 + wobble), 0)
    fibres = cv2.GaussianBlur(rng.normal(0, 1, (height, width)).astype(np.float32), (0, 0), 0.8)
    return np.clip(image.astype(np.float32) * 0.85 - 70 * threads * (1 + 0.8 * fibres), 0, 255).astype(np.uint8)


def test_woven_paper_keeps_its_threads_out_of_the_text() -> None:
    page = printed_page(np.random.default_rng(5), size=(1600, 1100), font="DejaVuSerif.ttf", font_sizes=(34,),
                        max_lines=6)
    woven = _woven(page.image)
    binarized = binarize_page(woven, SegmentOptions())
    assert binarized.method == "paper"
    assert (binarized.binary > 0).mean() < 0.06  # the text's ink, not the threads (Otsu: about a third)
    layout = segment(woven)
    characters = sum(len(line.text.replace(" ", "")) for line in page.lines)
    assert len(layout.lines) == len(page.lines)
    assert abs(len(layout.glyphs()) - characters) <= 0.03 * characters


def test_plain_paper_is_not_textured() -> None:
    page = printed_page(np.random.default_rng(5), size=(1600, 1100), font_sizes=(34,), max_lines=6)
    assert textured_paper(page.image) is None
    assert binarize_page(page.image, SegmentOptions()).method == "otsu"
