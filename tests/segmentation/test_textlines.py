"""Line finding for the line engine (segmentation.textlines) and its ALTO evaluation."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from segmentation import textlines
from segmentation.alto_lines import TruthLine, match_lines, read_alto_lines, score_lines
from segmentation.synthetic import degrade, printed_page
from segmentation.textlines import find_text_lines


def _page(seed: int = 3, **degradation: float) -> tuple[np.ndarray, list]:
    rng = np.random.default_rng(seed)
    page = printed_page(rng, size=(1600, 1100), font="DejaVuSerif.ttf", font_sizes=(34,), max_lines=6)
    if degradation:
        page = degrade(page, rng, **degradation)  # type: ignore[arg-type]
    return page.image, page.lines


def _truth(lines: list) -> list[TruthLine]:
    return [TruthLine(((line.bbox[0], line.baseline), (line.bbox[2], line.baseline)), line.text) for line in lines]


def test_printed_lines_are_found_in_order_with_their_baselines() -> None:
    image, lines = _page()
    found = find_text_lines(image)
    score = score_lines(_truth(lines), [line.bbox for line in found.lines])
    assert score.f1 == 1.0 and score.order == 1.0, score
    for line, truth in zip(found.lines, lines, strict=True):
        assert abs(line.baseline - truth.baseline) <= 3
        assert abs(line.slope) < 0.005


def test_a_skewed_page_gives_sloped_lines() -> None:
    image, lines = _page(skew=2.5)
    found = find_text_lines(image)
    assert len(found.lines) == len(lines)
    slopes = np.array([line.slope for line in found.lines])
    # degrade() turns the page by +2.5 degrees (counter-clockwise): the lines fall to the left
    assert np.allclose(np.abs(slopes), np.tan(np.radians(2.5)), atol=0.01), slopes


def test_punch_holes_logo_and_rule_are_not_text() -> None:
    image, lines = _page()
    image = image.copy()
    cv2.circle(image, (60, 300), 40, 0, -1)  # a punch hole, dark on this scanner
    cv2.rectangle(image, (1300, 20), (1560, 200), 30, -1)  # a solid logo
    rule_y = lines[-1].bbox[3] + 40
    cv2.line(image, (100, rule_y), (1500, rule_y), 0, 4)  # a ruled line under the text
    found = find_text_lines(image)
    assert len(found.lines) == len(lines)
    for line in found.lines:
        x0, y0, x1, y1 = line.bbox
        assert not (x0 <= 60 <= x1 and y0 <= 300 <= y1)
        assert y1 < rule_y and not (x1 > 1300 and y0 < 200)
    kinds = [kind for _, kind in found.nontext]
    assert "rule" in kinds and kinds.count("graphic") >= 2


def test_a_bright_punch_hole_with_a_torn_edge_is_not_text() -> None:
    """A hole over a white scanner lid: brighter than the yellowed paper, with a dark crescent (a "C")
    on its edge; the crescent is no line, and a letter the hole's reach touches is kept."""
    image, lines = _page()
    paper = (image.astype(np.float32) * 0.86).astype(np.uint8)  # paper at 219, ink stays dark
    centre, radius = (900, 600), 24  # 3% of the page's width, under the text
    cv2.circle(paper, centre, radius, 255, -1)
    cv2.ellipse(paper, centre, (radius + 3, radius + 3), 0, 100, 260, 40, 3)  # the torn edge, on its left
    found = find_text_lines(paper)
    assert len(found.lines) == len(lines)
    assert all(line.bbox[3] < centre[1] - radius for line in found.lines)
    assert any(box[0] <= centre[0] - radius <= box[2] and box[1] <= centre[1] <= box[3]
               for box, kind in found.nontext if kind == "graphic")
    # the same crescent with no hole inside it is ink like any other (here a line of its own)
    paper[centre[1] - radius: centre[1] + radius, centre[0] - radius + 4: centre[0] + radius] = 219
    assert len(find_text_lines(paper).lines) == len(lines) + 1


