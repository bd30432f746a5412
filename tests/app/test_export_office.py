"""DOCX and ODT exports: valid packages, the text in reading order, page breaks, doubtful words marked."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from app.export import FORMATS, export_document, office
from tests.app.factories import make_document

W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def _docx_paragraphs(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        assert {"[Content_Types].xml", "_rels/.rels", "word/document.xml"} <= set(archive.namelist())
        root = ET.fromstring(archive.read("word/document.xml"))
    return ["".join(t.text or "" for t in p.iter(f"{W_NS}t")) for p in root.iter(f"{W_NS}p")]


def test_docx_holds_the_text_with_page_breaks(tmp_path: Path) -> None:
    document = make_document(pages=2)
    path = tmp_path / "out.docx"
    office.export_docx(document, path)
    paragraphs = _docx_paragraphs(path)
    page = document.pages[0].text.split("\n")
    assert paragraphs == [*page, "", *page]  # the empty one holds the page break
    assert b'w:type="page"' in zipfile.ZipFile(path).read("word/document.xml")
    office.export_docx(document, tmp_path / "again.docx")
    assert path.read_bytes() == (tmp_path / "again.docx").read_bytes()  # reproducible bytes


def test_odt_is_a_valid_package(tmp_path: Path) -> None:
    document = make_document(pages=2)
    path = tmp_path / "out.odt"
    office.export_odt(document, path)
    with zipfile.ZipFile(path) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        root = ET.fromstring(archive.read("content.xml"))
    paragraphs = ["".join(p.itertext()) for p in root.iter(f"{TEXT_NS}p")]
    page = document.pages[0].text.split("\n")
    assert paragraphs == [*page, *page]
    breaks = [p for p in root.iter(f"{TEXT_NS}p") if p.get(f"{TEXT_NS}style-name") == "PageBreak"]
    assert len(breaks) == 1


def test_doubtful_words_highlighted(tmp_path: Path) -> None:
    document = make_document()
    word = document.pages[0].lines[0].words[0]
    for glyph in word.glyphs:
        glyph.confidence, glyph.corrected = 0.2, False
    office.export_docx(document, tmp_path / "d.docx", doubtful=0.5)
    office.export_odt(document, tmp_path / "d.odt", doubtful=0.5)
    docx = zipfile.ZipFile(tmp_path / "d.docx").read("word/document.xml").decode()
    odt = zipfile.ZipFile(tmp_path / "d.odt").read("content.xml").decode()
    assert re.search(r'w:highlight w:val="yellow"/></w:rPr><w:t xml:space="preserve">' + re.escape(word.text), docx)
    assert f'<text:span text:style-name="Doubtful">{word.text}</text:span>' in odt.replace("&lt;", "<")


def test_formats_registered_for_gui_and_cli(tmp_path: Path) -> None:
    assert FORMATS["docx"].suffix == ".docx" and FORMATS["odt"].suffix == ".odt"
    paths = export_document(make_document(), tmp_path, "scan", ["docx", "odt"])
    assert [p.name for p in paths] == ["scan.docx", "scan.odt"]
