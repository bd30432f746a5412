from importlib.resources import files
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from app.decode import Readings, in_word_list
from app.document import Document
from app.pipeline import Flow, Pipeline, PipelineOptions
from segmentation import GlyphBox, WordBox

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


def test_sample_page_lines_are_the_written_lines(sample_page):
    """One line per written line: the first body line's capital, set apart from its word, is not a line of
    its own."""
    truth = [line for line in SAMPLE.with_suffix(".txt").read_text().splitlines() if line.strip()]
    assert len(sample_page.lines) == len(truth)
    assert [len(line.words) for line in sample_page.lines][1] >= len(truth[1].split()) - 1


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


_NOISE = np.random.default_rng(1)


@pytest.mark.parametrize("engine", ["line", "glyph"])
@pytest.mark.parametrize("image", [
    _NOISE.integers(0, 256, (1200, 900), dtype=np.uint8),  # pure noise
    np.zeros((800, 600), np.uint8),  # all black
    np.full((1, 50_000), 255, np.uint8),  # a one-pixel strip
    _NOISE.integers(0, 256, (3, 50_000), dtype=np.uint8),  # a noisy strip
], ids=["noise", "black", "strip", "noisy-strip"])
def test_pages_without_text_end_without_an_exception(pipeline, engine: str, image: np.ndarray) -> None:
    reader = Pipeline(PipelineOptions(engine=engine), predictor=pipeline.predictor,
                      line_predictor=pipeline.line_predictor)
    page = reader.recognize_image(image)
    assert (page.width, page.height) == (image.shape[1], image.shape[0])
    assert len(page.lines) <= 2  # whatever it makes of it, not a line per speck


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


def _word(x0: int, x1: int, chars: str):
    from segmentation import GlyphBox, WordBox

    boxes = [GlyphBox(bbox=(x0 + i, 0, x0 + i + 1, 10), baseline=10.0, x_height=5.0, line_top=0.0)
             for i in range(len(chars))]
    return WordBox((x0, 0, x1, 10), boxes), [[(c, 0.9)] for c in chars]


def test_numbers_cut_at_a_narrow_digit_are_joined() -> None:
    from app.pipeline import join_split_numbers

    # word gaps of 20 px; "1" and "777" only 10 px apart (a tabular "1" is mostly empty space)
    words = [_word(0, 30, "in"), _word(50, 60, "1"), _word(70, 100, "777"), _word(120, 150, "we"),
             _word(170, 180, "2"), _word(200, 230, "34")]
    joined = join_split_numbers(words)
    texts = ["".join(r[0][0] for r in raw) for _, raw in joined]
    assert texts == ["in", "1777", "we", "2", "34"]
    box, _ = joined[1]
    assert box.bbox == (50, 0, 100, 10) and len(box.glyphs) == 4
    assert join_split_numbers(words[:3]) == words[:3]  # too few gaps to know the word spacing
    # blur widens the gap beside a "1" most: up to 0.93 of the word gap is still one number
    words = [_word(0, 30, "in"), _word(50, 60, "1"), _word(77, 107, "778"), _word(127, 157, "we"),
             _word(177, 187, "2"), _word(204, 234, "34"), _word(254, 284, "of")]
    texts = ["".join(r[0][0] for r in raw) for _, raw in join_split_numbers(words)]
    assert texts == ["in", "1778", "we", "2", "34", "of"]
    # ... but only beside a lone glyph: two numbers of several digits keep their (narrow) space
    words = [_word(0, 30, "in"), _word(50, 80, "609"), _word(97, 137, "1458"), _word(157, 187, "we"),
             _word(207, 237, "of")]
    texts = ["".join(r[0][0] for r in raw) for _, raw in join_split_numbers(words)]
    assert texts == ["in", "609", "1458", "we", "of"]