def test_textured_paper_gives_the_text_lines_only() -> None:
    image, lines = _page(seed=5)
    rng = np.random.default_rng(0)
    texture = cv2.GaussianBlur(rng.normal(0, 25, image.shape).astype(np.float32), (0, 0), 1.2)
    light = np.linspace(0.75, 1.0, image.shape[1], dtype=np.float32)[None, :]  # uneven light too
    paper = np.clip((image.astype(np.float32) + texture) * light, 0, 255).astype(np.uint8)
    found = find_text_lines(paper)
    score = score_lines(_truth(lines), [line.bbox for line in found.lines])
    assert score.recall == 1.0 and score.precision >= 0.8, score


@pytest.mark.parametrize("image", [
    np.full((800, 600), 255, np.uint8),  # blank
    np.zeros((800, 600), np.uint8),  # all black
    np.full((1, 50_000), 255, np.uint8),  # a one-pixel strip
])
def test_pages_without_text_have_no_lines(image: np.ndarray) -> None:
    assert find_text_lines(image).lines == []


def test_pure_noise_ends_without_an_exception() -> None:
    noise = np.random.default_rng(1).integers(0, 256, (1200, 900), dtype=np.uint8)
    found = find_text_lines(noise)
    assert len(found.lines) < 60  # whatever it makes of it, not a line per speck


def test_the_alto_evaluator_scores_a_known_page(tmp_path) -> None:
    alto = tmp_path / "page.alto.xml"
    alto.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Layout><Page WIDTH="1000" HEIGHT="1000"><PrintSpace>
