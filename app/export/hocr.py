"""hOCR export: well-formed XHTML with ``ocr_page`` / ``ocr_carea`` / ``ocr_par`` / ``ocr_line`` /
``ocrx_word`` / ``ocrx_cinfo`` elements carrying boxes and confidences in their ``title``.

See the hOCR 1.2 specification (kba.github.io/hocr-spec/1.2). Boxes are absolute page pixels,
``x1``/``y1`` exclusive as in the result model; ``x_wconf`` is 0..100 (integer), ``x_conf`` 0..100.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from app.atomic import write_bytes_atomic
from app.document import Block, Document, Line, Page, Word, union_bbox
from app.export._xml import bbox_text, serialize, xml_text

XHTML_NS = "http://www.w3.org/1999/xhtml"
DOCTYPE = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
           '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n')
OCR_SYSTEM = "glyphic"
CAPABILITIES = "ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf ocrx_cinfo ocr_photo ocr_separator"
#: The hOCR class of each kind of non-text region.
REGION_CLASSES = {"graphic": "ocr_photo", "rule": "ocr_separator"}


def export(document: Document, path: Path, *, glyphs: bool = True) -> None:
    """Write ``document`` as one hOCR file (all pages).

    Args:
        document: the result to write.
        path: the target file (written atomically).
        glyphs: include an ``ocrx_cinfo`` span per glyph inside each word.

    Raises:
        ExportError: the file cannot be written.
    """
    write_bytes_atomic(path, to_hocr(document, glyphs=glyphs))


def to_hocr(document: Document, *, glyphs: bool = True) -> bytes:
    """The hOCR document as UTF-8 bytes."""
    html = ET.Element("html", {"xmlns": XHTML_NS})
    html.text = "\n"
    head = _child(html, "head", tail="\n", text="\n")
    _child(head, "title", text=xml_text(document.source), tail="\n")
    metas = (("http-equiv", "Content-Type", "text/html; charset=utf-8"),
             ("name", "ocr-system", OCR_SYSTEM),
             ("name", "ocr-capabilities", CAPABILITIES),
             ("name", "ocr-number-of-pages", str(len(document.pages))))
    for key, name, content in metas:
        _child(head, "meta", {key: name, "content": xml_text(content)}, tail="\n")
    body = _child(html, "body", tail="\n", text="\n")
    for page in document.pages:
        _page(body, page, document.source, glyphs)
    return serialize(html, DOCTYPE)


def _child(parent: ET.Element, tag: str, attrib: dict[str, str] | None = None, *,
           text: str | None = None, tail: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib or {})
    element.text = text
    element.tail = tail
    return element


def _quoted(value: str) -> str:
    """An hOCR string property value: double-quoted with backslash escapes."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _page(body: ET.Element, page: Page, document_source: str, glyphs: bool) -> None:
    number = page.index + 1
    image = page.source or document_source
    title = (f"image {_quoted(xml_text(image))}; bbox 0 0 {page.width} {page.height}; "
             f"ppageno {page.index}; scan_res {round(page.dpi)} {round(page.dpi)}")
    div = _child(body, "div", {"class": "ocr_page", "id": f"page_{number}", "title": title}, text="\n", tail="\n")
    counters = {"block": 0, "par": 0, "line": 0, "word": 0, "region": 0}

    def next_id(kind: str) -> str:
        counters[kind] += 1
        return f"{kind}_{number}_{counters[kind]}"

    for block in page.blocks:
        attrib = {"class": "ocr_carea", "id": next_id("block"), "title": f"bbox {bbox_text(block.bbox)}"}
        area = _child(div, "div", attrib, text="\n", tail="\n")
        for paragraph in _paragraphs(block):
            box = union_bbox([line.bbox for line in paragraph])
            par = _child(area, "p", {"class": "ocr_par", "id": next_id("par"), "title": f"bbox {bbox_text(box)}"},
                         text="\n", tail="\n")
            for line in paragraph:
                span = _child(par, "span", {"class": "ocr_line", "id": next_id("line"), "title": _line_title(line)},
                              tail="\n")
                for i, word in enumerate(line.words):
                    _word(span, word, next_id("word"), glyphs, tail=" " if i < len(line.words) - 1 else None)
    for region in page.regions:
        _child(div, "div", {"class": REGION_CLASSES.get(region.kind, "ocr_photo"), "id": next_id("region"),
                            "title": f"bbox {bbox_text(region.bbox)}"}, tail="\n")


def _paragraphs(block: Block) -> list[list[Line]]:
    """The block's lines split where a line starts a paragraph."""
    paragraphs: list[list[Line]] = []
    for line in block.lines:
        if not paragraphs or line.paragraph_start:
            paragraphs.append([])
        paragraphs[-1].append(line)
    return paragraphs


def _line_title(line: Line) -> str:
    _, y0, _, y1 = line.bbox
    parts = [f"bbox {bbox_text(line.bbox)}"]
    if y0 < line.baseline <= y1:
        parts.append(f"baseline 0 {round(line.baseline - y1)}")
        parts.append(f"x_size {y1 - y0}")
        parts.append(f"x_descenders {round(y1 - line.baseline)}")
        if line.x_height > 0:
            parts.append(f"x_ascenders {max(0, round(line.baseline - y0 - line.x_height))}")
    return "; ".join(parts)


def _word(line: ET.Element, word: Word, word_id: str, glyphs: bool, tail: str | None) -> None:
    title = f"bbox {bbox_text(word.bbox)}; x_wconf {round(_clamp(word.confidence) * 100)}"
    span = _child(line, "span", {"class": "ocrx_word", "id": word_id, "title": title}, tail=tail)
    if not glyphs:
        span.text = xml_text(word.text)
        return
    for glyph in word.glyphs:
        cinfo = f"bbox {bbox_text(glyph.bbox)}; x_conf {_clamp(glyph.confidence) * 100:.2f}"
        _child(span, "span", {"class": "ocrx_cinfo", "title": cinfo}, text=xml_text(glyph.text))


def _clamp(value: float) -> float:
    return min(max(float(value), 0.0), 1.0)