class _CountingPredictor:
    """Logits from the crop's mean; counts the crops it was asked about."""

    classes: tuple[str, ...] = ("a", "b")
    temperature = 1.0

    def __init__(self) -> None:
        self.seen = 0

    def logits(self, crops: np.ndarray) -> np.ndarray:
        self.seen += len(crops)
        mean = crops.reshape(len(crops), -1).mean(axis=1, dtype=np.float64)
        return np.stack([mean / 255, 1 - mean / 255], axis=1).astype(np.float32)

    def calibrated(self, logits: np.ndarray) -> np.ndarray:
        from recognizer import Predictor

        return Predictor.calibrated(self, logits)  # type: ignore[arg-type]

    def top_k(self, logits: np.ndarray, k: int = 5):
        from recognizer import Predictor

        return Predictor.top_k(self, logits, k)  # type: ignore[arg-type]


def test_page_readings_run_the_model_once_per_crop() -> None:
    from app.readings import PageReadings

    crops = np.stack([np.full((28, 28), v, np.uint8) for v in (0, 100, 200)])
    predictor = _CountingPredictor()
    memo = PageReadings(predictor)
    confidence = memo.confidence(crops[:2])
    assert predictor.seen == 2 and confidence.shape == (2,)
    prediction = memo.predict(crops, k=2)
    assert predictor.seen == 3  # only the new crop went through the model
    fresh = predictor.top_k(predictor.logits(crops), k=2)
    assert np.array_equal(prediction.indices, fresh.indices)
    assert np.allclose(prediction.probabilities, fresh.probabilities)
    assert np.isclose(confidence[1], fresh.probabilities[1, 0])


def test_short_confidence_ignores_readings_ink_below_the_x_height_cannot_have() -> None:
    from app.readings import PageReadings

    class Tall(_CountingPredictor):
        classes = ("R", "e")  # "R" reaches the cap height; "e" stays within the x-height

    crops = np.stack([np.full((28, 28), v, np.uint8) for v in (0, 255)])
    memo = PageReadings(Tall())
    both = memo.confidence(crops)
    short = memo.short_confidence(crops)
    probs = memo.predict(crops, k=2)
    e_prob = [float(p[list(i).index(1)]) for i, p in zip(probs.indices, probs.probabilities, strict=True)]
    assert np.allclose(short, e_prob)  # only the "e" reading counts
    assert short[1] < both[1] and short[0] == both[0]  # the crop read as "R" scores low, the "e" not
    assert np.allclose(memo.in_word_confidence(crops), short)  # no capital "R" inside a lower-case word

    class Digit(_CountingPredictor):
        classes = ("7", "f")

    digit_memo = PageReadings(Digit())
    prediction = digit_memo.predict(crops, k=2)
    f_prob = prediction.probabilities[prediction.indices == 1]  # one "f" entry per crop
    assert np.allclose(digit_memo.in_word_confidence(crops), f_prob)  # no digit inside a word either
    assert np.allclose(digit_memo.tall_in_word_confidence(crops), f_prob)  # f is a tall lower-case letter
    assert np.array_equal(memo.tall_in_word_confidence(crops), np.zeros(2))  # neither "R" nor "e" allowed


