"""hOCR export: parse the XHTML back and check structure, boxes, texts and confidences."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from app.document import Document, Glyph
from app.export import hocr
from tests.app.factories import LOW_CONFIDENCE, all_words, make_document

NS = {"h": "http://www.w3.org/1999/xhtml"}


def parse(document: Document, tmp_path: Path, **options: bool) -> ET.Element:
    path = tmp_path / "out.hocr"
    hocr.export(document, path, **options)
    data = path.read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(data)


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if e.get("class") == name]


def title(element: ET.Element) -> dict[str, str]:
    """The hOCR properties of an element: ``{"bbox": "0 0 10 10", ...}``."""
    parts = (p.strip().split(" ", 1) for p in element.get("title", "").split(";") if p.strip())
    return {key: value for key, value in parts}


def bbox(element: ET.Element) -> tuple[int, ...]:
    return tuple(int(v) for v in title(element)["bbox"].split())


def test_head_and_pages(tmp_path: Path) -> None:
    root = parse(make_document(pages=2), tmp_path)
    assert root.tag == "{http://www.w3.org/1999/xhtml}html"
    metas = {m.get("name"): m.get("content") for m in root.iterfind("h:head/h:meta", NS)}
    assert metas["ocr-system"] == "glyphic"
    capabilities = set(str(metas["ocr-capabilities"]).split())
    assert {"ocr_page", "ocr_carea", "ocr_line", "ocrx_word", "ocrx_cinfo"} <= capabilities
    assert metas["ocr-number-of-pages"] == "2"
    pages = by_class(root, "ocr_page")
    assert [title(p)["ppageno"] for p in pages] == ["0", "1"]
    assert [bbox(p) for p in pages] == [(0, 0, 1000, 600)] * 2
    assert title(pages[0])["image"] == '"scan.png"'
    assert len({e.get("id") for e in root.iter() if e.get("id")}) == len([e for e in root.iter() if e.get("id")])


def test_blocks_lines_and_baselines(tmp_path: Path) -> None:
    document = make_document()
    page = document.pages[0]
    root = parse(document, tmp_path)
    assert [bbox(a) for a in by_class(root, "ocr_carea")] == [b.bbox for b in page.blocks]
    lines = by_class(root, "ocr_line")
    assert [bbox(e) for e in lines] == [line.bbox for line in page.lines]
    assert all(title(e)["baseline"] == "0 -8" for e in lines)  # 8 px above the line box bottom
    carea = by_class(root, "ocr_carea")[0]
    assert len([e for e in carea.iter() if e.get("class") == "ocr_line"]) == 2


def test_words_and_glyphs_with_escaping(tmp_path: Path) -> None:
    document = make_document()
    root = parse(document, tmp_path)
    expected = all_words(document.pages[0])
    words = by_class(root, "ocrx_word")
    assert ["".join(w.itertext()) for w in words] == [w.text for w in expected]
    assert "<world>" in [w.text for w in expected] and 'A&B' in [w.text for w in expected]
    assert [bbox(w) for w in words] == [w.bbox for w in expected]
    assert [int(title(w)["x_wconf"]) for w in words] == [round(w.confidence * 100) for w in expected]
    assert int(title(words[1])["x_wconf"]) == round(LOW_CONFIDENCE * 100)
    for element, word in zip(words, expected, strict=True):
        cinfos = [e for e in element if e.get("class") == "ocrx_cinfo"]
        assert [c.text for c in cinfos] == [g.text for g in word.glyphs]
        assert [bbox(c) for c in cinfos] == [g.bbox for g in word.glyphs]
        assert [float(title(c)["x_conf"]) for c in cinfos] == [round(g.confidence * 100, 2) for g in word.glyphs]
    line_text = " ".join("".join(w.itertext()) for w in words[:2])
    assert line_text == document.pages[0].lines[0].text


def test_without_glyphs(tmp_path: Path) -> None:
    document = make_document()
    root = parse(document, tmp_path, glyphs=False)
    assert not by_class(root, "ocrx_cinfo")
    assert [w.text for w in by_class(root, "ocrx_word")] == [w.text for w in all_words(document.pages[0])]


def test_paragraph_starts_split_a_block(tmp_path: Path) -> None:
    document = make_document()
    document.pages[0].blocks[0].lines[1].paragraph_start = True
    root = parse(document, tmp_path)
    assert len(by_class(root, "ocr_par")) == 3


def test_characters_xml_cannot_hold_are_replaced(tmp_path: Path) -> None:
    document = make_document(source='odd "name"\x01.png')
    document.pages[0].source = document.source
    document.pages[0].blocks[0].lines[0].words[0].glyphs[0] = Glyph((50, 40, 70, 80), "\x0c", 0.5)
    root = parse(document, tmp_path)
    assert "".join(by_class(root, "ocrx_word")[0].itertext()).startswith("\ufffd")
    assert title(by_class(root, "ocr_page")[0])["image"] == '"odd \\"name\\"\ufffd.png"'
