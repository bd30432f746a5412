"""Segmentation benchmark on synthetic pages with known boxes.

Measures glyph box precision/recall/F1 at IoU >= 0.5, line and word box
accuracy (F1 at IoU >= 0.5), reading order, deskew error and speed on an A4 page
at 300 dpi; writes ``reports/segmentation/report.md``, ``report.json`` and
``annotated.png``.

Run: ``python benchmarks/segmentation.py [--quick]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report import save_report  # noqa: E402
from segmentation import PageLayout, segment  # noqa: E402
from segmentation.evaluation import match_boxes, order_accuracy  # noqa: E402
from segmentation.synthetic import SyntheticPage, degrade, handwritten_page, printed_page  # noqa: E402

REPORT_DIR = ROOT / "reports" / "segmentation"


def _degraded(page: SyntheticPage, rng: np.random.Generator) -> SyntheticPage:
    """Noise 6, blur 0.8, JPEG 70, uneven light 0.5, 200 specks and a random skew within ±3°."""
    return degrade(page, rng, skew=float(rng.uniform(-3, 3)), noise=6.0, blur=0.8, jpeg=70, uneven=0.5, specks=200)


FONTS: list[str | int] = ["DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf", cv2.FONT_HERSHEY_SIMPLEX,
                          cv2.FONT_HERSHEY_COMPLEX]


def _boxes(items: list) -> np.ndarray:
    return np.array([item.bbox for item in items], dtype=np.int64).reshape(-1, 4)


class Tally:
    """Pooled counts over the pages of one category."""

    def __init__(self) -> None:
        self.truth = self.predicted = self.matched = 0
        self.lines: list[float] = []
        self.words: list[float] = []
        self.order: list[float] = []
        self.skew_errors: list[float] = []
        self.ms: list[float] = []

    def add(self, page: SyntheticPage, layout: PageLayout, ms: float) -> None:
        glyphs = match_boxes(page.glyph_boxes(), _boxes(layout.glyphs()))
        self.truth += len(page.glyph_boxes())
        self.predicted += len(layout.glyphs())
        self.matched += len(glyphs.pairs)
        lines = match_boxes(_boxes(page.lines), _boxes(layout.lines))
        self.lines.append(lines.f1)
        self.order.append(order_accuracy(lines.pairs))
        self.words.append(match_boxes(page.word_boxes(), _boxes(layout.words())).f1)
        self.skew_errors.append(abs(layout.skew_angle - page.skew))
        self.ms.append(ms)

    def summary(self) -> dict[str, float]:
        p = self.matched / max(self.predicted, 1)
        r = self.matched / max(self.truth, 1)
        return {
            "pages": len(self.ms), "glyphs": self.truth, "precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / max(p + r, 1e-9), 4), "line_f1": round(statistics.mean(self.lines), 4),
            "word_f1": round(statistics.mean(self.words), 4), "reading_order": round(statistics.mean(self.order), 4),
            "skew_error_mean": round(statistics.mean(self.skew_errors), 3),
            "skew_error_max": round(max(self.skew_errors), 3), "ms_per_page": round(statistics.median(self.ms), 1),
        }


def _run(tally: Tally, page: SyntheticPage) -> None:
    start = time.perf_counter()
    layout = segment(page.image)
    tally.add(page, layout, (time.perf_counter() - start) * 1000)


def _emnist() -> tuple[np.ndarray, np.ndarray] | None:
    try:
        from recognizer.data import load_split

        split = load_split("train")
        return split.images[:20000], split.labels[:20000]
    except (ImportError, OSError, ValueError) as exc:
        print(f"EMNIST not available, handwritten pages skipped: {exc}")
        return None


def run(quick: bool) -> dict[str, dict[str, float]]:
    """Benchmark every category; returns {category: summary}."""
    rng = np.random.default_rng(2026)
    pages_per_font = 1 if quick else 2
    results: dict[str, Tally] = {k: Tally() for k in ("printed_clean", "printed_degraded", "two_column_mixed",
                                                      "handwritten_clean", "handwritten_degraded", "skewed")}
    for font in FONTS:
        for _ in range(pages_per_font):
            page = printed_page(rng, size=(1700, 2200), font=font, font_sizes=(30, 40), margin=120)
            _run(results["printed_clean"], page)
            _run(results["printed_degraded"], _degraded(page, rng))
    for _ in range(pages_per_font):
        page = printed_page(rng, size=(1700, 2200), font="DejaVuSerif.ttf", font_sizes=(24, 32, 48), columns=2)
        _run(results["two_column_mixed"], page)
    emnist = _emnist()
    if emnist is not None:
        for _ in range(2 * pages_per_font):
            page = handwritten_page(emnist[0], emnist[1], rng, size=(1700, 2200), n_lines=20)
            _run(results["handwritten_clean"], page)
            _run(results["handwritten_degraded"], _degraded(page, rng))
    base = printed_page(rng, size=(1700, 2200), font_sizes=(32,), margin=300)
    for angle in np.linspace(-15, 15, 7 if quick else 13):
        _run(results["skewed"], degrade(base, rng, skew=float(angle), noise=4))
    out = {name: tally.summary() for name, tally in results.items() if tally.ms}
    out["a4_speed"] = speed(rng, 3 if quick else 7)
    return out


def speed(rng: np.random.Generator, repeats: int) -> dict[str, float]:
    """Milliseconds to segment a 300 dpi A4 page (2480 x 3508) with about 2,000 characters."""
    page = printed_page(rng, size=(2480, 3508), font="DejaVuSerif.ttf", font_sizes=(50,), margin=250)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        layout = segment(page.image)
        times.append((time.perf_counter() - start) * 1000)
    f1 = match_boxes(page.glyph_boxes(), _boxes(layout.glyphs())).f1
    return {"characters": len(page.glyph_boxes()), "ms_median": round(statistics.median(times), 1),
            "ms_min": round(min(times), 1), "f1": round(f1, 4)}


def annotate(path: Path) -> None:
    """Draw lines (blue), words (green) and glyphs (red) over a degraded two-column page."""
    rng = np.random.default_rng(7)
    page = printed_page(rng, size=(1400, 1000), font="DejaVuSans.ttf", font_sizes=(22, 30), columns=2)
    page = degrade(page, rng, skew=2.0, uneven=0.4)
    layout = segment(page.image)
    canvas = cv2.cvtColor(page.image, cv2.COLOR_GRAY2BGR)
    for line in layout.lines:
        x0, y0, x1, y1 = line.bbox
        cv2.rectangle(canvas, (x0 - 3, y0 - 3), (x1 + 2, y1 + 2), (255, 120, 0), 2)
        cv2.putText(canvas, str(line.block), (x0 - 28, y1), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 120, 0), 2)
        for word in line.words:
            x0, y0, x1, y1 = word.bbox
            cv2.rectangle(canvas, (x0 - 1, y0 - 1), (x1, y1), (0, 170, 0), 1)
            for glyph in word.glyphs:
                x0, y0, x1, y1 = glyph.bbox
                cv2.rectangle(canvas, (x0, y0), (x1 - 1, y1 - 1), (0, 0, 230), 1)
    small = cv2.resize(canvas, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(path), small, [cv2.IMWRITE_PNG_COMPRESSION, 9])


def write_report(results: dict[str, dict[str, float]]) -> str:
    """Markdown table of the results."""
    lines = ["# Segmentation benchmark", "",
             "Synthetic pages (segmentation/synthetic.py); boxes match at IoU >= 0.5. "
             "Degraded = noise 6, blur 0.8, JPEG 70, uneven light 0.5, 200 specks, skew ±3°.", "",
             "| category | pages | glyphs | P | R | F1 | line F1 | word F1 | order | skew err mean/max (°) | ms/page |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, s in results.items():
        if name == "a4_speed":
            continue
        lines.append(f"| {name} | {s['pages']} | {s['glyphs']} | {s['precision']} | {s['recall']} | {s['f1']} | "
                     f"{s['line_f1']} | {s['word_f1']} | {s['reading_order']} | "
                     f"{s['skew_error_mean']} / {s['skew_error_max']} | {s['ms_per_page']} |")
    a4 = results["a4_speed"]
    lines += ["", f"A4 300 dpi page (2480 x 3508, {a4['characters']} characters): median {a4['ms_median']} ms, "
              f"best {a4['ms_min']} ms (glyph F1 {a4['f1']}); load average {os.getloadavg()[0]:.1f} when it ended "
              "(other work on the machine slows it).", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer pages")
    args = parser.parse_args()
    results = run(args.quick)
    text = write_report(results)
    print(text)
    save_report(REPORT_DIR, "report", text, results)
    annotate(REPORT_DIR / "annotated.png")


if __name__ == "__main__":
    main()
