"""Searchable PDF export: each page image with an invisible text layer on top.

Every page is sized from its pixel size and dpi. Each word is written in invisible text
(render mode 3) on its line's baseline, at a font size taken from the line height and
horizontally stretched to the word's box, so selecting and searching line up with the scan.
The core Helvetica font covers Latin-1; other characters are approximated or become ``?``
unless a TrueType ``font`` is given.

The file is byte-reproducible: its /CreationDate is ``SOURCE_DATE_EPOCH`` when that is set, else the
newest modification time of the scans it shows (the Unix epoch when none is a local file), and its /ID is
a hash of the content and that date, so the same input gives the same bytes on every run.
"""

from __future__ import annotations

import io
import os
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from fpdf import FPDF
from fpdf.enums import TextMode
from PIL import Image

from app.atomic import ExportError, write_bytes_atomic
from app.document import Document, Line, Page

PageImages = Callable[[int], np.ndarray] | Sequence[np.ndarray]

_POINTS_PER_INCH = 72.0
_CORE_FONT = "helvetica"
_CUSTOM_FONT = "glyphic-text"
#: Fallback baseline position (from the top of the line box) when a line has none.
_BASELINE_FRACTION = 0.8
_ASCII_LOOKALIKES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2022": "*", "\u20ac": "E",
})


def export(document: Document, path: Path, *, images: PageImages | None = None,
           font: str | Path | None = None, jpeg_quality: int | None = None) -> None:
    """Write ``document`` as a searchable PDF.

    Args:
        document: the result to write; page sizes come from ``Page.width/height/dpi``.
        path: the target file (written atomically).
        images: the page scans: a callable ``page.index -> array`` or a sequence aligned with
            ``document.pages``; grey (or RGB) ``uint8`` arrays. When absent each page is
            re-loaded from ``page.source`` (or ``document.source``) with :func:`app.io.load_page`.
        font: a TrueType font file for the text layer (full Unicode); default core Helvetica.
        jpeg_quality: store page images as JPEG of this quality (1-95) instead of lossless.

    Raises:
        ExportError: a page image is missing or unreadable, or the file cannot be written.
    """
    if not document.pages:
        raise ExportError(path, "the document has no pages")
    pdf = FPDF(unit="pt")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_creator("glyphic")
    pdf.set_creation_date(creation_date(document))
    pdf.set_title(Path(document.source).name)
    if font is not None:
        try:
            pdf.add_font(_CUSTOM_FONT, "", str(font))
        except (OSError, RuntimeError, ValueError) as exc:
            raise ExportError(path, f"cannot use font {font}: {exc}") from exc
    for position, page in enumerate(document.pages):
        image = _page_image(document, page, position, images, path)
        _add_page(pdf, page, image, unicode=font is not None, jpeg_quality=jpeg_quality)
    write_bytes_atomic(path, bytes(pdf.output()))


def creation_date(document: Document) -> datetime:
    """``SOURCE_DATE_EPOCH`` when set, else the newest modification time of the document's local scans."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            pass  # not a number of seconds: as if unset
    stamps = []
    for source in {page.source or document.source for page in document.pages}:
        try:
            stamps.append(int(Path(source).stat().st_mtime))
        except (OSError, ValueError):
            continue
    return datetime.fromtimestamp(max(stamps, default=0), UTC)


def _page_image(document: Document, page: Page, position: int, images: PageImages | None, path: Path) -> np.ndarray:
    """The scan of ``page`` from ``images`` or from its source file."""
    if callable(images):
        return np.asarray(images(page.index))
    if images is not None:
        if position >= len(images):
            raise ExportError(path, f"no image given for page {page.index + 1}")
        return np.asarray(images[position])
    from app.io import DEFAULT_MAX_PIXELS, PageLoadError, load_page

    source = page.source or document.source
    if not source:
        raise ExportError(path, f"no image for page {page.index + 1}: pass images= or set page.source")
    try:
        # this page was loaded once already: allow its own size even above the default limit
        limit = max(DEFAULT_MAX_PIXELS, 2 * page.width * page.height)
        return load_page(source, page.index, dpi=_dpi(page), max_pixels=limit).image
    except PageLoadError as exc:
        raise ExportError(path, f"cannot load the image of page {page.index + 1}: {exc}") from exc


def _dpi(page: Page) -> float:
    return page.dpi if page.dpi > 0 else 300.0


def _add_page(pdf: FPDF, page: Page, image: np.ndarray, *, unicode: bool, jpeg_quality: int | None) -> None:
    scale = _POINTS_PER_INCH / _dpi(page)
    width_pt, height_pt = page.width * scale, page.height * scale
    pdf.add_page(format=(width_pt, height_pt))
    pdf.image(_image_for_pdf(image, jpeg_quality), x=0, y=0, w=width_pt, h=height_pt)
    pdf.text_mode = TextMode.INVISIBLE
    for line in page.lines:
        _add_line(pdf, line, scale, unicode)


def _image_for_pdf(image: np.ndarray, jpeg_quality: int | None) -> Image.Image | io.BytesIO:
    pil = Image.fromarray(np.ascontiguousarray(image, dtype=np.uint8))
    if jpeg_quality is None:
        return pil
    buffer = io.BytesIO()
    pil.save(buffer, format="JPEG", quality=int(min(max(jpeg_quality, 1), 95)))
    buffer.seek(0)
    return buffer


def _add_line(pdf: FPDF, line: Line, scale: float, unicode: bool) -> None:
    _, y0, _, y1 = line.bbox
    height = max(y1 - y0, 1)
    baseline = line.baseline if y0 < line.baseline <= y1 else y0 + _BASELINE_FRACTION * height
    pdf.set_font(_CUSTOM_FONT if unicode else _CORE_FONT, size=height * scale)
    for word in line.words:
        text = _printable(word.text, unicode)
        box_width = (word.bbox[2] - word.bbox[0]) * scale
        if not text.strip() or box_width <= 0:
            continue
        pdf.set_stretching(100)
        natural = pdf.get_string_width(text)
        if natural > 0:
            pdf.set_stretching(min(max(100 * box_width / natural, 1.0), 10_000.0))
        pdf.text(word.bbox[0] * scale, baseline * scale, text)
    pdf.set_stretching(100)


def _printable(text: str, unicode: bool) -> str:
    """``text`` without control characters; for the core font, reduced to Latin-1."""
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    if unicode:
        return text
    text = unicodedata.normalize("NFKC", text).translate(_ASCII_LOOKALIKES)
    return "".join(c if ord(c) < 256 else _latin1_fallback(c) for c in text)


def _latin1_fallback(char: str) -> str:
    """A Latin-1 stand-in for ``char``: its base letter when it decomposes to one, else ``?``."""
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if base and all(ord(c) < 256 for c in base) else "?"
