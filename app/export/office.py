"""Word-processor exports: DOCX (Office Open XML) and ODT (OpenDocument Text), written with the standard
library (a zip of a few XML parts), no python-docx or odfpy needed.

One paragraph per text line, an empty paragraph between paragraphs and blocks (as in the plain text),
a page break between pages. Words below ``doubtful`` confidence that no person corrected can be
highlighted so the reader sees what to check.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from app.atomic import write_bytes_atomic
from app.document import Document, Line
from app.export._xml import xml_text

#: Fixed timestamp inside the archives, so the same document gives the same bytes.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def _x(text: str) -> str:
    return escape(xml_text(text))


def _doubtful(line: Line, threshold: float) -> list[bool]:
    return [not any(g.corrected for g in w.glyphs) and w.confidence < threshold for w in line.words]


def _paragraphs(document: Document) -> list[tuple[str, Line | None]]:
    """("line", line) / ("blank", None) / ("page", None) in reading order."""
    out: list[tuple[str, Line | None]] = []
    for p, page in enumerate(document.pages):
        if p:
            out.append(("page", None))
        first = True
        for b, block in enumerate(page.blocks):
            for i, line in enumerate(block.lines):
                if not first and ((i == 0 and b > 0) or line.paragraph_start):
                    out.append(("blank", None))
                out.append(("line", line))
                first = False
    return out


def _zip(parts: list[tuple[str, str]], first_stored: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for k, (name, text) in enumerate(parts):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED if (first_stored and k == 0) else zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


# -- DOCX ---------------------------------------------------------------------------------------------
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
DOCX_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
              '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
              '<Default Extension="xml" ContentType="application/xml"/>'
              '<Override PartName="/word/document.xml" ContentType="application/'
              'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
DOCX_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
             'officeDocument" Target="word/document.xml"/></Relationships>')


def _docx_line(line: Line, doubtful: float) -> str:
    runs = []
    marks = _doubtful(line, doubtful)
    for k, word in enumerate(line.words):
        text = (" " if k else "") + word.text
        highlight = '<w:rPr><w:highlight w:val="yellow"/></w:rPr>' if marks[k] else ""
        if k and marks[k]:  # the space before a marked word stays unmarked
            runs.append('<w:r><w:t xml:space="preserve"> </w:t></w:r>')
            text = word.text
        runs.append(f'<w:r>{highlight}<w:t xml:space="preserve">{_x(text)}</w:t></w:r>')
    return "<w:p>" + "".join(runs) + "</w:p>"


def export_docx(document: Document, path: Path, *, doubtful: float = 0.0) -> None:
    """Write ``document`` as a DOCX file; words below ``doubtful`` confidence are highlighted.

    Raises:
        ExportError: the file cannot be written.
    """
    body = []
    for kind, line in _paragraphs(document):
        if kind == "line" and line is not None:
            body.append(_docx_line(line, doubtful))
        elif kind == "blank":
            body.append("<w:p/>")
        else:
            body.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<w:document {W}><w:body>{"".join(body)}<w:sectPr/></w:body></w:document>')
    data = _zip([("[Content_Types].xml", DOCX_TYPES), ("_rels/.rels", DOCX_RELS), ("word/document.xml", xml)])
    write_bytes_atomic(path, data)


# -- ODT ----------------------------------------------------------------------------------------------
ODT_MIME = "application/vnd.oasis.opendocument.text"
ODT_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"')
ODT_MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                'manifest:version="1.2">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODT_MIME}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
ODT_STYLES = ('<office:automatic-styles>'
              '<style:style style:name="Doubtful" style:family="text">'
              '<style:text-properties fo:background-color="#ffff00"/></style:style>'
              '<style:style style:name="PageBreak" style:family="paragraph">'
              '<style:paragraph-properties fo:break-before="page"/></style:style>'
              '</office:automatic-styles>')


def _odt_line(line: Line, doubtful: float, style: str = "") -> str:
    marks = _doubtful(line, doubtful)
    parts = []
    for k, word in enumerate(line.words):
        if k:
            parts.append(" ")
        text = _x(word.text)
        parts.append(f'<text:span text:style-name="Doubtful">{text}</text:span>' if marks[k] else text)
    attribute = f' text:style-name="{style}"' if style else ""
    return f"<text:p{attribute}>" + "".join(parts) + "</text:p>"


def export_odt(document: Document, path: Path, *, doubtful: float = 0.0) -> None:
    """Write ``document`` as an ODT file; words below ``doubtful`` confidence are highlighted.

    Raises:
        ExportError: the file cannot be written.
    """
    body = []
    break_next = False
    for kind, line in _paragraphs(document):
        if kind == "page":
            break_next = True
            continue
        style = "PageBreak" if break_next else ""
        break_next = False
        if kind == "line" and line is not None:
            body.append(_odt_line(line, doubtful, style))
        else:
            body.append(f'<text:p text:style-name="{style}"/>' if style else "<text:p/>")
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           f'<office:document-content {ODT_NS} office:version="1.2">{ODT_STYLES}'
           f'<office:body><office:text>{"".join(body)}</office:text></office:body></office:document-content>')
    data = _zip([("mimetype", ODT_MIME), ("META-INF/manifest.xml", ODT_MANIFEST), ("content.xml", xml)],
                first_stored=True)
    write_bytes_atomic(path, data)
