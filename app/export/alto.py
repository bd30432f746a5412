"""ALTO v4 export (namespace ``http://www.loc.gov/standards/alto/ns-v4#``, schema 4.2).

Layout: one ``Page`` per page (``PHYSICAL_IMG_NR`` 1-based) / ``PrintSpace`` (the whole page) /
``TextBlock`` / ``TextLine`` / ``String`` with ``SP`` between words; non-text regions are
``Illustration`` (pictures, stamps) and ``GraphicalElement`` (rules) in the ``PrintSpace``. Positions are in pixels
(``MeasurementUnit`` pixel); ``WC`` and ``GC`` are confidences 0..1. Each ``String`` holds a
``Glyph`` per character (with its alternatives as ``Variant``) when every glyph is one character.
"""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from app.atomic import write_bytes_atomic
from app.document import BBox, Document, Glyph, Line, Page, Word
from app.export._xml import confidence_text, serialize, xml_text

ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{ALTO_NS} http://www.loc.gov/standards/alto/v4/alto-4-2.xsd"
SOFTWARE = "glyphic"


def export(document: Document, path: Path, *, glyphs: bool = True) -> None:
    """Write ``document`` as one ALTO v4 file (all pages).

    Args:
        document: the result to write.
        path: the target file (written atomically).
        glyphs: include ``Glyph`` (and ``Variant``) elements inside each ``String``.

    Raises:
        ExportError: the file cannot be written.
    """
    write_bytes_atomic(path, to_alto(document, glyphs=glyphs))


def to_alto(document: Document, *, glyphs: bool = True) -> bytes:
    """The ALTO document as UTF-8 bytes."""
    alto = ET.Element("alto", {"xmlns": ALTO_NS, "xmlns:xsi": XSI_NS, "xsi:schemaLocation": SCHEMA_LOCATION,
                               "SCHEMAVERSION": "4.2"})
    description = ET.SubElement(alto, "Description")
    ET.SubElement(description, "MeasurementUnit").text = "pixel"
    source_info = ET.SubElement(description, "sourceImageInformation")
    ET.SubElement(source_info, "fileName").text = xml_text(document.source)
    processing = ET.SubElement(description, "Processing", {"ID": "processing_1"})
    ET.SubElement(processing, "processingCategory").text = "contentGeneration"
    if document.model:
        ET.SubElement(processing, "processingStepSettings").text = xml_text(f"model: {document.model}")
    software = ET.SubElement(processing, "processingSoftware")
    ET.SubElement(software, "softwareName").text = SOFTWARE
    layout = ET.SubElement(alto, "Layout")
    for page in document.pages:
        _page(layout, page, glyphs)
    ET.indent(alto, space=" ")
    return serialize(alto)


def _position(box: BBox) -> dict[str, str]:
    x0, y0, x1, y1 = box
    return {"HPOS": str(x0), "VPOS": str(y0), "WIDTH": str(x1 - x0), "HEIGHT": str(y1 - y0)}


def _page(layout: ET.Element, page: Page, glyphs: bool) -> None:
    number = page.index + 1
    page_element = ET.SubElement(layout, "Page", {"ID": f"page_{number}", "PHYSICAL_IMG_NR": str(number),
                                                  "WIDTH": str(page.width), "HEIGHT": str(page.height)})
    space = ET.SubElement(page_element, "PrintSpace", _position((0, 0, page.width, page.height)))
    counters = {"block": 0, "line": 0, "string": 0, "region": 0}

    def next_id(kind: str) -> str:
        counters[kind] += 1
        return f"p{number}_{kind}_{counters[kind]}"

    for block in page.blocks:
        block_element = ET.SubElement(space, "TextBlock", {"ID": next_id("block"), **_position(block.bbox)})
        for line in block.lines:
            _line(block_element, line, next_id, glyphs)
    for region in page.regions:
        tag = "GraphicalElement" if region.kind == "rule" else "Illustration"
        ET.SubElement(space, tag, {"ID": next_id("region"), **_position(region.bbox)})


def _line(block: ET.Element, line: Line, next_id: Callable[[str], str], glyphs: bool) -> None:
    attrs = {"ID": next_id("line"), **_position(line.bbox)}
    x0, y0, x1, y1 = line.bbox
    if y0 < line.baseline <= y1:
        attrs["BASELINE"] = f"{x0},{round(line.baseline)} {x1},{round(line.baseline)}"
    line_element = ET.SubElement(block, "TextLine", attrs)
    previous: Word | None = None
    for word in line.words:
        if previous is not None:
            _space(line_element, previous.bbox, word.bbox)
        _string(line_element, word, next_id("string"), glyphs)
        previous = word


def _space(line: ET.Element, left: BBox, right: BBox) -> None:
    gap = max(0, right[0] - left[2])
    ET.SubElement(line, "SP", {"HPOS": str(left[2]), "VPOS": str(min(left[1], right[1])), "WIDTH": str(gap)})


def _string(line: ET.Element, word: Word, string_id: str, glyphs: bool) -> None:
    attrs = {"ID": string_id, **_position(word.bbox), "WC": confidence_text(word.confidence),
             "CONTENT": xml_text(word.text)}
    if word.glyphs and any(g.corrected for g in word.glyphs):
        attrs["CS"] = "true"
    string = ET.SubElement(line, "String", attrs)
    chars = [_single_char(g.text) for g in word.glyphs]
    if glyphs and all(c is not None for c in chars):
        for glyph, char in zip(word.glyphs, chars, strict=True):
            _glyph(string, glyph, char or "")


def _glyph(string: ET.Element, glyph: Glyph, char: str) -> None:
    element = ET.SubElement(string, "Glyph", {**_position(glyph.bbox), "CONTENT": char,
                                              "GC": confidence_text(glyph.confidence)})
    for alternative in glyph.alternatives:
        text = xml_text(alternative.text)
        if text != char and 0 < len(text) <= 3:  # ALTO caps Variant CONTENT at 3 characters
            ET.SubElement(element, "Variant", {"CONTENT": text, "VC": confidence_text(alternative.probability)})


def _single_char(text: str) -> str | None:
    """``text`` as the one precomposed character ALTO's Glyph CONTENT requires, else None."""
    composed = xml_text(unicodedata.normalize("NFC", text))
    return composed if len(composed) == 1 else None
