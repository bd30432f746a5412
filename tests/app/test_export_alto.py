"""ALTO v4 export: parse the XML back and check layout, positions, words and confidences."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from app.document import Alternative, Document, Glyph
from app.export import alto
from tests.app.factories import LOW_CONFIDENCE, all_words, make_document

ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"
NS = {"a": ALTO_NS}


def parse(document: Document, tmp_path: Path, **options: bool) -> ET.Element:
    path = tmp_path / "out.alto.xml"
    alto.export(document, path, **options)
    return ET.fromstring(path.read_bytes())


def box(element: ET.Element) -> tuple[int, int, int, int]:
    """HPOS/VPOS/WIDTH/HEIGHT back to an exclusive (x0, y0, x1, y1) box."""
    x, y, w, h = (int(element.get(k, "nan")) for k in ("HPOS", "VPOS", "WIDTH", "HEIGHT"))
    return (x, y, x + w, y + h)


def test_description_and_pages(tmp_path: Path) -> None:
    root = parse(make_document(pages=2), tmp_path)
    assert root.tag == f"{{{ALTO_NS}}}alto"
    assert root.findtext("a:Description/a:MeasurementUnit", namespaces=NS) == "pixel"
    assert root.findtext("a:Description/a:sourceImageInformation/a:fileName", namespaces=NS) == "scan.png"
    assert root.findtext(".//a:processingSoftware/a:softwareName", namespaces=NS) == "glyphic"
    pages = root.findall("a:Layout/a:Page", NS)
    assert [(p.get("ID"), p.get("PHYSICAL_IMG_NR"), p.get("WIDTH"), p.get("HEIGHT")) for p in pages] == [
        ("page_1", "1", "1000", "600"), ("page_2", "2", "1000", "600")]
    assert box(pages[0].find("a:PrintSpace", NS)) == (0, 0, 1000, 600)  # type: ignore[arg-type]
    ids = [e.get("ID") for e in root.iter() if e.get("ID")]
    assert len(ids) == len(set(ids))


def test_blocks_lines_strings_and_spaces(tmp_path: Path) -> None:
    document = make_document()
    page = document.pages[0]
    root = parse(document, tmp_path)
    blocks = root.findall(".//a:TextBlock", NS)
    assert [box(b) for b in blocks] == [b.bbox for b in page.blocks]
    lines = root.findall(".//a:TextLine", NS)
    assert [box(e) for e in lines] == [line.bbox for line in page.lines]
    assert lines[0].get("BASELINE") == "50,72 314,72"
    for element, line in zip(lines, page.lines, strict=True):
        strings = element.findall("a:String", NS)
        assert " ".join(s.get("CONTENT", "") for s in strings) == line.text
        spaces = element.findall("a:SP", NS)
        assert len(spaces) == len(line.words) - 1
        assert [int(sp.get("WIDTH", "-1")) for sp in spaces] == [24] * len(spaces)
        assert [child.tag.split("}")[1] for child in element][:3] == ["String", "SP", "String"]
    strings = root.findall(".//a:String", NS)
    words = all_words(page)
    assert [s.get("CONTENT") for s in strings] == [w.text for w in words]
    assert {"<world>", "A&B", '"quoted"', "café"} <= {s.get("CONTENT") for s in strings}
    assert [box(s) for s in strings] == [w.bbox for w in words]
    assert [float(s.get("WC", "nan")) for s in strings] == [round(w.confidence, 3) for w in words]
    assert float(strings[1].get("WC", "nan")) == LOW_CONFIDENCE


def test_glyphs_and_variants(tmp_path: Path) -> None:
    document = make_document()
    root = parse(document, tmp_path)
    first = root.find(".//a:String", NS)
    assert first is not None
    glyphs = first.findall("a:Glyph", NS)
    word = all_words(document.pages[0])[0]
    assert [g.get("CONTENT") for g in glyphs] == list(word.text)
    assert [box(g) for g in glyphs] == [g.bbox for g in word.glyphs]
    assert [float(g.get("GC", "nan")) for g in glyphs] == [g.confidence for g in word.glyphs]
    variants = glyphs[0].findall("a:Variant", NS)
    assert [(v.get("CONTENT"), float(v.get("VC", "nan"))) for v in variants] == [("x", 0.1)]


def test_without_glyphs_and_with_multi_character_glyphs(tmp_path: Path) -> None:
    document = make_document()
    assert not parse(document, tmp_path, glyphs=False).findall(".//a:Glyph", NS)
    word = document.pages[0].blocks[0].lines[0].words[0]
    word.glyphs[0] = Glyph(word.glyphs[0].bbox, "fi", 0.8, [Alternative("fi", 0.8), Alternative("toolong", 0.1)])
    strings = parse(document, tmp_path).findall(".//a:String", NS)
    assert strings[0].get("CONTENT") == "fiello"
    assert not strings[0].findall("a:Glyph", NS)  # ALTO Glyph CONTENT must be one character
    assert strings[1].findall("a:Glyph", NS)


def test_corrected_words_are_marked(tmp_path: Path) -> None:
    document = make_document()
    document.pages[0].blocks[1].lines[0].words[0].glyphs[0].corrected = True
    strings = parse(document, tmp_path).findall(".//a:String", NS)
    assert [s.get("CS") for s in strings].count("true") == 1
