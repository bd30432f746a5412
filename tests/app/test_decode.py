from app.decode import DecodeOptions, GlyphGeometry, decide_case, decode_word, with_worn_t, word_is_lowercase

XH = 20.0  # x-height in pixels; baseline at y=100


def geo(top, bottom=100.0):
    return GlyphGeometry(top=top, bottom=bottom, baseline=100.0, x_height=XH)


SMALL = geo(80)  # an x-height glyph: o, s, c ...
TALL = geo(70)  # a capital or ascender
DESCENDING = geo(80, 112)  # p, y, j


def spell(candidates, chosen):
    return "".join(candidates[g][i][0] for g, i in enumerate(chosen))


def test_case_from_height():
    assert decide_case("O", SMALL) == "o"
    assert decide_case("O", TALL) == "O"
    assert decide_case("P", DESCENDING) == "p"
    assert decide_case("A", SMALL) == "A"  # 'a' has its own class: geometry does not touch A
    assert decide_case("7", SMALL) == "7"


def test_tall_lowercase_letters_follow_their_word():
    assert decide_case("L", TALL, word_lowercase=True) == "l"
    assert decide_case("L", TALL, word_lowercase=False) == "L"
    assert decide_case("K", TALL, word_lowercase=None) == "K"
    assert word_is_lowercase(["h", "e", "L", "L", "O"], [TALL, SMALL, TALL, TALL, SMALL])
    assert word_is_lowercase(["H", "E", "L", "L", "O"], [TALL] * 5) is False
    # any tall merged-class letter inside a lower-case word follows it ("Monday" with a large "y");
    # the first letter keeps its height's case ("You", "Paris" in mid-sentence)
    assert decide_case("Y", TALL, word_lowercase=True, inside=True) == "y"
    assert decide_case("Y", TALL, word_lowercase=True) == "Y"
    assert decide_case("Y", TALL, word_lowercase=False, inside=True) == "Y"  # "MONDAY"


def test_lexicon_fixes_letter_digit_confusions():
    candidates = [[("t", 0.9), ("f", 0.05)], [("h", 0.8), ("n", 0.1)], [("c", 0.5), ("e", 0.45)]]
    assert spell(candidates, decode_word(candidates)) == "the"
    assert spell(candidates, decode_word(candidates, DecodeOptions(lexicon=False))) == "thc"


def test_digits_stay_digits():
    candidates = [[("1", 0.9), ("l", 0.05)], [("9", 0.5), ("q", 0.45)], [("8", 0.8), ("B", 0.1)],
                  [("4", 0.8), ("A", 0.1)]]
    assert spell(candidates, decode_word(candidates)) == "1984"


def test_mixed_words_prefer_one_kind():
    candidates = [[("c", 0.9)], [("0", 0.55), ("o", 0.45)], [("w", 0.9)]]
    assert spell(candidates, decode_word(candidates, DecodeOptions(lexicon=False))) == "cow"


def test_confident_reading_is_not_overruled():
    candidates = [[("x", 0.97), ("a", 0.01)], [("y", 0.98), ("n", 0.01)], [("z", 0.96), ("d", 0.02)]]
    assert spell(candidates, decode_word(candidates)) == "xyz"


def test_empty_word():
    assert decode_word([]) == []


def test_small_marks_follow_their_place_on_the_line():
    from app.decode import mark_from_geometry, reweigh_small_mark

    period = GlyphGeometry(top=95, bottom=100, baseline=100.0, x_height=XH, left=0, right=5, small_mark=True)
    comma = GlyphGeometry(top=95, bottom=106, baseline=100.0, x_height=XH, left=0, right=4, small_mark=True)
    apostrophe = GlyphGeometry(top=70, bottom=77, baseline=100.0, x_height=XH, left=0, right=3, small_mark=True)
    hyphen = GlyphGeometry(top=88, bottom=91, baseline=100.0, x_height=XH, left=0, right=10, small_mark=True)
    assert [mark_from_geometry(g) for g in (period, comma, apostrophe, hyphen)] == [".", ",", "'", "-"]
    # the crop says apostrophe, the place says comma
    readings = reweigh_small_mark([("'", 0.6), (",", 0.3), ("1", 0.1)], comma)
    assert readings[0][0] == ","
    assert abs(sum(p for _, p in readings) - 1.0) < 1e-9


