"""Page loading: every supported format, conversions to grey, and clear errors."""

from __future__ import annotations

import pickle
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fpdf import FPDF
from PIL import Image

from app.io import (
    DEFAULT_DPI,
    SUPPORTED_SUFFIXES,
    PageImage,
    PageLoadError,
    count_pages,
    load_page,
    load_pages,
)


def gradient(height: int = 30, width: int = 40) -> np.ndarray:
    """A grey test pattern with distinct values."""
    return (np.arange(height * width).reshape(height, width) % 251).astype(np.uint8)


def single(path: Path, **kwargs: float) -> PageImage:
    pages = list(load_pages(path, **kwargs))  # type: ignore[arg-type]
    assert len(pages) == 1
    return pages[0]


def make_pdf(path: Path, sizes: list[tuple[float, float]], password: str | None = None) -> Path:
    """A PDF with one page per (width, height) in points, each with a black square top left."""
    pdf = FPDF(unit="pt")
    if password:
        pdf.set_encryption(owner_password="owner-" + password, user_password=password)
    for width, height in sizes:
        pdf.add_page(format=(width, height))
        pdf.rect(0, 0, 36, 36, style="F")
    pdf.output(str(path))
    return path


# --- formats -------------------------------------------------------------------


def test_png_grey_round_trip_with_embedded_dpi(tmp_path: Path) -> None:
    path = tmp_path / "page.png"
    Image.fromarray(gradient()).save(path, dpi=(200, 200))
    page = single(path)
    assert page.index == 0 and page.source == str(path)
    assert page.image.dtype == np.uint8 and page.image.shape == (30, 40)
    np.testing.assert_array_equal(page.image, gradient())
    assert page.dpi == 200


def test_bmp(tmp_path: Path) -> None:
    path = tmp_path / "page.bmp"
    Image.fromarray(gradient()).save(path, dpi=(96, 96))  # BMP stores dots per metre
    page = single(path)
    np.testing.assert_array_equal(page.image, gradient())
    assert page.dpi == 96


def test_missing_dpi_defaults_to_300(tmp_path: Path) -> None:
    path = tmp_path / "page.png"
    Image.fromarray(gradient()).save(path)
    page = single(path, dpi=150)  # dpi= is for PDF rendering; a raster keeps its own or the default
    np.testing.assert_array_equal(page.image, gradient())
    assert page.dpi == DEFAULT_DPI == 300


def test_jpeg_exif_orientation_is_applied(tmp_path: Path) -> None:
    pixels = np.full((20, 40), 255, np.uint8)
    pixels[:, :20] = 0  # left half black
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    path = tmp_path / "photo.jpg"
    Image.fromarray(pixels).save(path, exif=exif, quality=95)
    page = single(path)
    assert page.image.shape == (40, 20)
    assert page.image[:20].mean() < 30  # the left half is now on top
    assert page.image[20:].mean() > 225


def test_multi_page_tiff(tmp_path: Path) -> None:
    path = tmp_path / "book.tiff"
    frames = [Image.fromarray(np.full((10, 12), value, np.uint8)) for value in (10, 120, 240)]
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(400, 400))
    pages = load_pages(path)
    assert isinstance(pages, Iterator)
    loaded = list(pages)
    assert [p.index for p in loaded] == [0, 1, 2]
    assert [int(p.image[0, 0]) for p in loaded] == [10, 120, 240]
    assert count_pages(path) == 3
    assert int(load_page(path, 2).image.mean()) == 240
    with pytest.raises(PageLoadError, match="out of range"):
        load_page(path, 3)


def test_group4_fax_tiff(tmp_path: Path) -> None:
    bits = np.zeros((64, 80), bool)
    bits[10:20, 5:70] = True  # a white bar on black
    path = tmp_path / "fax.tif"
    Image.fromarray(bits).convert("1").save(path, compression="group4", dpi=(200, 200))
    assert Image.open(path).info["compression"] == "group4"
    page = single(path)
    assert page.image.dtype == np.uint8 and page.image.shape == (64, 80)
    np.testing.assert_array_equal(page.image, np.where(bits, 255, 0))
    assert page.dpi == pytest.approx(200)


def test_fax_with_non_square_pixels_is_stretched_to_square(tmp_path: Path) -> None:
    path = tmp_path / "fax-normal.tif"
    Image.new("1", (204, 49), 1).save(path, compression="group4", dpi=(204, 98))
    page = single(path)
    assert page.image.shape == (102, 204)  # 98 dpi rows resampled to 204 dpi
    assert page.dpi == pytest.approx(204)


def test_lossless_webp(tmp_path: Path) -> None:
    path = tmp_path / "page.webp"
    Image.fromarray(gradient()).convert("RGB").save(path, lossless=True)
    np.testing.assert_array_equal(single(path).image, gradient())


def test_16_bit_png_is_scaled_not_clipped(tmp_path: Path) -> None:
    values = np.array([[0, 257 * 128, 65535, 1000]], dtype=np.uint16)
    path = tmp_path / "deep.png"
    Image.fromarray(values).save(path)
    assert Image.open(path).mode.startswith("I")
    np.testing.assert_array_equal(single(path).image, [[0, 128, 255, 4]])