<TextBlock ID="b"><TextLine ID="l1" BASELINE="100 200 900 200"><String CONTENT="first line"/></TextLine>
<TextLine ID="l2" BASELINE="100 300 900 310"><String CONTENT="second"/></TextLine>
<TextLine ID="l3" BASELINE="100 400 500 400"><String CONTENT="third"/></TextLine>
</TextBlock></PrintSpace></Page></Layout></alto>""", encoding="utf-8")
    truth = read_alto_lines(alto)
    assert [t.text for t in truth] == ["first line", "second", "third"]
    good = [(110, 160, 890, 205), (105, 265, 880, 312), (100, 360, 510, 402)]
    assert score_lines(truth, good).f1 == 1.0
    # the second box misses its baseline, a stray box matches nothing; the rest are in reverse order
    bad = [(100, 360, 510, 402), (105, 100, 880, 150), (110, 160, 890, 205), (0, 900, 50, 950)]
    score = score_lines(truth, bad)
    assert (score.matched, score.found, score.truth) == (2, 4, 3)
    assert score.precision == 0.5 and score.recall == pytest.approx(2 / 3)
    assert score.order == 0.0


def test_the_alto_evaluator_matches_as_many_lines_as_it_can() -> None:
    upper = TruthLine(((100, 200), (800, 200)), "upper")
    lower = TruthLine(((100, 300), (900, 300)), "lower")
    # a tall box on the upper line also holds the lower baseline, and overlaps the lower line best
    tall, own = (100, 150, 900, 310), (100, 260, 880, 320)
    assert match_lines([upper, lower], [tall, own]) == {0: 0, 1: 1}
    assert score_lines([upper, lower], [tall, own]).f1 == 1.0


@pytest.mark.parametrize("dots", [False, True])
def test_a_receipt_keeps_each_item_with_its_price(dots: bool) -> None:
    from benchmarks.receipts import receipt_page

    receipt = receipt_page(np.random.default_rng(8), dots=dots)
    found = find_text_lines(receipt.image)
    assert len(found.lines) == len(receipt.rows)
    tops = [line.bbox[1] for line in found.lines]
    assert tops == sorted(tops)  # top to bottom, one line per row
    wide = [line for line in found.lines if line.bbox[2] - line.bbox[0] > 0.8 * receipt.image.shape[1]]
    assert len(wide) >= len(receipt.items)  # item rows reach from the item on the left to the price on the right


def test_quotes_and_apostrophes_stay_with_their_line() -> None:
    from PIL import Image, ImageDraw, ImageFont

    # quoted words and apostrophes set high above the letters (as in Century Schoolbook): the marks belong
    # to the line below them, not to lines of their own
    rows = ["the 'dog' was Tom's and ours", "our new 'sea' was not Ann's", "a man's 'sun' is one, or war"]
    image = Image.new("L", (1100, 600), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("DejaVuSerif.ttf", 44)
    for n, row in enumerate(rows):
        x, y = 60.0, 80 + 160 * n
        for char in row:
            draw.text((x, y - 8 if char == "'" else y), char, font=font, fill=0)
            x += font.getlength(char)
    found = find_text_lines(np.asarray(image))
    assert len(found.lines) == len(rows), [line.bbox for line in found.lines]
    for n, line in enumerate(found.lines):
        assert line.bbox[1] <= 82 + 160 * n, line.bbox  # the raised marks (ink from y + 1) are in the box


def test_a_row_joins_pieces_of_one_size_only() -> None:
    from segmentation.textlines import TextLine, _same_line

    # a letterhead name and, 27 x-heights along its baseline, a pencil tick four times as tall (real page i080)
    name = TextLine(bbox=(92, 52, 360, 68), slope=0.0, baseline=68.0, x_height=14.0, band=(-13.0, 0.0))
    tick = TextLine(bbox=(746, 31, 794, 85), slope=0.0, baseline=68.0, x_height=12.5, band=(-36.0, 17.0))
    price = TextLine(bbox=(746, 53, 794, 68), slope=0.0, baseline=68.0, x_height=12.0, band=(-14.0, 0.0))
    assert not _same_line(name, tick)
    assert _same_line(name, price)  # an item and its price across the gap stay one row


def test_a_short_item_far_from_its_price_stays_on_its_row() -> None:
    from benchmarks.receipts import receipt_page

    # its first row "WATER 6X1.5L ... 8.70": the slope of a dozen capitals is their shapes' (0.02), which
    # carried across the gap missed the price's baseline by more than a fifth of an x-height
    receipt = receipt_page(np.random.default_rng(2026))
    found = find_text_lines(receipt.image)
    assert len(found.lines) == len(receipt.rows)


def test_letterhead_columns_that_line_up_now_and_then_stay_apart() -> None:
    from PIL import Image, ImageDraw, ImageFont

    # two columns of short names at different line pitches: their first rows are level, the next are not
    image = Image.new("L", (2000, 900), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("DejaVuSans.ttf", 30)
    left = ["J. DORR", "A. STOVA", "E. CUTLER", "M. FITCH", "L. SLOSS", "F. FRANK"]
    right = ["C. WALKER", "B. NORRIS", "S. PALMER", "M. BROWNE", "N. DAVIS", "K. KINCAID"]
    for n, (a, b) in enumerate(zip(left, right, strict=True)):
        draw.text((100, 100 + 90 * n), a, font=font, fill=0, anchor="ls")
        draw.text((1650, 100 + 105 * n), b, font=font, fill=0, anchor="ls")
    found = find_text_lines(np.asarray(image))
    assert len(found.lines) == len(left) + len(right), [line.bbox for line in found.lines]
    assert all(line.bbox[2] < 1000 or line.bbox[0] > 1000 for line in found.lines)


def test_print_broken_into_dots_gives_one_line_per_row() -> None:
    image, lines = _page(seed=4)
    ys, xs = np.mgrid[: image.shape[0], : image.shape[1]]
    dots = (ys % 5 < 3) & (xs % 5 < 3)  # dot-matrix or worn thermal print: 3 px dots, 2 px apart
    dotted = np.where((image < 128) & dots, 0, 255).astype(np.uint8)
    found = find_text_lines(dotted)
    assert len(found.lines) == len(lines), [line.bbox for line in found.lines]
    heights = [truth.bbox[3] - truth.bbox[1] for truth in lines]  # ascender to descender
    assert 0.5 * np.median(heights) <= found.text_height <= np.median(heights)  # the letters', not a dot's


def test_a_line_of_tall_words_keeps_an_x_height_from_its_ink() -> None:
    """Words with long loops above and below (cursive) and one short stroke right of them: the stroke's foot
    lies above the ink's middle, which is no baseline; the line's core gives its baseline and x-height."""
    owner = np.zeros((220, 420), np.int32)
    boxes = []
    for x in (10, 140):  # a word: a dense x-height band with thin loops above and below
        owner[90:120, x:x + 110] = 1
        owner[20:90, x + 50:x + 52] = 1
        owner[120:190, x + 80:x + 82] = 1
        boxes.append((x, 20, 110, 170))
    owner[80:100, 300:304] = 1  # a short stroke, about half an x-height
    boxes.append((300, 80, 4, 20))
    stats = np.array([(0, 0, 0, 0, 0)] + [(*box, 1) for box in boxes], np.int32)
    line_of = np.array([0, 1, 1, 1])
    (line,) = textlines._describe(owner, stats, line_of, height=60.0)
    assert 110 <= line.baseline <= 130
    assert 15 <= line.x_height <= 60


def _joined_up_lines(rows: tuple[int, ...]) -> np.ndarray:
    """A page of lines of words whose letters are joined up like handwriting, baselines at ``rows``."""
    page = np.full((600, 1800), 255, np.uint8)
    font, scale, thickness = cv2.FONT_HERSHEY_SIMPLEX, 1.6, 4
    for y in rows:
        x = 60
        for word in ["the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog"]:
            width = cv2.getTextSize(word, font, scale, thickness)[0][0]
            cv2.putText(page, word, (x, y), font, scale, 0, thickness, cv2.LINE_AA)
            cv2.line(page, (x, y - 2), (x + width, y - 2), 0, 4)
            x += width + 30
    return page


def _owned_by(found, page: np.ndarray, box: tuple[int, int, int, int], line) -> float:
    """Share of the ink in ``box`` (x0, y0, x1, y1) that belongs to ``line``."""
    x0, y0, x1, y1 = box
    ys, xs = np.nonzero(page[y0:y1, x0:x1] < 128)
    owners = found.owner[((ys + y0) * found.scale).astype(int), ((xs + x0) * found.scale).astype(int)]
    return float(np.mean(owners == line.label))


def test_a_loop_run_into_the_next_line_is_cut_between_the_lines() -> None:
    """A long stroke from a word of the first line runs into the word below it: each word's ink stays with
    its own line."""
    page = _joined_up_lines((250, 330, 410))
    cv2.line(page, (520, 250), (550, 328), 0, 5)  # "fox" of the first line into "fox" of the second
    found = find_text_lines(page)
    assert len(found.lines) == 3
    first, second = found.lines[0], found.lines[1]
    assert second.bbox[1] > first.baseline
    assert _owned_by(found, page, (495, 215, 570, 255), first) > 0.9
    assert _owned_by(found, page, (495, 295, 570, 335), second) > 0.9


def test_a_word_whose_tail_reaches_the_next_line_stays_on_its_own() -> None:
    """A tail from a word of the first line down into the gap between two words of the second: the word
    stays with the line it is written on."""
    page = _joined_up_lines((250, 330, 410))
    cv2.line(page, (470, 250), (484, 322), 0, 4)  # from "brown" into the space after "brown" below
    found = find_text_lines(page)
    assert len(found.lines) == 3
    assert _owned_by(found, page, (330, 215, 460, 255), found.lines[0]) > 0.9


def test_a_flourish_on_a_ridge_of_its_own_stays_with_the_line_it_reaches() -> None:
    """A capital's flourish above a line (a stroke of its own, reaching down into the line's letters) goes
    with that line, not to a line of its own."""
    page = _joined_up_lines((200, 370, 480))
    cv2.ellipse(page, (140, 290), (22, 30), 0, 200, 430, 0, 6)
    cv2.line(page, (153, 262), (157, 360), 0, 6)
    found = find_text_lines(page)
    assert len(found.lines) == 3
    assert _owned_by(found, page, (110, 255, 175, 362), found.lines[1]) > 0.9


def test_a_title_whose_small_letters_look_like_small_print_stays_one_line() -> None:
    """A title of capitals and a long run of small letters above large writing: the small letters alone are
    as small as small print, but they are one line with the capitals beside them."""
    page = np.full((1400, 2400), 255, np.uint8)
    font = cv2.FONT_HERSHEY_SIMPLEX
    x = 80
    for words in ("NEW", "a summer course on owners, seamen, miners and mariners", "CO"):
        cv2.putText(page, words, (x, 150), font, 1.4, 0, 3, cv2.LINE_AA)
        x += cv2.getTextSize(words + " ", font, 1.4, 3)[0][0]
    for y in range(400, 1300, 150):
        cv2.putText(page, "Dear Sir, thank you for the letter", (80, y), font, 3.5, 0, 7, cv2.LINE_AA)
    found = find_text_lines(page)
    assert len(found.lines) == 7
    assert found.lines[0].bbox[0] < 100 and found.lines[0].bbox[2] > 1350


def test_small_print_caught_among_strokes_across_it_is_still_lined() -> None:
    """A block of small print with pencil strokes across its sides (each a couple of text heights tall)
    above large writing: strokes and print run together into one tangle many text heights tall; the
    print is lined on its own, the strokes' specks of ornament beside it give no lines."""
    page = np.full((1500, 2400), 255, np.uint8)
    font = cv2.FONT_HERSHEY_SIMPLEX
    rows = ["Honorary Presidents:", "MISS FRANCES WILLARD", "MRS. MAY WRIGHT SEWALL", "MRS. MARY DICKINSON"]
    for n, text in enumerate(rows):
        cv2.putText(page, text, (1000, 200 + 40 * n), font, 0.9, 0, 2, cv2.LINE_AA)
    for x in range(860, 1500, 70):
        cv2.line(page, (x, 90), (x + 80, 330), 0, 5)
    cv2.circle(page, (1700, 200), 6, 0, -1)  # an ornament's pair of dots, one above the other
    cv2.circle(page, (1700, 224), 6, 0, -1)
    for y in range(550, 1200, 150):
        cv2.putText(page, "Dear Sir, thank you for the letter", (80, y), font, 3.5, 0, 7, cv2.LINE_AA)
    found = find_text_lines(page)
    for n in range(len(rows)):
        baseline = 200 + 40 * n
        assert any(abs(line.baseline - baseline) <= 6 and line.bbox[0] <= 1030 and line.bbox[2] >= 1200
                   for line in found.lines), (baseline, [line.bbox for line in found.lines])
    assert not any(line.bbox[0] > 1650 for line in found.lines)


