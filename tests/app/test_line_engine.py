"""The line engine with the shipped line model: pages, boxes, bad lines and bad model files."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from rapidfuzz.distance import Levenshtein

from app.cli import build_parser, pipeline_options
from app.line_engine import LineCrop, _read_upright, read_lines
from app.pipeline import Pipeline, PipelineOptions
from recognizer.line_predictor import LineFrames, LinePredictor, default_line_model_path
from recognizer.modelfile import ModelFileError
from segmentation.slant import deslant, estimate_slant
from segmentation.synthetic import degrade, printed_page
from segmentation.textlines import TextLine, find_text_lines


@pytest.fixture(scope="module")
def predictor() -> LinePredictor:
    return LinePredictor.from_resources()


@pytest.fixture(scope="module")
def page_and_truth() -> tuple[np.ndarray, list]:
    rng = np.random.default_rng(21)
    page = printed_page(rng, size=(1700, 1000), font="DejaVuSerif.ttf", font_sizes=(34,), max_lines=6)
    page = degrade(page, rng, skew=1.0, noise=6, blur=0.6, jpeg=75)
    return page.image, page.lines


def test_a_printed_page_is_read_line_by_line_with_boxes_in_place(page_and_truth) -> None:
    image, truth = page_and_truth
    page = Pipeline(PipelineOptions(engine="line", lexicon=False)).recognize_image(image)
    assert len(page.lines) == len(truth)
    for line, expected in zip(page.lines, truth, strict=True):
        assert Levenshtein.distance(line.text, expected.text) <= 0.05 * len(expected.text), (line.text, expected.text)
        x0, y0, x1, y1 = line.bbox
        glyphs = [g for word in line.words for g in word.glyphs]
        starts = [g.bbox[0] for g in glyphs]
        assert starts == sorted(starts)  # characters left to right
        for glyph in glyphs:
            gx0, gy0, gx1, gy1 = glyph.bbox
            assert x0 - 2 <= gx0 < gx1 <= x1 + 2 and y0 - 2 <= gy0 < gy1 <= y1 + 2, (glyph, line.bbox)
            assert glyph.alternatives and glyph.alternatives[0].text == glyph.text
            assert 0.0 <= glyph.confidence <= 1.0


@pytest.mark.parametrize("crop", [np.zeros((0, 50), np.uint8), np.full((1, 1), 255, np.uint8),
                                  np.full((1, 300), 255, np.uint8), np.zeros((40, 40), np.float32)])
def test_unreadable_crops_are_refused_clearly(predictor: LinePredictor, crop: np.ndarray) -> None:
    with pytest.raises(ValueError, match="line crop"):
        predictor.read([crop])


def test_a_line_wider_than_20000_pixels_is_read_in_pieces(predictor: LinePredictor) -> None:
    words = "the quick brown fox jumps over the lazy dog " * 60
    line = np.full((60, 24_000), 255, np.uint8)
    x = 10
    for word in words.split():
        cv2.putText(line, word, (x, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 2, cv2.LINE_AA)
        x += cv2.getTextSize(word + " ", cv2.FONT_HERSHEY_SIMPLEX, 1.2, 2)[0][0]
        if x > 23_800:
            break
    frames = predictor.read([line[:, :x]])[0]
    assert frames.probs.shape[0] * frames.pixels_per_frame == pytest.approx(x, rel=0.02)
    text = "".join(predictor.classes[i] for i in frames.probs.argmax(1) if i)
    assert text.count("fox") >= 30


def test_a_line_reads_the_same_whatever_else_is_read_with_it(predictor: LinePredictor) -> None:
    short = np.full((50, 300), 255, np.uint8)
    cv2.putText(short, "a short line", (8, 36), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2, cv2.LINE_AA)
    long = np.full((50, 1800), 255, np.uint8)
    cv2.putText(long, "a much longer line of text beside it on the page", (8, 36), cv2.FONT_HERSHEY_SIMPLEX,
                1.0, 0, 2, cv2.LINE_AA)
    alone = predictor.read([short])[0].probs
    together = predictor.read([long, short, long])[1].probs
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_one_line_the_model_refuses_leaves_the_rest_of_the_page(predictor, page_and_truth, monkeypatch,
                                                                caplog) -> None:
    image, _ = page_and_truth
    found = find_text_lines(image)
    original = LinePredictor.read

    def picky(self, crops):
        if len(crops) > 1 or crops[0].shape[1] == max_width:
            raise ValueError("a line crop the model cannot take")
        return original(self, crops)

    from app.line_engine import line_crop
    max_width = max(line_crop(found, line).image.shape[1] for line in found.lines)
    monkeypatch.setattr(LinePredictor, "read", picky)
    with caplog.at_level(logging.WARNING, logger="glyphic"):
        results = read_lines(found, predictor, None)
    assert len(results) == len(found.lines) - 1
    assert "skipped" in caplog.text


def test_a_model_whose_charset_does_not_match_its_weights_is_refused(tmp_path: Path) -> None:
    source = default_line_model_path()
    config = json.loads(source.read_text(encoding="utf-8"))
    shutil.copy(source.parent / config["onnx"]["fp32"]["file"], tmp_path)
    config["classes"] = config["classes"][:-3]
    damaged = tmp_path / "lines.json"
    damaged.write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ModelFileError, match="classes"):
        LinePredictor(damaged)


def test_the_engine_is_chosen_on_the_command_line() -> None:
    parser = build_parser()
    assert pipeline_options(parser.parse_args(["ocr", "page.png"])).engine == "line"
    assert pipeline_options(parser.parse_args(["ocr", "page.png", "--engine", "glyph"])).engine == "glyph"
    with pytest.raises(SystemExit):
        parser.parse_args(["ocr", "page.png", "--engine", "words"])
    with pytest.raises(ValueError, match="engine"):
        Pipeline(PipelineOptions(engine="words"))


def test_a_receipt_is_read_row_by_row() -> None:
    from benchmarks.receipts import folded, receipt_page, rows_kept

    receipt = receipt_page(np.random.default_rng(4), dots=False)
    page = Pipeline(PipelineOptions(engine="line", dpi=180)).recognize_image(receipt.image)
    truth = folded(" ".join(receipt.rows))
    assert Levenshtein.distance(truth, folded(page.text)) <= 0.1 * len(truth), page.text
    assert rows_kept(receipt.items, [line.text for line in page.lines]) >= 0.8


def test_confidences_are_calibrated_and_keep_their_order(predictor: LinePredictor) -> None:
    raw = np.array([0.3, 0.8, 0.95, 0.99, 0.9999])
    calibrated = predictor.calibrated(raw)
    assert np.all(np.diff(calibrated) > 0) and np.all((calibrated > 0) & (calibrated < 1))
    assert predictor.calibration  # the shipped model has a fit: the best path's peaks run high
    assert calibrated[2] < 0.95


def test_line_crops_leave_paper_above_and_below_the_ink(page_and_truth) -> None:
    # the line model drops spaces of proportional print when the letters fill its whole height
    from app.line_engine import line_crop

    image, _ = page_and_truth
    found = find_text_lines(image)
    for line in found.lines:
        crop = line_crop(found, line).image
        rows = np.flatnonzero((crop < found.threshold).any(axis=1))
        above, below = rows[0], crop.shape[0] - 1 - rows[-1]
        assert min(above, below) >= 0.3 * line.x_height, (above, below, line.x_height)


def test_character_boxes_fit_the_letters_of_proportional_print() -> None:
    # cuts between letters at the faintest column between their frames, not halfway between the frames
    from segmentation.evaluation import match_boxes

    rng = np.random.default_rng(5)
    page = printed_page(rng, size=(1700, 900), font="DejaVuSerif.ttf", font_sizes=(36,), max_lines=5)
    found = Pipeline(PipelineOptions(engine="line", lexicon=False)).recognize_image(page.image)
    boxes = np.array([g.bbox for line in found.lines for word in line.words for g in word.glyphs]).reshape(-1, 4)
    assert match_boxes(page.glyph_boxes(), boxes).f1 >= 0.93


class _UprightLover:
    """A stand-in line model: sure of crops whose strokes stand upright, doubtful of leaning ones."""

    def read(self, images: list[np.ndarray]) -> list[LineFrames]:
        frames = []
        for image in images:
            sure = abs(estimate_slant(image < 128)) < 0.1
            probs = np.full((image.shape[1] // 4, 2), 0.01 if sure else 0.5)
            probs[:, 0] = 1 - probs[:, 1]
            frames.append(LineFrames(probs, 4.0))
        return frames


def test_a_doubtful_slanted_line_is_read_again_upright() -> None:
    line = TextLine(bbox=(100, 50, 500, 110), slope=0.0, baseline=100.0, x_height=20.0)
    upright = np.full((60, 400), 255, np.uint8)
    upright[8:52, 40:44] = 0  # one stroke, upright, at crop columns 40-43
    leaning = deslant(upright, 0.4)
    model = _UprightLover()
    crops = [LineCrop(line, leaning.copy(), 100.0, 50.0, 300.0), LineCrop(line, upright.copy(), 100.0, 50.0, 300.0)]
    frames: list[LineFrames | None] = list(model.read([c.image for c in crops]))
    _read_upright(model, crops, frames, threshold=128)  # type: ignore[arg-type]
    assert crops[0].slant == pytest.approx(-0.4, abs=0.05)  # read again upright: the surer reading kept
    assert frames[0] is not None and frames[0].probs.max(axis=1).mean() > 0.9
    assert crops[1].slant == 0.0 and np.array_equal(crops[1].image, upright)  # a sure line is left alone
    # the upright stroke's ends map back to where the leaning stroke's ends lie on the page
    for v in (8, 51):
        x, _ = crops[0].page_point(41.5, v)
        ink = np.flatnonzero(leaning[v] < 128)
        assert abs(x - 100.0 - ink.mean()) <= 2.5
