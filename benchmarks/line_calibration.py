"""Fit the line model's confidence calibration on synthetic pages (never on real-dev).

Reads Glyphic's own synthetic pages (handwritten from EMNIST *validation* glyphs, printed, degraded and
blurred printed), aligns every read character with the truth, and fits ``sigmoid(a * logit(p) + b)`` of
the characters' raw confidences to whether they were right (least log loss on a grid). Prints the
reliability table before and after; ``--write`` stores ``a`` and ``b`` in the line model's config.

Run: ``python -m benchmarks.line_calibration [--pages 2] [--write]``
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.pipeline import Pipeline, PipelineOptions  # noqa: E402
from benchmarks.pages import make_pages  # noqa: E402
from benchmarks.textpages import page_text  # noqa: E402
from recognizer.line_predictor import LinePredictor, default_line_model_path  # noqa: E402
from recognizer.modelfile import read_config, write_config  # noqa: E402

KINDS = ("handwritten", "printed-degraded", "printed-blurred")
BINS = (0.0, 0.5, 0.8, 0.95, 0.99, 0.999, 1.01)


def raw_readings(pages: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Raw (uncalibrated) confidences of every read character and whether it was right."""
    predictor = LinePredictor.from_resources()
    predictor.calibration = {}
    pipeline = Pipeline(PipelineOptions(lexicon=False), line_predictor=predictor)
    confidences, right = [], []
    for kind in KINDS:
        for page in make_pages(kind, pages, seed, "validation"):
            glyphs = list(pipeline.recognize_image(page.image).glyphs())
            read, truth = "".join(g.text for g in glyphs), "".join(page_text(page).split())
            ok = np.zeros(len(read), bool)
            for op in Levenshtein.opcodes(read, truth):
                if op.tag == "equal":
                    ok[op.src_start:op.src_end] = True
            confidences += [g.confidence for g in glyphs]
            right += list(ok)
    return np.array(confidences), np.array(right, float)


def fit(confidences: np.ndarray, right: np.ndarray) -> tuple[float, float]:
    """The (scale, shift) of the logit with the least log loss."""
    p = np.clip(confidences, 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p))
    best = (np.inf, 1.0, 0.0)
    for scale in np.linspace(0.2, 2.0, 37):
        for shift in np.linspace(-5.0, 2.0, 71):
            q = np.clip(1 / (1 + np.exp(-(scale * logit + shift))), 1e-9, 1 - 1e-9)
            loss = -float(np.mean(right * np.log(q) + (1 - right) * np.log(1 - q)))
            best = min(best, (loss, float(scale), float(shift)))
    return best[1], best[2]


def reliability(confidences: np.ndarray, right: np.ndarray) -> str:
    rows = []
    for low, high in itertools.pairwise(BINS):
        inside = (confidences >= low) & (confidences < high)
        if inside.any():
            rows.append(f"  {low:.3f}-{min(high, 1):.3f}: {inside.sum():6d} characters, {1 - right[inside].mean():.1%} "
                        f"wrong, {1 - confidences[inside].mean():.1%} expected")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2, help="pages per kind")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--write", action="store_true", help="store the fit in the line model's config")
    args = parser.parse_args(argv)
    confidences, right = raw_readings(args.pages, args.seed)
    scale, shift = fit(confidences, right)
    p = np.clip(confidences, 1e-6, 1 - 1e-6)
    calibrated = 1 / (1 + np.exp(-(scale * np.log(p / (1 - p)) + shift)))
    print(f"raw:\n{reliability(confidences, right)}\ncalibrated (scale {scale:.2f}, shift {shift:.2f}):\n"
          f"{reliability(calibrated, right)}")
    if args.write:
        path = default_line_model_path()
        config = read_config(path, ("classes",))
        config["calibration"] = {"logit_scale": round(scale, 3), "logit_shift": round(shift, 3),
                                 "fitted_on": f"python -m benchmarks.line_calibration --pages {args.pages} "
                                              f"--seed {args.seed}: {len(right)} characters of synthetic pages"}
        write_config(path, config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
