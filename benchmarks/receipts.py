"""Receipt-like pages: narrow thermal or dot-matrix print, item rows with prices at the right edge.

There are no real receipts in the workspace; these pages check what real ones need: each row read
left to right on one output line (an item and its price together), faint and dotted print read.
``python -m benchmarks.receipts [--pages 20]`` prints caseless folded CER (as ``pagecer`` folds it), the
share of rows whose price follows its item on the same output line, and seconds per page; writes
``reports/receipts.md``.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report import save_report  # noqa: E402
from segmentation.synthetic import ttf_path  # noqa: E402

ITEMS = ["TEA", "COFFEE", "MILK 1L", "BREAD", "EGGS X6", "BUTTER", "APPLES", "RICE 2KG", "SOAP", "PASTA",
         "TOMATOES", "CHEESE", "ORANGE JUICE", "CHOCOLATE", "SUGAR", "FLOUR", "BANANAS", "YOGHURT", "WATER 6X1.5L",
         "SANDWICH", "NEWSPAPER", "BATTERIES AA", "SHAMPOO", "CARROTS", "CHICKEN", "BISCUITS", "HONEY", "JAM"]
SHOPS = ["CORNER STORE", "GREEN MARKET", "CITY PHARMACY", "THE BAKERY", "FRESH FOODS LTD", "QUICK MART"]
FACES = ["DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSans.ttf"]


@dataclass
class Receipt:
    """A receipt image and its rows of text (an item row: ``ITEM PRICE``)."""

    image: np.ndarray
    rows: list[str]
    items: list[tuple[str, str]]  # (item, price) of the item rows


def _rows(rng: np.random.Generator) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(left, right) text of every row, and the item rows among them."""
    items = []
    for name in rng.choice(ITEMS, size=int(rng.integers(4, 9)), replace=False):
        count = int(rng.integers(1, 4))
        price = count * float(rng.integers(20, 900)) / 100
        items.append((f"{count} X {name}" if count > 1 else str(name), f"{price:.2f}"))
    total = sum(float(p) for _, p in items)
    day, month, hour, minute = (int(rng.integers(1, 29)), int(rng.integers(1, 13)), int(rng.integers(7, 22)),
                                int(rng.integers(0, 60)))
    rows = [(str(rng.choice(SHOPS)), ""), (f"{day:02d}/{month:02d}/2026 {hour:02d}:{minute:02d}", ""), *items,
            ("TOTAL", f"{total:.2f}"), ("CASH", f"{np.ceil(total / 10) * 10:.2f}"),
            ("CHANGE", f"{np.ceil(total / 10) * 10 - total:.2f}"), ("THANK YOU", "")]
    return rows, items


def receipt_page(rng: np.random.Generator, dots: bool | None = None) -> Receipt:
    """A receipt: 576 px wide (80 mm at 180 dpi), a monospace or sans face, thermal fading or dot matrix."""
    rows, items = _rows(rng)
    size = int(rng.integers(22, 30))
    font = ImageFont.truetype(ttf_path(str(rng.choice(FACES))), size)
    width, margin, pitch = 576, int(rng.integers(12, 30)), int(size * rng.uniform(1.35, 1.7))
    canvas = Image.new("L", (width, pitch * (len(rows) + 3)), 0)
    draw = ImageDraw.Draw(canvas)
    for n, (left, right) in enumerate(rows):
        y = pitch * (n + 1.5)
        if not right and n in (0, len(rows) - 1):  # the shop's name and the thanks are centred
            draw.text((width / 2, y), left, font=font, fill=255, anchor="ms")
            continue
        draw.text((margin, y), left, font=font, fill=255, anchor="ls")
        if right:
            draw.text((width - margin, y), right, font=font, fill=255, anchor="rs")
    ink: np.ndarray = np.asarray(canvas).astype(np.float32) / 255
    if dots if dots is not None else rng.random() < 0.3:  # dot matrix: the strokes made of round dots
        step = max(3, size // 8)
        points = np.zeros_like(ink)
        points[::step, ::step] = 1
        grid = cv2.dilate(points, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (step - 1, step - 1)))
        ink = np.minimum(cv2.dilate(ink, np.ones((2, 2), np.uint8)), grid)
    fade = np.linspace(rng.uniform(0.45, 1.0), rng.uniform(0.45, 1.0), ink.shape[0])[:, None]  # thermal fading
    paper = rng.uniform(215, 250) - ink * fade * rng.uniform(120, 200)
    paper = cv2.GaussianBlur(paper, (0, 0), rng.uniform(0.5, 1.1)) + rng.normal(0, 6, paper.shape)
    image = np.clip(paper, 0, 255).astype(np.uint8)
    return Receipt(image, [" ".join(t for t in row if t) for row in rows], items)


def folded(text: str) -> str:
    """Upper case, letters and digits only, one space between words (``pagecer``'s caseless fold)."""
    kept = "".join(c if c.isalnum() else " " for c in text.upper())
    return " ".join(kept.split())


def rows_kept(items: list[tuple[str, str]], lines: list[str]) -> float:
    """Share of item rows whose price follows the item on one output line (compared folded)."""
    from rapidfuzz import fuzz

    kept = 0
    for item, price in items:
        line = max(lines, key=lambda text: fuzz.partial_ratio(folded(item), folded(text)), default="")
        where = folded(line).find(folded(price))
        kept += where > 0 and fuzz.partial_ratio(folded(item), folded(line)[:where]) >= 80
    return kept / max(1, len(items))


def main(argv: list[str] | None = None) -> int:
    from rapidfuzz.distance import Levenshtein

    from app.pipeline import Pipeline, PipelineOptions
    from recognizer.precision import cpu_summary

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    pipeline = Pipeline(PipelineOptions(dpi=180))
    edits = chars = 0
    kept, seconds = [], 0.0
    for _ in range(args.pages):
        receipt = receipt_page(rng)
        start = time.perf_counter()
        page = pipeline.recognize_image(receipt.image)
        seconds += time.perf_counter() - start
        truth, text = folded(" ".join(receipt.rows)), folded(page.text)
        edits += Levenshtein.distance(truth, text)
        chars += len(truth)
        kept.append(rows_kept(receipt.items, [line.text for line in page.lines]))
    cer, rows = edits / max(1, chars), float(np.mean(kept))
    summary = (f"{args.pages} receipt-like pages: caseless folded CER {cer:.1%}, item rows kept whole {rows:.0%}, "
               f"{seconds / args.pages:.2f} s/page")
    print(cpu_summary(), summary, sep="\n")
    save_report(ROOT / "reports", "receipts", f"# Receipt-like pages\n\n`python -m benchmarks.receipts --pages "
                f"{args.pages}`\n\nCPU: {cpu_summary()}.\n\n{summary}.",
                {"cer": cer, "rows_kept": rows, "seconds": seconds / args.pages})
    return 0


if __name__ == "__main__":
    sys.exit(main())
