"""PAGE XML export, and non-text regions in every XML format."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from app.document import Document, Region
from app.export import FORMATS, export_document
from app.export.alto import to_alto
from app.export.hocr import to_hocr
from app.export.pagexml import PAGE_NS, page_paths, to_page_xml
from tests.app.factories import all_words, make_document

NS = {"pc": PAGE_NS}
#: Child elements PAGE's schema allows, in the order it requires them (the ones Glyphic writes).
ORDER = {
    "PcGts": ["Metadata", "Page"],
    "Metadata": ["Creator", "Created", "LastChange"],
    "Page": ["ReadingOrder", "TextRegion", "GraphicRegion", "SeparatorRegion"],
    "TextRegion": ["Coords", "TextLine", "TextEquiv"],
    "TextLine": ["Coords", "Baseline", "Word", "TextEquiv"],
    "Word": ["Coords", "Glyph", "TextEquiv"],
    "Glyph": ["Coords", "TextEquiv"],
    "TextEquiv": ["Unicode"],
}


def _with_regions() -> Document:
    document = make_document()
    document.pages[0].regions = [Region((10, 500, 200, 590), "graphic"), Region((20, 480, 900, 484), "rule")]
    return document


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _check_order(element: ET.Element) -> None:
    allowed = ORDER.get(_local(element.tag))
    if allowed is not None:
        names = [_local(child.tag) for child in element]
        assert all(name in allowed for name in names), (element.tag, names)
        positions = [allowed.index(name) for name in names]
        assert positions == sorted(positions), (element.tag, names)
    for child in element:
        _check_order(child)


def test_page_xml_has_the_schema_structure_text_and_regions() -> None:
    document = _with_regions()
    page = document.pages[0]
    root = ET.fromstring(to_page_xml(document, page))
    assert root.tag == f"{{{PAGE_NS}}}PcGts"
    _check_order(root)
    page_element = root.find("pc:Page", NS)
    assert page_element is not None and page_element.get("imageWidth") == str(page.width)
    lines = page_element.findall(".//pc:TextLine", NS)
    assert [line.findtext("pc:TextEquiv/pc:Unicode", None, NS) for line in lines] == [ln.text for ln in page.lines]
    words = page_element.findall(".//pc:Word", NS)
    assert [w.findtext("pc:TextEquiv/pc:Unicode", None, NS) for w in words] == [w.text for w in all_words(page)]
    x0, y0, x1, y1 = page.lines[0].words[0].glyphs[0].bbox
    coords = words[0].find("pc:Glyph/pc:Coords", NS)
    assert coords is not None and coords.get("points") == f"{x0},{y0} {x1},{y0} {x1},{y1} {x0},{y1}"
    refs = [r.get("regionRef") for r in page_element.findall("pc:ReadingOrder//pc:RegionRefIndexed", NS)]
    assert refs == [r.get("id") for r in page_element.findall("pc:TextRegion", NS)]
    assert len(page_element.findall("pc:GraphicRegion", NS)) == 1
    assert len(page_element.findall("pc:SeparatorRegion", NS)) == 1


def test_a_document_of_several_pages_gives_one_page_file_each(tmp_path: Path) -> None:
    document = make_document(pages=3)
    written = export_document(document, tmp_path, "book", ["page"])
    assert written == [tmp_path / "book.page.xml"]
    files = page_paths(tmp_path / "book.page.xml", 3)
    assert [f.name for f in files] == ["book.p001.page.xml", "book.p002.page.xml", "book.p003.page.xml"]
    assert all(f.exists() for f in files) and FORMATS["page"].suffix == ".page.xml"
    again = tmp_path / "again"
    export_document(document, again, "book", ["page"])
    assert (again / "book.p002.page.xml").read_bytes() == files[1].read_bytes()  # reproducible


def test_regions_are_exported_in_alto_and_hocr() -> None:
    document = _with_regions()
    alto = to_alto(document).decode()
    assert alto.count("<Illustration ") == 1 and alto.count("<GraphicalElement ") == 1
    hocr = to_hocr(document).decode()
    assert "ocr_photo" in hocr and "ocr_separator" in hocr and 'title="bbox 10 500 200 590"' in hocr
    again = Document.from_json(document.to_json())
    assert again.pages[0].regions == document.pages[0].regions
