"""Glyphs per second of the recognizer at batch sizes 1, 64 and 1024.

``python -m benchmarks.recognizer_speed [--models a.json b.json] [--threads 2]``
prints a table and writes ``reports/recognizer_speed.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from benchmarks.report import save_report
from recognizer import Predictor
from recognizer.predictor import default_model_path

BATCHES = (1, 64, 1024)


def glyphs_per_second(predictor: Predictor, batch: int, seconds: float = 3.0) -> float:
    """Throughput of ``predictor.predict`` called with ``batch`` random glyphs at a time (the predictor
    runs them in forward passes of its own ``batch_size``)."""
    rng = np.random.default_rng(0)
    images = (rng.random((batch, 28, 28)) * 255).astype(np.uint8)
    predictor.predict(images)  # warm-up
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        predictor.predict(images)
        done += batch
    return done / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", type=Path, help="model configs (default: reports' SeedCNN + shipped)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--out", type=Path, default=Path("reports"))
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    models = args.models or [p for p in (Path("runs/seed-cnn/model.json"), default_model_path()) if p.exists()]
    results: dict[str, dict[str, float]] = {}
    for path in models:
        predictor = Predictor.load(path)
        results[predictor.name] = {f"batch_{b}": glyphs_per_second(predictor, b, args.seconds) for b in BATCHES}
        print(predictor.name, " ".join(f"b{b}: {v:,.0f}/s" for b, v in zip(BATCHES, results[predictor.name].values(),
                                                                              strict=True)), flush=True)
    lines = [f"# Recognizer speed ({args.threads} threads, glyphs per second)", "",
             "| model | " + " | ".join(f"batch {b}" for b in BATCHES) + " |", "|---|---|---|---|"]
    lines += [f"| {name} | " + " | ".join(f"{v:,.0f}" for v in row.values()) + " |" for name, row in results.items()]
    save_report(args.out, "recognizer_speed", "\n".join(lines), results)
    return results


if __name__ == "__main__":
    main()