def test_punctuation_does_not_hide_a_word():
    candidates = [[("t", 0.9)], [("h", 0.8), ("n", 0.1)], [("c", 0.5), ("e", 0.45)], [(",", 0.9)]]
    assert spell(candidates, decode_word(candidates)) == "the,"


def test_hopeless_readings_are_pruned_without_changing_the_choice() -> None:
    # "cat" wins through the lexicon although "a" is the second reading of the middle glyph
    word = [[("c", 0.9), ("e", 0.1)], [("o", 0.55), ("a", 0.45)], [("t", 0.99), ("1", 1e-6)]]
    assert decode_word(word) == [0, 1, 0]
    # tiny probabilities everywhere still give a reading for every glyph
    assert decode_word([[("x", 1e-9), ("y", 1e-10)]] * 3) == [0, 0, 0]


def test_printed_capitals_use_the_line_cap_height() -> None:
    # a sans capital only 1.3 x-heights tall: unsure from fixed ratios, a capital next to the line's caps
    capital = GlyphGeometry(top=74, bottom=100, baseline=100.0, x_height=XH)
    assert decide_case("S", capital) == "S" and decide_case("S", capital, word_lowercase=True) == "s"
    with_caps = GlyphGeometry(top=74, bottom=100, baseline=100.0, x_height=XH, cap_height=27)
    assert decide_case("S", with_caps, word_lowercase=True) == "S"
    small = GlyphGeometry(top=79, bottom=100, baseline=100.0, x_height=XH, cap_height=27)
    assert decide_case("S", small, word_lowercase=False) == "s"


def test_sentence_ends() -> None:
    from app.decode import ends_sentence

    assert ends_sentence("end.") and ends_sentence('"Stop!"') and ends_sentence("why?)")
    assert not ends_sentence("then,") and not ends_sentence("word") and not ends_sentence("")


def test_place_overrules_a_confident_crop_for_marks_of_one_shape() -> None:
    from app.decode import is_mark_like, reweigh_small_mark

    # a serif comma taller than segmentation's small-mark limit, read as an apostrophe with 99.5%
    comma = GlyphGeometry(top=95, bottom=108, baseline=100.0, x_height=XH, left=0, right=6)
    readings = [("'", 0.995), (",", 0.005)]
    assert is_mark_like(readings, comma)
    assert reweigh_small_mark(readings, comma)[0][0] == ","
    assert not is_mark_like([("l", 0.9), ("'", 0.1)], comma)
    assert not is_mark_like(readings, GlyphGeometry(top=60, bottom=100, baseline=100.0, x_height=XH))


def test_brackets_belong_at_the_edges_of_words() -> None:
    from app.decode import reweigh_brackets

    # "clear" with a worn l read as "]"
    word = [[("c", 0.9)], [("]", 0.7), ("L", 0.3)], [("e", 0.9)], [("a", 0.9)], [("r", 0.9)]]
    reweighed = reweigh_brackets(word)
    assert reweighed[1][0][0] == "L" and abs(sum(p for _, p in reweighed[1]) - 1.0) < 1e-9
    assert reweighed[0] == word[0]
    # "(fox)." keeps its brackets
    framed = [[("(", 0.8), ("c", 0.2)], [("f", 0.9)], [("o", 0.9)], [("x", 0.9)], [(")", 0.8), ("j", 0.2)],
              [(".", 0.9)]]
    assert reweigh_brackets(framed) == framed


def test_a_bracket_resting_on_the_baseline_is_a_letter() -> None:
    from app.decode import reweigh_brackets

    def glyph(bottom: float) -> GlyphGeometry:
        return GlyphGeometry(top=60, bottom=bottom, baseline=100.0, x_height=XH, cap_height=40.0)

    # "trees" with a worn "t" read as "[": brackets reach below the baseline, this one ends on it
    trees = [[("[", 0.8), ("L", 0.15), ("1", 0.05)], [("r", 0.9)], [("e", 0.9)], [("e", 0.9)], [("S", 0.9)]]
    level = [glyph(100.0)] * 5
    assert reweigh_brackets(trees, geometries=level)[0][0][0] == "L"
    # one that descends like a bracket opens the word
    descending = [glyph(100.0 + 0.3 * XH), *level[1:]]
    assert reweigh_brackets(trees, geometries=descending)[0][0][0] == "["
    assert reweigh_brackets(trees)[0][0][0] == "["  # no geometry: the word alone decides