def test_words_that_a_flourish_runs_through_stay_in_their_line() -> None:
    """A signature's flourish from the end of a line down in a big loop and back up through its last
    words: the loop is no text, the words it touches stay in the line, and the line is one."""
    page = np.full((800, 1800), 255, np.uint8)
    page[:400] = _joined_up_lines((200, 280))[:400]
    cv2.ellipse(page, (1048, 480), (190, 210), 0, 180, 520, 0, 5)
    found = find_text_lines(page)
    assert len(found.lines) == 2, [line.bbox for line in found.lines]
    second = found.lines[1]
    assert second.bbox[0] < 80 and second.bbox[2] > 1200
    assert _owned_by(found, page, (1000, 245, 1100, 282), second) > 0.8  # "lazy", which the loop crosses
    assert any(kind == "graphic" and box[3] > 600 for box, kind in found.nontext)


def test_a_margin_rule_beside_the_lines_stays_out_of_them() -> None:
    """A slanted margin rule just left of the lines' first words, within a word space of them: a stroke
    that crosses the lines is no letter of theirs."""
    page = _joined_up_lines((200, 280, 360))
    cv2.line(page, (15, 0), (40, 599), 0, 3)
    found = find_text_lines(page)
    assert len(found.lines) == 3
    assert all(line.bbox[0] >= 55 for line in found.lines), [line.bbox for line in found.lines]


