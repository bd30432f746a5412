"""Page input: raster images and PDFs in, one grey ``uint8`` page image at a time out.

:func:`load_pages` is a generator, so a 500-page PDF or TIFF never sits in
memory at once. Every failure (missing, empty, truncated or password-protected
file, not an image, too many pixels) raises one exception class,
:class:`PageLoadError`, whose message names the file.
"""

from __future__ import annotations

import math
import os
import threading
import warnings
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageOps, UnidentifiedImageError

from segmentation.types import DEFAULT_MAX_PIXELS

DEFAULT_DPI = 300.0
__all__ = ["DEFAULT_DPI", "DEFAULT_MAX_PIXELS", "SUPPORTED_SUFFIXES", "PageImage", "PageLoadError", "count_pages",
           "load_page", "load_pages"]
#: File name suffixes offered in open dialogs (lower case, with the dot).
SUPPORTED_SUFFIXES: tuple[str, ...] = (
    ".png", ".jpg", ".jpeg", ".jpe", ".tif", ".tiff", ".bmp", ".dib", ".webp", ".gif",
    ".pbm", ".pgm", ".ppm", ".pnm", ".pdf",
)
#: Pillow decoders we allow; sniffing by content, so a misnamed file still opens.
_PIL_FORMATS = ("PNG", "JPEG", "TIFF", "BMP", "DIB", "WEBP", "GIF", "PPM")
_MULTI_PAGE_FORMATS = {"TIFF"}
_PDF_MAGIC = b"%PDF-"
_EXIF_ORIENTATION = 0x0112
_POINTS_PER_INCH = 72.0
#: PDFium is not thread-safe: every call into it holds this lock.
_PDFIUM_LOCK = threading.RLock()
# Every frame's size is checked against our own limit (DEFAULT_MAX_PIXELS, a 1200 dpi A4 page passes) before
# it is decoded; Pillow's lower warning threshold (89 Mpx) would only print a warning to the terminal.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


class PageLoadError(Exception):
    """A page could not be loaded; ``str()`` names the file and the reason."""

    def __init__(self, path: str | os.PathLike[str], message: str) -> None:
        super().__init__(str(path), message)
        self.path = str(path)
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class PageImage:
    """One decoded page.

    Attributes:
        index: 0-based page number within the file.
        image: grey page, ``uint8``, shape ``(height, width)``, 0 = black.
        dpi: resolution (embedded, rendered, or :data:`DEFAULT_DPI` when unknown).
        source: the file it came from.
    """

    index: int
    image: np.ndarray
    dpi: float
    source: str


def load_pages(path: str | os.PathLike[str], *, dpi: float = DEFAULT_DPI,
               max_pixels: int = DEFAULT_MAX_PIXELS) -> Iterator[PageImage]:
    """Yield every page of an image or PDF file, one at a time.

    Args:
        path: a PNG, JPEG, TIFF (multi-page, fax), BMP, WebP, GIF, PNM or PDF file.
        dpi: rendering resolution for PDF pages (raster images keep their own).
        max_pixels: refuse pages with more pixels than this (checked before decoding).

    Yields:
        :class:`PageImage` per page, in file order.

    Raises:
        PageLoadError: the file is missing, empty, unreadable, protected or too large.
    """
    source = _check_file(path)
    _check_limits(source, dpi, max_pixels)
    if _is_pdf(source):
        yield from _pdf_pages(source, None, dpi, max_pixels)
    else:
        yield from _raster_pages(source, None, max_pixels)


def load_page(path: str | os.PathLike[str], index: int, *, dpi: float = DEFAULT_DPI,
              max_pixels: int = DEFAULT_MAX_PIXELS) -> PageImage:
    """Load the single page ``index`` (0-based) of a file; see :func:`load_pages`.

    Raises:
        PageLoadError: as :func:`load_pages`, or ``index`` is out of range.
    """
    source = _check_file(path)
    _check_limits(source, dpi, max_pixels)
    pages = _pdf_pages(source, index, dpi, max_pixels) if _is_pdf(source) else _raster_pages(source, index, max_pixels)
    try:
        return next(pages)
    finally:
        pages.close()


def count_pages(path: str | os.PathLike[str]) -> int:
    """Number of pages in a file without decoding any of them.

    Raises:
        PageLoadError: the file is missing, empty, unreadable or protected.
    """
    source = _check_file(path)
    if _is_pdf(source):
        with _PDFIUM_LOCK:
            document = _open_pdf(source)
            try:
                return len(document)
            finally:
                document.close()
    with _open_image(source) as image:
        return _frame_count(source, image)


