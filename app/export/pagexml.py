"""PAGE XML export (PRImA PAGE content schema 2019-07-15, as Transkribus and eScriptorium import it).

One file per page is what those tools expect, and a document's pages go into one file each:
``stem.page.xml`` for a one-page document, ``stem.pNNN.page.xml`` for each page of a longer one
(:func:`page_paths`). Structure: ``PcGts`` / ``Metadata`` / ``Page`` / ``ReadingOrder`` (blocks in order),
``TextRegion`` per block / ``TextLine`` with ``Baseline`` / ``Word`` / ``Glyph``, each with its
``Coords`` (box corners) and ``TextEquiv`` (``conf`` 0..1); non-text regions are ``GraphicRegion`` and
``SeparatorRegion``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from app.atomic import write_bytes_atomic
from app.document import BBox, Document, Glyph, Line, Page, Word
from app.export._stamps import creation_date
from app.export._xml import confidence_text, serialize, xml_text

PAGE_NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{PAGE_NS} {PAGE_NS}/pagecontent.xsd"


def page_paths(path: Path, pages: int) -> list[Path]:
    """Where the pages of a document go: ``path`` itself for one page, numbered siblings for more."""
    if pages <= 1:
        return [path]
    stem = path.name.removesuffix(".page.xml")
    return [path.with_name(f"{stem}.p{n:03d}.page.xml") for n in range(1, pages + 1)]


def export(document: Document, path: Path) -> None:
    """Write every page of ``document`` as a PAGE XML file (see :func:`page_paths`).

    Raises:
        ExportError: a file cannot be written.
    """
    for page, target in zip(document.pages, page_paths(path, len(document.pages)), strict=True):
        write_bytes_atomic(target, to_page_xml(document, page))


def to_page_xml(document: Document, page: Page) -> bytes:
    """One page of ``document`` as PAGE XML (UTF-8 bytes)."""
    root = ET.Element("PcGts", {"xmlns": PAGE_NS, "xmlns:xsi": XSI_NS, "xsi:schemaLocation": SCHEMA_LOCATION})
    metadata = ET.SubElement(root, "Metadata")
    ET.SubElement(metadata, "Creator").text = xml_text(f"glyphic{' ' + document.model if document.model else ''}")
    stamp = creation_date(document).strftime("%Y-%m-%dT%H:%M:%S")
    ET.SubElement(metadata, "Created").text = stamp
    ET.SubElement(metadata, "LastChange").text = stamp
    image = Path(page.source or document.source).name
    page_element = ET.SubElement(root, "Page", {"imageFilename": xml_text(image), "imageWidth": str(page.width),
                                                "imageHeight": str(page.height)})
    if page.blocks:
        order = ET.SubElement(ET.SubElement(page_element, "ReadingOrder"), "OrderedGroup", {"id": "reading_order"})
        for n in range(len(page.blocks)):
            ET.SubElement(order, "RegionRefIndexed", {"index": str(n), "regionRef": f"r{n + 1}"})
    for n, block in enumerate(page.blocks, 1):
        region = ET.SubElement(page_element, "TextRegion", {"id": f"r{n}"})
        _coords(region, block.bbox)
        for m, line in enumerate(block.lines, 1):
            _line(region, line, f"r{n}_l{m}")
        _text(region, "\n".join(line.text for line in block.lines))
    for n, other in enumerate(page.regions, 1):
        tag = "SeparatorRegion" if other.kind == "rule" else "GraphicRegion"
        _coords(ET.SubElement(page_element, tag, {"id": f"g{n}"}), other.bbox)
    ET.indent(root, space=" ")
    return serialize(root)


def _coords(parent: ET.Element, box: BBox) -> None:
    x0, y0, x1, y1 = box
    ET.SubElement(parent, "Coords", {"points": f"{x0},{y0} {x1},{y0} {x1},{y1} {x0},{y1}"})


def _text(parent: ET.Element, text: str, confidence: float | None = None) -> None:
    attrs = {} if confidence is None else {"conf": confidence_text(confidence)}
    ET.SubElement(ET.SubElement(parent, "TextEquiv", attrs), "Unicode").text = xml_text(text)


def _line(region: ET.Element, line: Line, line_id: str) -> None:
    element = ET.SubElement(region, "TextLine", {"id": line_id})
    _coords(element, line.bbox)
    x0, y0, x1, y1 = line.bbox
    baseline = round(line.baseline) if y0 < line.baseline <= y1 else y1
    ET.SubElement(element, "Baseline", {"points": f"{x0},{baseline} {x1},{baseline}"})
    for n, word in enumerate(line.words, 1):
        _word(element, word, f"{line_id}_w{n}")
    _text(element, line.text)


def _word(line: ET.Element, word: Word, word_id: str) -> None:
    element = ET.SubElement(line, "Word", {"id": word_id})
    _coords(element, word.bbox)
    for n, glyph in enumerate(word.glyphs, 1):
        _glyph(element, glyph, f"{word_id}_g{n}")
    _text(element, word.text, word.confidence)


def _glyph(word: ET.Element, glyph: Glyph, glyph_id: str) -> None:
    element = ET.SubElement(word, "Glyph", {"id": glyph_id})
    _coords(element, glyph.bbox)
    _text(element, glyph.text, glyph.confidence)