def test_specks_between_letters_may_read_as_nothing() -> None:
    from app.decode import DecodeOptions, GlyphGeometry, decode_word, with_speck_readings

    letter = GlyphGeometry(top=70, bottom=100, baseline=100.0, x_height=20.0)
    speck = GlyphGeometry(top=88, bottom=91, baseline=100.0, x_height=20.0, small_mark=True)
    raw = [[("w", 0.9)], [("-", 0.8)], [("i", 0.9)], [("t", 0.9)], [("h", 0.9)]]
    whole = [False] * 5
    readings = with_speck_readings(raw, [letter, speck, letter, letter, letter], whole)
    assert readings[1] == [("-", 0.8), ("", 0.4)] and readings[0] == raw[0]
    def spell(chosen: list[int], readings: list[list[tuple[str, float]]] = readings) -> str:
        return "".join(readings[g][i][0] for g, i in enumerate(chosen))

    assert spell(decode_word(readings)) == "with"  # the word list decides
    assert spell(decode_word(readings, DecodeOptions(lexicon=False))) == "w-ith"
    # a hyphen at the end of a word, or between digits, stays a mark
    assert with_speck_readings(raw[:2], [letter, speck], whole[:2]) == raw[:2]
    digits = [[("1", 0.9)], [(",", 0.8)], [("0", 0.9)]]
    assert with_speck_readings(digits, [letter, speck, letter], whole[:3]) == digits
    # a piece cut out of a wider component that reads as a mark is the stroke joining two letters
    joined = [[("t", 0.7)], [("-", 0.9), ("r", 0.05)], [("h", 0.9)], [("e", 0.9)]]
    cut = with_speck_readings(joined, [letter] * 4, [True, True, True, False])
    assert cut[1] == [("", 0.9), ("-", 0.45), ("r", 0.025)]
    assert spell(decode_word(cut, DecodeOptions(lexicon=False)), cut) == "the"


def _glyph(x0: int, x1: int, tall: bool = False) -> GlyphBox:
    top = 60 if tall else 80  # x-height 20, ascender line at 60
    return GlyphBox(bbox=(x0, top, x1, 100), baseline=100.0, x_height=20.0, line_top=60.0,
                    deskewed_bbox=(x0, top, x1, 100))


class _Rereader:
    """Stands in for :class:`app.pipeline.PageRereader`: fixed pieces and readings, calls remembered."""

    layout = None  # no page: the first letter's case is left to the word

    def __init__(self, cut: tuple[list[GlyphBox], Readings], joined: tuple[list[GlyphBox], Readings]) -> None:
        self.cuts, self.joins = cut, joined
        self.calls: list[str] = []

    def cut(self, box: GlyphBox, typical: float) -> tuple[list[GlyphBox], Readings]:
        self.calls.append(f"cut {box.bbox[0]}")
        return self.cuts

    def join(self, first: GlyphBox, second: GlyphBox, typical: float) -> tuple[list[GlyphBox], Readings]:
        self.calls.append(f"join {first.bbox[0]}")
        return self.joins


def _reread(raw: Readings, boxes: list[GlyphBox], rereader: _Rereader) -> tuple[str, str | None]:
    pipeline = Pipeline(predictor=SimpleNamespace(classes=("b", "r", "O", "M", "W", "n", "f", "-", ".", "'")))
    word_box = WordBox((0, 60, boxes[-1].bbox[2], 100), boxes)
    read = pipeline._word(word_box.bbox, boxes, raw)
    listed = bool(in_word_list(read.text))
    better = pipeline._reread(read, listed, word_box, raw, Flow(sentence_start=False), 20.0,
                              rereader)  # type: ignore[arg-type]
    return read.text, better.text if better is not None else None


def test_a_wide_glyph_is_cut_again_when_two_letters_make_a_word() -> None:
    # "brown" with a touching "wn" kept whole and read "m" (0.99 sure): "brom" is a word too, but a
    # rare one; cut in two, the pieces read "w" and "n"
    boxes = [_glyph(0, 20, tall=True), _glyph(22, 36), _glyph(38, 58), _glyph(60, 108)]
    raw = [[("b", 0.99)], [("r", 0.99)], [("O", 0.99)], [("M", 0.99), ("W", 0.01)]]
    wn = _Rereader(([_glyph(60, 88), _glyph(88, 108)], [[("W", 0.97)], [("n", 0.98)]]), ([], []))
    assert _reread(raw, boxes, wn) == ("brom", "brown")
    assert wn.calls == ["cut 60"]  # only the glyph wide enough to hold two letters
    # "from" is far more frequent than "frown": no cut is even tried
    from_raw = [[("f", 0.99)], [("r", 0.99)], [("O", 0.99)], [("M", 0.99)]]
    assert _reread(from_raw, boxes, wn) == ("from", None) and wn.calls == ["cut 60"]
    # pieces that read as a letter and a mark are no touching letters
    marks = _Rereader(([_glyph(60, 88), _glyph(88, 108)], [[("W", 0.9)], [("-", 0.9)]]), ([], []))
    assert _reread(raw, boxes, marks) == ("brom", None)