def test_small_words_without_a_line_at_the_body_size_join_the_small_print() -> None:
    """A small word that is one component (bold capitals run together beside a seal) is too small to be a
    line at the body's size: on a page with small print it is lined with the small print, on a page
    without it is not; a speck never is."""
    stats = np.array([(0, 0, 0, 0, 0), (0, 200, 900, 60, 9000), (300, 90, 71, 14, 750), (500, 90, 3, 3, 9)])
    line_of = np.array([0, 1, 2, 3])  # lines 2 and 3 were dropped as too small at the body's size
    body = textlines.TextLine(bbox=(0, 200, 900, 260), slope=0.0, baseline=250.0, x_height=30.0, label=1)
    loose = textlines._loose_print(stats, line_of, [body], 76.0, small_print=True)
    assert loose is not None and loose.tolist() == [False, False, True, False]
    assert textlines._loose_print(stats, line_of, [body], 76.0, small_print=False) is None
    # small letters caught in a tangle (a "line" many text heights tall) are loose on any page, and then
    # so is the small word
    letters = np.array([(300 + 20 * n, 90, 12, 14, 80) for n in range(textlines.TANGLED_PRINT)])
    stats = np.concatenate([stats, letters])
    line_of = np.concatenate([line_of, np.full(len(letters), 1)])
    body.x_height = 200.0
    loose = textlines._loose_print(stats, line_of, [body], 76.0, small_print=False)
    assert loose is not None and loose[4:].all() and loose[:4].tolist() == [False, False, True, False]