# --- files -------------------------------------------------------------------


def _check_file(path: str | os.PathLike[str]) -> Path:
    source = Path(path)
    try:
        info = source.stat()
    except FileNotFoundError:
        raise PageLoadError(source, "file not found") from None
    except OSError as exc:
        raise PageLoadError(source, f"cannot read file: {exc.strerror or exc}") from exc
    if source.is_dir():
        raise PageLoadError(source, "is a folder, not a file")
    if info.st_size == 0:
        raise PageLoadError(source, "file is empty (0 bytes)")
    return source


def _check_limits(source: Path, dpi: float, max_pixels: int) -> None:
    if not (math.isfinite(dpi) and dpi > 0):
        raise PageLoadError(source, f"invalid dpi {dpi!r}")
    if max_pixels < 1:
        raise PageLoadError(source, f"invalid pixel limit {max_pixels!r}")


def _is_pdf(source: Path) -> bool:
    try:
        with source.open("rb") as file:
            head = file.read(1024)
    except OSError as exc:
        raise PageLoadError(source, f"cannot read file: {exc.strerror or exc}") from exc
    return _PDF_MAGIC in head


def _too_big(source: Path, width: int, height: int, max_pixels: int, page: int) -> PageLoadError:
    return PageLoadError(source, f"page {page + 1} is {width} x {height} = {width * height:,} pixels, "
                                 f"over the limit of {max_pixels:,} (possible decompression bomb)")


def _out_of_range(source: Path, index: int, count: int) -> PageLoadError:
    return PageLoadError(source, f"page index {index} out of range (the file has {count} page(s))")


# --- raster images -----------------------------------------------------------


def _open_image(source: Path) -> Image.Image:
    try:
        return Image.open(source, formats=_PIL_FORMATS)
    except Image.DecompressionBombError as exc:
        raise PageLoadError(source, f"image too large (possible decompression bomb): {exc}") from exc
    except UnidentifiedImageError:
        raise PageLoadError(source, "not a supported image or PDF file") from None
    except OSError as exc:
        raise PageLoadError(source, f"cannot read file: {exc.strerror or exc}") from exc
    except Exception as exc:  # a damaged header can make any decoder raise anything
        raise PageLoadError(source, f"unreadable image header: {exc}") from exc


def _frame_count(source: Path, image: Image.Image) -> int:
    if image.format not in _MULTI_PAGE_FORMATS:
        return 1
    try:
        return int(getattr(image, "n_frames", 1))
    except Exception as exc:
        raise PageLoadError(source, f"unreadable or truncated file: {exc}") from exc


def _raster_pages(source: Path, only: int | None, max_pixels: int) -> Generator[PageImage, None, None]:
    with _open_image(source) as image:
        count = _frame_count(source, image)
        if only is not None and not 0 <= only < count:
            raise _out_of_range(source, only, count)
        for index in range(count) if only is None else (only,):
            try:
                image.seek(index)
            except EOFError:
                raise _out_of_range(source, index, index) from None
            except Exception as exc:
                raise PageLoadError(source, f"unreadable or truncated file (page {index + 1}): {exc}") from exc
            yield _decode_frame(source, image, index, max_pixels)


def _decode_frame(source: Path, image: Image.Image, index: int, max_pixels: int) -> PageImage:
    """Decode the current frame after checking its size from the header."""
    x_dpi, y_dpi = _embedded_dpi(image)
    width, height = image.size
    scaled_height = round(height * x_dpi / y_dpi)
    if width * max(height, scaled_height) > max_pixels:
        raise _too_big(source, width, max(height, scaled_height), max_pixels, index)
    try:
        image.load()
        needs_turn = image.getexif().get(_EXIF_ORIENTATION, 1) not in (1, None)
        upright = ImageOps.exif_transpose(image) if needs_turn else image  # exif_transpose copies: skip when upright
        grey = _to_grey(upright)
    except Image.DecompressionBombError as exc:
        raise PageLoadError(source, f"image too large (possible decompression bomb): {exc}") from exc
    except Exception as exc:  # PIL raises OSError, SyntaxError, ValueError, ... for damaged data
        raise PageLoadError(source, f"unreadable or truncated image (page {index + 1}): {exc}") from exc
    if abs(x_dpi - y_dpi) > 0.01 * x_dpi:  # e.g. 204 x 98 dpi fax: make pixels square
        factor = x_dpi / y_dpi
        rows, cols = grey.shape
        turned = upright.size != (width, height)  # EXIF rotated by 90 degrees: the y axis is now horizontal
        new_size = (round(cols * factor), rows) if turned else (cols, round(rows * factor))
        grey = cv2.resize(grey, new_size, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR)
    return PageImage(index=index, image=grey, dpi=x_dpi, source=str(source))