def test_an_unsure_short_stem_may_be_a_worn_t():
    def line_geo(top):  # cap / ascender height 29 px on a line of x-height 20
        return GlyphGeometry(top=top, bottom=100.0, baseline=100.0, x_height=XH, cap_height=29.0)

    letters = [[("f", 0.99)], [("o", 0.98)], [("r", 0.99)], [("e", 0.98)], [("s", 0.98)]]
    short_stem = [("i", 0.45), ("l", 0.3), ("1", 0.2)]  # 25 px tall: t height, its bar lost
    geos = [line_geo(80)] * 5
    raw = with_worn_t([*letters, short_stem], [*geos, line_geo(75)])
    assert raw[-1] == [("i", 0.45), ("l", 0.3), ("t", 0.25 * 0.45)]  # t takes the weakest one's place
    assert spell(raw, decode_word(raw)) == "forest"
    assert spell(raw, decode_word(raw, DecodeOptions(lexicon=False))) == "foresi"  # the crop alone says i
    tall_stem = with_worn_t([short_stem], [line_geo(71)])  # as tall as an l: no t
    sure_stem = with_worn_t([[("l", 0.95), ("i", 0.03)]], [line_geo(75)])
    assert all(c != "t" for c, _ in tall_stem[0] + sure_stem[0])
    # the recognizer's class for l is "L": "melhod" is a worn "method"
    me, hod = [[("M", 0.99)], [("e", 0.99)]], [[("h", 0.99)], [("O", 0.98)], [("d", 0.99)]]
    worn = with_worn_t([*me, [("L", 0.79), ("I", 0.1), ("1", 0.06)], *hod], [*geos[:2], line_geo(75), *geos[:3]])
    assert spell(worn, decode_word(worn)).lower() == "method"


def test_a_bracket_inside_a_word_is_no_word():
    from app.decode import word_score

    assert word_score("c]ear") == float("-inf")  # not the two words "c" and "ear"
    assert word_score("clear") > -5 and word_score("small's") > -9 and word_score("psalm-hymn") > -9
    worn_l = [[("c", 0.99)], [("]", 0.77), ("l", 0.15)], [("e", 0.99)], [("a", 0.99)], [("r", 0.99)]]
    assert spell(worn_l, decode_word(worn_l)) == "clear"


def test_two_letters_in_place_of_one_may_make_a_more_frequent_word() -> None:
    from app.decode import two_letters_make_a_word

    assert two_letters_make_a_word("brom", 3, gain=30)  # "wn" read as one "m": "brown"
    assert two_letters_make_a_word('"jau",', 3, gain=30)  # "jazz"; marks around the word are no letters
    assert not two_letters_make_a_word("from", 3, gain=30)  # "frown" is far rarer than "from"
    assert two_letters_make_a_word("from", 3, gain=0.001)
    assert not two_letters_make_a_word("xqzv", 1, gain=30)
    # a touching "tt" read as "u": "letter" is a common word, though not one in a thousand
    assert two_letters_make_a_word("leuer", 2, gain=30, least_frequency=1e-5)
    assert not two_letters_make_a_word("leuer", 2, gain=30, least_frequency=1e-3)


def test_word_list_membership_and_reading_scores() -> None:
    from app.decode import in_word_list, reading_score

    assert in_word_list("(brown),") is True and in_word_list("brwn") is False
    assert in_word_list("1178") is None and in_word_list("--") is None
    options = DecodeOptions()
    sure = [0.99, 0.99, 0.99, 0.99, 0.99]
    assert reading_score("brown", sure, options) > reading_score("brovn", sure, options)
    assert reading_score("brown", sure, options) > reading_score("brown", [0.5, *sure[1:]], options)
    assert reading_score("brown", sure, DecodeOptions(lexicon=False)) == reading_score("brovn", sure,
                                                                                        DecodeOptions(lexicon=False))


