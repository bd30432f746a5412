"""Draw Glyphic's icons: ``resources/icons/glyphic.svg`` and PNGs in the icon theme's sizes.

The icon is a page on a blue tile: three lines of text as grey bars, one word outlined in amber like a
doubtful word in the editor. It is made of plain shapes, so the SVG and the PNGs (drawn with Pillow at
eight times the size, then reduced) show the same picture. Run ``python scripts/make_icons.py`` after
changing it; the files are committed, so installing Glyphic needs neither this script nor Pillow drawing.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

#: Sizes of the hicolor theme's fixed-size folders (the icon theme spec wants 48 at least).
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"

BLUE = "#2f5d9e"
PAGE = "#fbfbf8"
INK = "#5a6270"
AMBER = "#e6a117"

# Shapes on a 256-unit canvas: (x0, y0, x1, y1).
TILE = (8, 8, 248, 248)
TILE_RADIUS = 44
SHEET = (56, 36, 200, 220)
BARS = [(76, 78, 180, 94), (76, 112, 160, 128), (76, 146, 172, 162), (76, 180, 136, 196)]
BOX = (68, 104, 168, 136)


def svg() -> str:
    """The icon as SVG text."""
    rects = "\n".join(f'  <rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" rx="4" fill="{INK}"/>'
                      for x0, y0, x1, y1 in BARS)
    x0, y0, x1, y1 = BOX
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <rect x="{TILE[0]}" y="{TILE[1]}" width="{TILE[2] - TILE[0]}" height="{TILE[3] - TILE[1]}" rx="{TILE_RADIUS}" \
fill="{BLUE}"/>
  <rect x="{SHEET[0]}" y="{SHEET[1]}" width="{SHEET[2] - SHEET[0]}" height="{SHEET[3] - SHEET[1]}" rx="8" \
fill="{PAGE}"/>
{rects}
  <rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" rx="6" fill="none" stroke="{AMBER}" \
stroke-width="8"/>
</svg>
"""


def png(size: int) -> Image.Image:
    """The icon drawn at ``size`` x ``size`` pixels."""
    scale = size * 8 / 256
    big = Image.new("RGBA", (size * 8, size * 8), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)

    def box(shape: tuple[int, int, int, int]) -> tuple[float, float, float, float]:
        return (shape[0] * scale, shape[1] * scale, shape[2] * scale, shape[3] * scale)

    draw.rounded_rectangle(box(TILE), radius=TILE_RADIUS * scale, fill=BLUE)
    draw.rounded_rectangle(box(SHEET), radius=8 * scale, fill=PAGE)
    for bar in BARS:
        draw.rounded_rectangle(box(bar), radius=4 * scale, fill=INK)
    draw.rounded_rectangle(box(BOX), radius=6 * scale, outline=AMBER, width=max(1, round(8 * scale)))
    return big.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    (ICONS / "glyphic.svg").write_text(svg(), encoding="utf-8")
    for size in SIZES:
        png(size).save(ICONS / f"glyphic-{size}.png", optimize=True)
    print(f"icons written to {ICONS}")


if __name__ == "__main__":
    main()
