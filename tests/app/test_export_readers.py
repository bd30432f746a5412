"""Other tools read Glyphic's hOCR and ALTO back: the Internet Archive's hOCR parser (archive-hocr-tools)
and alto-tools."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.document import Region
from app.export.alto import export as export_alto
from app.export.hocr import export as export_hocr
from tests.app.factories import all_words, make_document

hocr_parse = pytest.importorskip("hocr.parse", reason="archive-hocr-tools is in the dev extra")
alto_tools = pytest.importorskip("alto_tools.alto_tools", reason="alto-tools is in the dev extra")


def test_the_archive_hocr_parser_reads_words_boxes_and_pages(tmp_path: Path) -> None:
    document = make_document(pages=2)
    path = tmp_path / "doc.hocr"
    export_hocr(document, path)
    read = []
    for page in hocr_parse.hocr_page_iterator(str(path)):  # streamed: each page is cleared after its turn
        words = [w for paragraph in hocr_parse.hocr_page_to_word_data(page) for line in paragraph["lines"]
                 for w in line["words"]]
        read.append((hocr_parse.hocr_page_get_dimensions(page), words))
    assert len(read) == 2
    for (size, words), page in zip(read, document.pages, strict=True):
        assert size == (page.width, page.height)
        assert [w["text"] for w in words] == [w.text for w in all_words(page)]
        assert [tuple(w["bbox"]) for w in words] == [w.bbox for w in all_words(page)]


def test_alto_tools_reads_text_confidence_and_illustrations(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    document = make_document()
    document.pages[0].regions = [Region((10, 500, 200, 590), "graphic")]
    path = tmp_path / "doc.alto.xml"
    export_alto(document, path)
    with path.open(encoding="utf-8") as handle:
        alto, xml, xmlns = alto_tools.alto_parse(handle)
        alto_tools.alto_text(xml, xmlns)
        text = capsys.readouterr().out
        assert [line.strip() for line in text.strip().splitlines()] == [ln.text for ln in document.pages[0].lines]
        alto_tools.alto_illustrations(alto, xml, xmlns)
        assert "90,190,500,10" in capsys.readouterr().out  # HEIGHT,WIDTH,VPOS,HPOS