def test_a_square_bracket_that_closes_nothing_may_be_an_l() -> None:
    from app.decode import reweigh_brackets

    # "small" printed with a heavy-footed l read as "]" (a bracket closing a word is fine when one was opened)
    word = [[("S", 0.97)], [("M", 0.99)], [("a", 0.99)], [("L", 0.56), ("I", 0.26), ("]", 0.14)],
            [("]", 0.95), ("L", 0.01), ("J", 0.01)]]
    chosen = decode_word(reweigh_brackets(word, open_before=False))
    assert "".join(reweigh_brackets(word, open_before=False)[g][i][0] for g, i in enumerate(chosen)) == "SMaLL"
    assert reweigh_brackets(word, open_before=True)[4][0][0] == "]"
    # a bracket opened inside the word may be closed at its end
    framed = [[("[", 0.9)], [("a", 0.9)], [("]", 0.9)]]
    assert reweigh_brackets(framed, open_before=False) == framed


def test_brackets_stay_open_for_a_line_at_most() -> None:
    from app.pipeline import Flow

    flow = Flow()
    for text in ("see", "(the"):
        flow.read(text)
    assert flow.open_brackets == 1 and not flow.sentence_start
    flow.start_line(paragraph_start=False)
    assert flow.open_brackets == 1  # "(see the\nfigure)" closes on the next line
    flow.read("figure)")
    assert flow.open_brackets == 0
    flow.read("[sic")
    flow.start_line(paragraph_start=False)
    flow.read("word.")
    flow.start_line(paragraph_start=False)
    assert flow.open_brackets == 0 and flow.sentence_start  # a bracket left open two lines up is forgotten


def test_one_letter_in_place_of_two_may_make_a_word() -> None:
    from app.decode import one_letter_makes_a_word, out_of_place_marks_only

    assert one_letter_makes_a_word("i'orest", 0, gain=30)  # a broken "f": "forest"
    assert one_letter_makes_a_word("vallle", 3, gain=30)  # "value"
    assert not one_letter_makes_a_word("small", 3, gain=30)
    assert one_letter_makes_a_word("iiistory", 0, gain=30)  # an "H" whose crossbar was lost
    assert not one_letter_makes_a_word("al", 0, gain=30)  # a two-letter word is never joined into one
    assert out_of_place_marks_only("i'orest", 0, 2) and out_of_place_marks_only("vallle", 3, 5)
    assert not out_of_place_marks_only("first:", 4, 6)  # a colon after a word belongs there
    assert not out_of_place_marks_only("number's", 5, 7)  # so does the apostrophe of "'s"
    assert not out_of_place_marks_only("(see", 0, 2)


def test_print_shows_the_case_of_a_tall_k_l_or_i() -> None:
    import numpy as np

    from app.decode import lowercase_by_shape

    def canvas() -> np.ndarray:
        return np.zeros((40, 30), bool)

    big_l = canvas()
    big_l[:, 2:7] = True
    big_l[34:, 2:26] = True  # the foot reaches far right of the stem
    small_l = canvas()
    small_l[:, 12:17] = True
    small_l[36:, 9:20] = True  # serifs on both sides
    assert lowercase_by_shape("L", big_l, 1) is False and lowercase_by_shape("L", small_l, 1) is True
    big_k, small_k = canvas(), canvas()
    big_k[:, 2:7] = small_k[:, 2:7] = True
    for row in range(40):  # arms from the middle of the stem: to the top right (K) or to the x-height (k)
        col = 7 + abs(row - 22)
        if row < 22:
            big_k[row, min(col, 29)] = True
            if row >= 12:
                small_k[row, 7 + 2 * (22 - row)] = True
        else:
            big_k[row, min(col, 29)] = small_k[row, min(col, 29)] = True
    assert lowercase_by_shape("K", big_k, 1) is False and lowercase_by_shape("K", small_k, 1) is True
    dotted, plain = canvas(), canvas()
    dotted[0:6, 12:18] = dotted[12:, 12:18] = True
    plain[:, 12:18] = True
    assert lowercase_by_shape("I", dotted, 2) is True
    assert lowercase_by_shape("I", plain, 1) is None  # a capital I or an l: the word decides
    assert lowercase_by_shape("O", big_l, 1) is None


def test_the_letter_model_spells_words_the_word_list_lacks() -> None:
    from app.decode import letter_log_p

    assert letter_log_p("th", "e") > letter_log_p("th", "q")
    assert letter_log_p("^^", "t") > letter_log_p("^^", "x")  # "^" pads the start of a word
    # "b?ntz" is in no word list: an l or an i in second place is for the spelling to decide
    readings = [[("b", 0.9)], [("L", 0.55), ("I", 0.45)], [("n", 0.9)], [("t", 0.9)], [("Z", 0.9)]]

    def spell(options: DecodeOptions) -> str:
        return "".join(readings[g][i][0] for g, i in enumerate(decode_word(readings, options)))

    assert spell(DecodeOptions(letter_model_weight=0.0)) == "bLntZ"
    assert spell(DecodeOptions()) == "bIntZ"
    assert spell(DecodeOptions(lexicon=False)) == "bLntZ"  # no word context at all: the classifier's reading


