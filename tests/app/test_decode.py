from app.decode import DecodeOptions, GlyphGeometry, decide_case, decode_word, word_is_lowercase

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
