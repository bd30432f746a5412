"""Make the bundled sample page: ``python -m benchmarks.make_sample``.

A printed heading (DejaVu Sans, via Pillow) over handwritten English text written
with real EMNIST *eval* glyphs, slightly skewed and noisy like a phone scan.
Writes ``resources/samples/sample.png`` and its ground truth ``sample.txt``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from benchmarks.textpages import handwritten_text_page, page_text
from recognizer.data import load_split
from segmentation.synthetic import degrade, ttf_path

HEADING = "Field Notes 2026"
BODY_TEXT = (
    "The river was high after three days of rain and the old bridge near the mill was closed "
    "We walked north along the bank and counted 47 herons in the wet fields "
    "Bring the map the lamp and some bread when you come back on Monday"
)
BODY = BODY_TEXT.split()


def make_sample(seed: int = 11) -> tuple[np.ndarray, str]:
    rng = np.random.default_rng(seed)
    data = load_split("eval")
    page = handwritten_text_page(BODY, data.images, data.labels, rng, size=(1700, 1000), cap_height=44, margin=90)
    canvas = Image.fromarray(page.image)
    font = ImageFont.truetype(ttf_path("DejaVuSans-Bold.ttf"), 44)
    body = np.asarray(canvas).copy()
    # move the handwriting down to make room for the heading
    shifted = np.full_like(body, 246)
    shifted[110:] = body[:-110]
    canvas = Image.fromarray(shifted)
    ImageDraw.Draw(canvas).text((90, 40), HEADING, fill=30, font=font)
    page.image = np.asarray(canvas)
    scan = degrade(page, rng, skew=1.2, blur=0.6, uneven=0.3)
    truth = HEADING + "\n\n" + page_text(page)
    return scan.image, truth


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("resources/samples"))
    args = parser.parse_args(argv)
    image, truth = make_sample()
    args.out.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(args.out / "sample.png"), image, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    (args.out / "sample.txt").write_text(truth + "\n", encoding="utf-8")
    print(f"wrote {args.out / 'sample.png'} {image.shape[1]}x{image.shape[0]}")


if __name__ == "__main__":
    main()