def test_a_capital_after_a_small_letter_is_unlikely() -> None:
    # a handwritten "t" read as "T" a little more surely than as "t": "paTh" is the same word as "path"
    path = [[("p", 0.9)], [("a", 0.9)], [("T", 0.55), ("t", 0.4)], [("h", 0.9)]]
    assert spell(path, decode_word(path)) == "path"
    assert spell(path, decode_word(path, DecodeOptions(lexicon=False))) == "path"
    assert spell(path, decode_word(path, DecodeOptions(inner_capital_penalty=0.0, mixed_penalty=0.0))) == "paTh"
    # capitals after capitals and at the start are fine: "NASA", "The"
    nasa = [[("N", 0.9), ("n", 0.1)], [("A", 0.9), ("a", 0.1)], [("S", 0.9)], [("A", 0.9), ("a", 0.1)]]
    assert spell(nasa, decode_word(nasa)) == "NASA"
    the = [[("T", 0.9), ("t", 0.1)], [("h", 0.9)], [("e", 0.9)]]
    assert spell(the, decode_word(the)) == "The"
    # and a digit is no way out: "b00k" is no cheaper than "bOOk" after a small letter
    book = [[("b", 0.9)], [("0", 0.5), ("o", 0.4)], [("0", 0.5), ("o", 0.4)], [("k", 0.9)]]
    assert spell(book, decode_word(book, DecodeOptions(lexicon=False))) == "book"


def test_a_glyph_s_height_rules_out_readings() -> None:
    from app.decode import reweigh_by_height

    def glyph(top: float) -> GlyphGeometry:  # x-height 20, capitals and ascenders 30 px tall
        return GlyphGeometry(top=top, bottom=100.0, baseline=100.0, x_height=XH, cap_height=30.0)

    # a hand-written "n" whose arch the recognizer took for an "h": its ink stays within the x-height
    n_or_h = [("h", 0.6), ("n", 0.35), ("4", 0.05)]
    assert reweigh_by_height([n_or_h], [glyph(80.0)])[0][0][0] == "n"
    # a tall glyph keeps its "h" and "4" and its "n" falls behind; read "n" first, it is an "h" after all
    assert [c for c, _ in reweigh_by_height([n_or_h], [glyph(70.0)])[0]] == ["h", "4", "n"]
    assert reweigh_by_height([[("n", 0.6), ("h", 0.35)]], [glyph(70.0)])[0][0][0] == "h"
    # between the two heights nothing is ruled out, nor for a mark
    assert reweigh_by_height([n_or_h], [glyph(75.0)]) == [n_or_h]
    mark = GlyphGeometry(top=95, bottom=100.0, baseline=100.0, x_height=XH, cap_height=30.0, small_mark=True)
    assert reweigh_by_height([[(".", 0.9), ("4", 0.1)]], [mark]) == [[(".", 0.9), ("4", 0.1)]]


def test_a_sure_capital_may_still_be_its_small_letter() -> None:
    from app.decode import with_other_case

    # the recognizer is sure of "T" and left "t" out: the word has its say
    path = [[("p", 0.9)], [("a", 0.9)], [("T", 0.99), ("I", 0.01)], [("h", 0.9)]]
    widened = with_other_case(path)
    assert widened[2] == [("T", 0.99), ("t", 0.099)]  # in the weakest reading's place
    assert spell(widened, decode_word(widened)) == "path" and spell(path, decode_word(path)) == "paTh"
    # at the start of a word it stays a capital; merged classes ("S") and a likelier small letter stay as they are
    the = with_other_case([[("T", 0.99)], [("h", 0.9)], [("e", 0.9)]])
    assert spell(the, decode_word(the)) == "The"
    assert with_other_case([[("S", 0.9)], [("T", 0.5), ("t", 0.4)]]) == [[("S", 0.9)], [("T", 0.5), ("t", 0.4)]]