def _embedded_dpi(image: Image.Image) -> tuple[float, float]:
    """The frame's (x, y) dpi, or :data:`DEFAULT_DPI` when absent or implausible."""
    value = image.info.get("dpi")
    try:
        x_dpi, y_dpi = (float(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return DEFAULT_DPI, DEFAULT_DPI
    if not (math.isfinite(x_dpi) and 10 <= x_dpi <= 10_000):  # 1 x 1 means "aspect ratio only"
        return DEFAULT_DPI, DEFAULT_DPI
    if not (math.isfinite(y_dpi) and 10 <= y_dpi <= 10_000):
        y_dpi = x_dpi
    return _tidy_dpi(x_dpi), _tidy_dpi(y_dpi)


def _tidy_dpi(value: float) -> float:
    """Undo the rounding of dots-per-metre headers (PNG, BMP): 199.9996 -> 200."""
    nearest = round(value)
    return float(nearest) if abs(value - nearest) < 0.05 else value


def _to_grey(image: Image.Image) -> np.ndarray:
    """Any Pillow mode -> grey ``uint8``; transparency is composited on white."""
    mode = image.mode
    if mode.startswith("I;16") or mode == "I":
        values = np.asarray(image)
        if mode == "I" and values.max(initial=0) <= 255:  # 32-bit integers that hold 8-bit data
            return np.clip(values, 0, 255).astype(np.uint8)
        wide = np.clip(values, 0, 65535).astype(np.uint32)
        return ((wide * 255 + 32767) // 65535).astype(np.uint8)  # 16 -> 8 bits, rounded
    if mode == "F":
        floats = np.asarray(image, dtype=np.float32)
        if floats.max(initial=0) <= 1.0:
            floats = floats * 255.0
        return np.clip(np.rint(floats), 0, 255).astype(np.uint8)
    if mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    elif mode == "CMYK":
        image = image.convert("RGB")
    return np.array(image.convert("L"), dtype=np.uint8)


# --- PDF -----------------------------------------------------------------------


def _open_pdf(source: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(str(source))
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium.raw.FPDF_ERR_PASSWORD:
            raise PageLoadError(source, "PDF is password-protected") from None
        if code == pdfium.raw.FPDF_ERR_SECURITY:
            raise PageLoadError(source, "PDF uses an unsupported security handler") from None
        raise PageLoadError(source, f"unreadable or damaged PDF: {exc}") from exc


def _pdf_pages(source: Path, only: int | None, dpi: float, max_pixels: int) -> Generator[PageImage, None, None]:
    with _PDFIUM_LOCK:
        document = _open_pdf(source)
    try:
        with _PDFIUM_LOCK:
            count = len(document)
        if only is not None and not 0 <= only < count:
            raise _out_of_range(source, only, count)
        for index in range(count) if only is None else (only,):
            with _PDFIUM_LOCK:
                image = _render_pdf_page(source, document, index, dpi, max_pixels)
            yield PageImage(index=index, image=image, dpi=float(dpi), source=str(source))
    finally:
        with _PDFIUM_LOCK:
            document.close()


def _render_pdf_page(source: Path, document: pdfium.PdfDocument, index: int, dpi: float,
                     max_pixels: int) -> np.ndarray:
    scale = dpi / _POINTS_PER_INCH
    try:
        page = document[index]
    except pdfium.PdfiumError as exc:
        raise PageLoadError(source, f"unreadable PDF page {index + 1}: {exc}") from exc
    try:
        width_pt, height_pt = page.get_size()
        width, height = math.ceil(width_pt * scale), math.ceil(height_pt * scale)
        if width * height > max_pixels:
            raise _too_big(source, width, height, max_pixels, index)
        if width < 1 or height < 1:
            raise PageLoadError(source, f"PDF page {index + 1} has no area")
        try:
            bitmap = page.render(scale=scale, grayscale=True, fill_color=(255, 255, 255, 255))
        except pdfium.PdfiumError as exc:
            raise PageLoadError(source, f"cannot render PDF page {index + 1}: {exc}") from exc
        try:
            pixels = bitmap.to_numpy()
            grey = pixels if pixels.ndim == 2 else cv2.cvtColor(pixels[..., :3], cv2.COLOR_BGR2GRAY)
            return np.array(grey, dtype=np.uint8)  # copy: the bitmap's buffer is freed below
        finally:
            bitmap.close()
    finally:
        page.close()
