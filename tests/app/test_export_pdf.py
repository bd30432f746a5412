"""Searchable PDF export: page sizes, the scan underneath, and an invisible text layer that lines up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from app.atomic import ExportError
from app.document import Document, Glyph, Word
from app.export import pdf
from tests.app.factories import PAGE_DPI, PAGE_HEIGHT, PAGE_WIDTH, all_words, make_document

PT = 72 / PAGE_DPI  # points per page pixel


def blank_page() -> np.ndarray:
    return np.full((PAGE_HEIGHT, PAGE_WIDTH), 255, np.uint8)


@contextmanager
def opened(path: Path) -> Iterator[pdfium.PdfDocument]:
    document = pdfium.PdfDocument(str(path))
    try:
        yield document
    finally:
        document.close()


def text_in_box(page: pdfium.PdfPage, box: tuple[int, int, int, int], margin: float = 2) -> str:
    """Text pdfium finds inside a pixel box (PDF y grows upwards from the page bottom)."""
    x0, y0, x1, y1 = box
    text_page = page.get_textpage()
    return str(text_page.get_text_bounded(left=x0 * PT - margin, bottom=(PAGE_HEIGHT - y1) * PT - margin,
                                          right=x1 * PT + margin, top=(PAGE_HEIGHT - y0) * PT + margin)).strip()


def test_pages_sizes_and_text_layer(tmp_path: Path) -> None:
    document = make_document(pages=2)
    path = tmp_path / "out.pdf"
    pdf.export(document, path, images=[blank_page(), blank_page()])
    with opened(path) as result:
        assert len(result) == 2
        for page in result:
            assert page.get_size() == pytest.approx((PAGE_WIDTH * PT, PAGE_HEIGHT * PT))
            text = page.get_textpage().get_text_range()
            assert text.split() == document.pages[0].text.split()


def test_words_line_up_with_their_boxes(tmp_path: Path) -> None:
    document = make_document()
    path = tmp_path / "out.pdf"
    pdf.export(document, path, images=lambda index: blank_page())
    with opened(path) as result:
        page = result[0]
        for word in all_words(document.pages[0]):
            assert text_in_box(page, word.bbox) == word.text
        text_page = page.get_textpage()
        indices = [i for i in range(text_page.count_chars()) if text_page.get_text_range(i, 1).strip()]
        for word in all_words(document.pages[0]):  # the glyphs fill the word box horizontally, inside it vertically
            chars, indices = indices[:len(word.text)], indices[len(word.text):]
            assert text_page.get_charbox(chars[0], loose=True)[0] / PT == pytest.approx(word.bbox[0], abs=3)
            assert text_page.get_charbox(chars[-1], loose=True)[2] / PT == pytest.approx(word.bbox[2], abs=3)
            for _, bottom, _, top in (text_page.get_charbox(i) for i in chars):
                assert word.bbox[1] - 2 <= PAGE_HEIGHT - top / PT < PAGE_HEIGHT - bottom / PT <= word.bbox[3] + 2
        assert not indices


def test_scan_is_drawn_and_text_is_invisible(tmp_path: Path) -> None:
    image = blank_page()
    image[500:, 900:] = 0  # a black square bottom right
    path = tmp_path / "out.pdf"
    pdf.export(make_document(), path, images=[image])
    with opened(path) as result:
        rendered = result[0].render(scale=1 / PT, grayscale=True).to_numpy()
    assert rendered.shape == pytest.approx((PAGE_HEIGHT, PAGE_WIDTH), abs=1)
    assert rendered[520:580, 920:980].max() < 20
    assert rendered[:480, :880].min() > 235  # the words are there, but not drawn


def test_images_reloaded_from_the_page_source(tmp_path: Path) -> None:
    scan = tmp_path / "scan.png"
    image = blank_page()
    image[:100, :100] = 0
    Image.fromarray(image).save(scan, dpi=(PAGE_DPI, PAGE_DPI))
    document = make_document(source=str(scan))
    path = tmp_path / "out.pdf"
    pdf.export(document, path)
    with opened(path) as result:
        rendered = result[0].render(scale=1 / PT, grayscale=True).to_numpy()
        assert rendered[10:90, 10:90].max() < 20 and rendered[300:, 500:].min() > 235
        assert result[0].get_textpage().get_text_range().split()[0] == "Hello"


def test_missing_or_unreadable_images(tmp_path: Path) -> None:
    document = make_document(source="")
    with pytest.raises(ExportError, match="no image"):
        pdf.export(document, tmp_path / "a.pdf")
    with pytest.raises(ExportError, match="no image"):
        pdf.export(make_document(pages=2), tmp_path / "b.pdf", images=[blank_page()])
    with pytest.raises(ExportError, match="not found"):
        pdf.export(make_document(source=str(tmp_path / "gone.png")), tmp_path / "c.pdf")
    with pytest.raises(ExportError, match="no pages"):
        pdf.export(Document(source="x.png"), tmp_path / "d.pdf")
    assert not list(tmp_path.iterdir())


def replace_first_word(document: Document, text: str) -> None:
    old = document.pages[0].blocks[0].lines[0].words[0]
    glyphs = [Glyph(old.bbox, text, 0.9)]
    document.pages[0].blocks[0].lines[0].words[0] = Word(old.bbox, glyphs)


def test_text_outside_latin_1_is_approximated_with_the_core_font(tmp_path: Path) -> None:
    document = make_document()
    replace_first_word(document, "\u201cŁódź\u201d—€ ﬁ")
    path = tmp_path / "out.pdf"
    pdf.export(document, path, images=[blank_page()])
    with opened(path) as result:
        words = result[0].get_textpage().get_text_range().split()
    assert words[:3] == ['"?ódz"-E', "fi", "<world>"]


def test_unicode_with_a_truetype_font(tmp_path: Path) -> None:
    font = Path(pytest.importorskip("matplotlib").get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    document = make_document()
    replace_first_word(document, "Łódź—€")
    path = tmp_path / "out.pdf"
    pdf.export(document, path, images=[blank_page()], font=font)
    with opened(path) as result:
        assert result[0].get_textpage().get_text_range().split()[0] == "Łódź—€"


def test_jpeg_page_images(tmp_path: Path) -> None:
    noise = np.random.default_rng(1).integers(0, 256, (PAGE_HEIGHT, PAGE_WIDTH), dtype=np.uint8)
    lossless, jpeg = tmp_path / "a.pdf", tmp_path / "b.pdf"
    pdf.export(make_document(), lossless, images=[noise])
    pdf.export(make_document(), jpeg, images=[noise], jpeg_quality=50)
    assert jpeg.stat().st_size < lossless.stat().st_size
    with opened(jpeg) as result:
        assert result[0].get_textpage().get_text_range().split()[0] == "Hello"


def test_same_document_gives_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 20 (8): /CreationDate and /ID no longer change from run to run."""
    import time

    document = make_document()
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    pdf.export(document, first, images=[blank_page()])
    time.sleep(1.1)  # the clock's seconds would show in a date taken from it
    pdf.export(document, second, images=[blank_page()])
    assert first.read_bytes() == second.read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pdf.export(document, second, images=[blank_page()])
    data = second.read_bytes()
    assert b"/CreationDate (D:20231114221320Z)" in data
    assert data != first.read_bytes()  # the /ID follows the content and the date
    third = tmp_path / "c.pdf"
    pdf.export(make_document(source="other.png"), third, images=[blank_page()])
    id_of = [p.read_bytes().split(b"/ID [")[1][:34] for p in (second, third)]
    assert id_of[0] != id_of[1]