def test_rgba_is_composited_on_white(tmp_path: Path) -> None:
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[0, 0] = (255, 0, 0, 255)  # opaque red
    rgba[0, 1] = (0, 0, 0, 0)  # fully transparent (black underneath)
    rgba[1, :] = (0, 0, 0, 128)  # half-transparent black
    path = tmp_path / "alpha.png"
    Image.fromarray(rgba, "RGBA").save(path)
    grey = single(path).image
    assert grey[0, 0] == 76  # ITU-R 601 luma of pure red
    assert grey[0, 1] == 255
    assert 120 <= grey[1, 0] <= 135


def test_palette_with_transparency(tmp_path: Path) -> None:
    image = Image.new("P", (3, 1))
    image.putpalette([0, 0, 0, 255, 255, 255, 0, 0, 255])
    image.putdata([0, 1, 2])
    path = tmp_path / "palette.gif"
    image.save(path, transparency=0)
    assert list(single(path).image[0]) == [255, 255, 29]  # transparent -> white; blue -> luma 29


def test_two_page_pdf_rendered_at_requested_dpi(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "doc.pdf", [(72, 144), (144, 72)])
    assert count_pages(path) == 2
    pages = list(load_pages(path, dpi=100))
    assert [p.index for p in pages] == [0, 1]
    assert [p.image.shape for p in pages] == [(200, 100), (100, 200)]
    for page in pages:
        assert page.dpi == 100 and page.image.dtype == np.uint8 and page.image.ndim == 2
        assert page.image[:45, :45].mean() < 10  # the half-inch black square, top left
        assert page.image[-10:, -10:].min() == 255  # white paper elsewhere
    assert load_page(path, 1, dpi=72).image.shape == (72, 144)


def test_pdf_default_dpi_is_300(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "one.pdf", [(72, 36)])
    page = single(path)
    assert page.image.shape == (150, 300) and page.dpi == 300


def test_pdf_detected_by_content_not_name(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "scan.png", [(36, 36)])
    assert single(path, dpi=144).image.shape == (72, 72)


def test_supported_suffixes() -> None:
    assert {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".pdf"} <= set(SUPPORTED_SUFFIXES)
    assert all(s.startswith(".") and s == s.lower() for s in SUPPORTED_SUFFIXES)


# --- errors --------------------------------------------------------------------


def load_error(path: Path, **kwargs: int) -> PageLoadError:
    with pytest.raises(PageLoadError) as info:
        list(load_pages(path, **kwargs))
    assert str(path) in str(info.value)
    assert info.value.path == str(path)
    return info.value


def test_missing_file(tmp_path: Path) -> None:
    assert "not found" in str(load_error(tmp_path / "nope.png"))
    with pytest.raises(PageLoadError, match="not found"):
        count_pages(tmp_path / "nope.png")


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    assert "empty" in str(load_error(path))


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    assert "folder" in str(load_error(tmp_path))


def test_text_file_named_png(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("this is not an image\n")
    assert "not a supported image" in str(load_error(path))


def test_unsupported_pillow_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "picture.png"
    Image.fromarray(gradient()).save(path, format="TGA")
    assert "not a supported image" in str(load_error(path))


def test_truncated_png(tmp_path: Path) -> None:
    path = tmp_path / "cut.png"
    noise = np.random.default_rng(0).integers(0, 256, (100, 100), dtype=np.uint8)
    Image.fromarray(noise).save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert "truncated" in str(load_error(path))


def test_damaged_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n this is not really a PDF\n")
    assert "PDF" in str(load_error(path))


def test_password_protected_pdf(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "secret.pdf", [(72, 72)], password="s3cret")
    assert "password" in str(load_error(path))
    with pytest.raises(PageLoadError, match="password"):
        count_pages(path)


def test_image_over_pixel_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    Image.fromarray(gradient(100, 100)).save(path)
    message = str(load_error(path, max_pixels=9_999))
    assert "10,000 pixels" in message and "limit" in message
    assert single(path, max_pixels=10_000).image.shape == (100, 100)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG signature and IHDR claiming a huge image, with no pixel data at all."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return b"\x89PNG\r\n\x1a\n" + chunk


def test_pixel_limit_is_checked_from_the_header_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(png_header_only(12_000, 12_000))  # 144 M pixels: under PIL's own bomb limit
    message = str(load_error(path, max_pixels=100_000_000))
    assert "limit" in message and "truncated" not in message


def test_pillow_decompression_bomb_error_becomes_page_load_error(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.png"
    Image.fromarray(gradient(100, 100)).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000)  # PIL raises above twice this
    assert "decompression bomb" in str(load_error(path))


def test_pdf_page_over_pixel_limit_is_refused_before_rendering(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "poster.pdf", [(72, 72)])
    message = str(load_error(path, max_pixels=300 * 300 - 1))
    assert "90,000 pixels" in message
    assert single(path, max_pixels=300 * 300).image.shape == (300, 300)


def test_page_load_error_survives_pickling_for_worker_processes(tmp_path: Path) -> None:
    error = PageLoadError(tmp_path / "x.png", "file not found")
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error) == f"{tmp_path / 'x.png'}: file not found"
