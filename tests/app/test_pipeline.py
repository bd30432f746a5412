from importlib.resources import files
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.document import Document
from app.pipeline import Pipeline, PipelineOptions

SAMPLE = Path(str(files("resources") / "samples" / "sample.png"))


@pytest.fixture(scope="module")
def pipeline():
    return Pipeline()


@pytest.fixture(scope="module")
def sample_page(pipeline):
    image = cv2.imread(str(SAMPLE), cv2.IMREAD_GRAYSCALE)
    return pipeline.recognize_image(image, index=0, source=str(SAMPLE))


def test_sample_page_structure(sample_page):
    truth = SAMPLE.with_suffix(".txt").read_text().split()
    page = sample_page
    assert (page.width, page.height) == (1700, 1000)
    assert abs(page.skew_angle) > 0.5  # the sample is scanned 1.2 degrees off
    words = [w for line in page.lines for w in line.words]
    assert abs(len(words) - len(truth)) <= 3
    glyphs = list(page.glyphs())
    assert abs(len(glyphs) - sum(len(w) for w in truth)) <= 6
    for glyph in glyphs:
        x0, y0, x1, y1 = glyph.bbox
        assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height
        assert 0.0 <= glyph.confidence <= 1.0
        assert len(glyph.alternatives) == 5
        probs = [a.probability for a in glyph.alternatives]
        assert probs == sorted(probs, reverse=True)
        assert glyph.text in {a.text for a in glyph.alternatives}
        assert glyph.raw_text == glyph.alternatives[0].text


def test_case_is_decided_from_geometry(sample_page):
    text = sample_page.text
    assert "the" in text.split() or "The" in text.split()
    lowercase_merged = sum(ch in "cosuvwxz" for ch in text)
    assert lowercase_merged >= 10  # merged classes come out lower case on x-height glyphs


def test_document_json_round_trip(sample_page):
    document = Document(source=str(SAMPLE), pages=[sample_page], model="test")
    again = Document.from_json(document.to_json())
    assert again == document
    assert again.text == document.text


def test_blank_page_gives_empty_page(pipeline):
    page = pipeline.recognize_image(np.full((300, 400), 255, np.uint8))
    assert page.blocks == [] and page.text == ""


def test_lexicon_helps_or_is_neutral(pipeline):
    from rapidfuzz.distance import Levenshtein

    image = cv2.imread(str(SAMPLE), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    truth = " ".join(SAMPLE.with_suffix(".txt").read_text().lower().split())
    raw = Pipeline(PipelineOptions(lexicon=False), predictor=pipeline.predictor).recognize_image(image).text
    with_lexicon = pipeline.recognize_image(image).text
    def errors(text: str) -> int:
        return Levenshtein.distance(truth, " ".join(text.lower().split()))

    assert errors(with_lexicon) <= errors(raw)