@pytest.mark.parametrize("lift", [4, 18])  # the descenders touching the rule below, or clear of it
def test_a_table_grid_is_a_rule_and_each_row_is_a_line(lift: int) -> None:
    """A table drawn as a full grid, its cells' text wider than a receipt's prices: the grid is set aside
    as a rule (not one huge line), and each row is one line, its cells left to right."""
    page = np.full((1200, 1800), 255, np.uint8)
    font = cv2.FONT_HERSHEY_SIMPLEX
    columns, rows = [100, 600, 1100, 1600], [200 + 70 * r for r in range(8)]
    for x in columns:
        cv2.line(page, (x, rows[0]), (x, rows[-1]), 0, 3)
    for y in rows:
        cv2.line(page, (columns[0], y), (columns[-1], y), 0, 3)
    for y in rows[1:]:
        for x, words in zip(columns[:3], ["apple jelly", "quantity 12", "price 3.99"], strict=True):
            cv2.putText(page, words, (x + 20, y - lift), font, 1.3, 0, 3, cv2.LINE_AA)
    found = find_text_lines(page)
    assert len(found.lines) == len(rows) - 1, [line.bbox for line in found.lines]
    for line, y in zip(found.lines, rows[1:], strict=True):
        assert line.bbox[1] < y - 20 < line.bbox[3] and line.bbox[0] < 140 and line.bbox[2] > 1250
    assert any(kind == "rule" and box[2] - box[0] > 1400 and box[3] - box[1] > 450 for box, kind in found.nontext)


def test_a_capital_set_apart_joins_its_line_by_its_foot() -> None:
    """A handwritten capital T set apart from the rest of its word (the bundled sample's first line): most
    of its ink is in its bar, so its own baseline comes out high, but its foot stands on the line's
    baseline; a piece whose foot is well off that baseline stays apart."""
    rest = textlines.TextLine(bbox=(172, 184, 1598, 270), slope=-0.0213, baseline=242.3, x_height=32.0,
                              band=(-43.0, 12.0))
    capital = textlines.TextLine(bbox=(89, 211, 157, 257), slope=-0.022, baseline=233.8, x_height=26.8,
                                 band=(-22.0, 21.0))
    assert textlines._same_line(capital, rest)
    above = textlines.TextLine(bbox=(89, 180, 157, 226), slope=0.0, baseline=214.0, x_height=26.8,
                               band=(-22.0, 12.0))
    assert not textlines._same_line(above, rest)