def test_a_glyph_far_too_wide_for_its_letter_is_cut_into_a_rarer_word() -> None:
    # "lazy" with a touching "az" read as one "a" twice the line's typical width (20 px): "lay" is a
    # more frequent word, but an "a" that wide is most likely two letters
    boxes = [_glyph(0, 6, tall=True), _glyph(8, 50), _glyph(52, 70)]
    raw = [[("L", 0.9)], [("a", 0.97)], [("Y", 0.99)]]
    az = _Rereader(([_glyph(8, 28), _glyph(30, 50)], [[("a", 0.99)], [("Z", 0.99)]]), ([], []))
    assert _reread(raw, boxes, az) == ("lay", "lazy")
    # an "m" is that wide: "ham" stays, though "hasm" would do as well as ever
    boxes_m = [_glyph(0, 18, tall=True), _glyph(20, 38), _glyph(40, 82)]
    ham = [[("h", 0.99)], [("a", 0.99)], [("M", 0.97)]]
    sm = _Rereader(([_glyph(40, 60), _glyph(62, 82)], [[("S", 0.9)], [("M", 0.9)]]), ([], []))
    assert _reread(ham, boxes_m, sm) == ("ham", None)
    # a cut into a word far rarer than the one read gets no credit ("state" -> "strate")
    boxes_s = [_glyph(0, 18), _glyph(20, 32, tall=True), _glyph(34, 76), _glyph(78, 90, tall=True), _glyph(92, 110)]
    state = [[("S", 0.99)], [("t", 0.99)], [("a", 0.97)], [("t", 0.99)], [("e", 0.99)]]
    ra = _Rereader(([_glyph(34, 52), _glyph(56, 76)], [[("r", 0.9)], [("a", 0.9)]]), ([], []))
    assert _reread(state, boxes_s, ra) == ("state", None)


def test_two_narrow_glyphs_are_joined_when_one_letter_makes_a_word() -> None:
    # "forest" with a broken "f" read as "r" and "'"
    boxes = [_glyph(0, 8, tall=True), _glyph(9, 14, tall=True)] + [_glyph(16 + 18 * i, 30 + 18 * i) for i in range(5)]
    boxes[1] = GlyphBox(bbox=(9, 60, 14, 70), baseline=100.0, x_height=20.0, line_top=60.0,
                        deskewed_bbox=(9, 60, 14, 70), is_small_mark=True)
    raw = [[("r", 0.9)], [("'", 0.99)], [("O", 0.99)], [("r", 0.99)], [("e", 0.99)], [("S", 0.99)], [("t", 0.99)]]
    f = _Rereader(([], []), ([_glyph(0, 14, tall=True)], [[("f", 0.95)]]))
    assert _reread(raw, boxes, f) == ("r'orest", "forest")
    assert "join 0" in f.calls  # ("r'o" -> one letter: "rarest" was worth a look too)
    # an apostrophe before a contraction's ending belongs there: "it's" is never joined into "its"
    its = [[("I", 0.99)], [("t", 0.99)], [("'", 0.99)], [("S", 0.99)]]
    narrow = [_glyph(0, 6, tall=True), _glyph(8, 14, tall=True), boxes[1], _glyph(16, 30)]
    narrow[2] = GlyphBox(bbox=(15, 60, 17, 70), baseline=100.0, x_height=20.0, line_top=60.0,
                         deskewed_bbox=(15, 60, 17, 70), is_small_mark=True)
    s = _Rereader(([], []), ([_glyph(8, 17, tall=True)], [[("t", 0.99)]]))
    assert _reread(its, narrow, s)[1] is None and not any(call.startswith("join 8") for call in s.calls)
