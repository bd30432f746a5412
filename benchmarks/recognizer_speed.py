"""Glyphs per second of the glyph recognizer at several batch sizes, per backend and precision.

``python -m benchmarks.recognizer_speed [--models a.json b.json] [--threads 2] [--torch]``
prints the CPU's flags, then a row per model and precision (ONNX Runtime fp32, int8 and the
one the predictor chooses on this CPU; with ``--torch`` also PyTorch fp32, and bf16 where the
CPU has it), with the balanced accuracy on the EMNIST eval split when it is present. Writes
``reports/recognizer_speed.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.report import save_report
from recognizer import Predictor
from recognizer.precision import cpu_flags, cpu_summary
from recognizer.predictor import default_model_path

BATCHES = (1, 64, 256, 1024)


def glyphs_per_second(logits: Callable[[np.ndarray], Any], batch: int, seconds: float = 3.0) -> float:
    """Throughput of ``logits`` called with ``batch`` random glyphs at a time."""
    rng = np.random.default_rng(0)
    images = (rng.random((batch, 28, 28)) * 255).astype(np.uint8)
    logits(images)  # warm-up
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        logits(images)
        done += batch
    return done / (time.perf_counter() - started)


def eval_accuracy(logits: Callable[[np.ndarray], np.ndarray]) -> float | None:
    """Balanced accuracy on the EMNIST eval split (None when the files are absent)."""
    from recognizer.data import load_split

    try:
        data = load_split("eval")
    except FileNotFoundError:
        return None
    predicted = np.concatenate([logits(data.images[i : i + 1024]).argmax(1) for i in range(0, len(data.labels), 1024)])
    return float(np.mean([np.mean(predicted[data.labels == c] == c) for c in np.unique(data.labels)]))


def torch_logits(path: Path, threads: int, bf16: bool) -> Callable[[np.ndarray], np.ndarray]:
    """PyTorch inference of the same weights (fused batch norm, channels-last), for comparison."""
    import torch

    from recognizer.export_onnx import fuse_batch_norm
    from recognizer.weights import load_model

    torch.set_num_threads(threads)
    model, config = load_model(path)
    fused = fuse_batch_norm(model).to(memory_format=torch.channels_last)
    mean, std = config["input"]["mean"], config["input"]["std"]

    @torch.inference_mode()
    def run(images: np.ndarray) -> np.ndarray:
        x = ((torch.from_numpy(images).float().unsqueeze(1) / 255 - mean) / std).contiguous(
            memory_format=torch.channels_last)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            return fused(x).float().numpy()
    return run


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", type=Path, help="model configs (default: the shipped model)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--torch", action="store_true", help="also PyTorch (needs the train extra)")
    parser.add_argument("--out", type=Path, default=Path("reports"))
    args = parser.parse_args(argv)
    cpu = cpu_summary()
    print(cpu, flush=True)
    rows: dict[str, dict[str, Any]] = {}
    for path in args.models or [default_model_path()]:
        chosen = Predictor.load(path, threads=args.threads)
        candidates: dict[str, Callable[[np.ndarray], np.ndarray]] = {}
        for precision in ("fp32", "int8"):
            predictor = Predictor.load(path, threads=args.threads, precision=precision)
            if predictor.precision == precision:
                candidates[f"onnxruntime {precision}"] = predictor.logits
        candidates[f"onnxruntime auto (chose {chosen.precision})"] = chosen.logits
        if args.torch:
            candidates["torch fp32"] = torch_logits(path, args.threads, False)
            if cpu_flags()["avx512_bf16"] or cpu_flags()["amx_bf16"]:
                candidates["torch bf16"] = torch_logits(path, args.threads, True)
        for backend, logits in candidates.items():
            row: dict[str, Any] = {f"batch_{b}": glyphs_per_second(logits, b, args.seconds) for b in BATCHES}
            row["eval_balanced_accuracy"] = eval_accuracy(logits)
            rows[f"{chosen.name} | {backend}"] = row
            accuracy = row["eval_balanced_accuracy"]
            print(f"{chosen.name} {backend}: " + " ".join(f"b{b} {row[f'batch_{b}']:,.0f}/s" for b in BATCHES)
                  + (f"  eval {accuracy:.2%}" if accuracy is not None else ""), flush=True)
    lines = [f"# Glyph recognizer speed ({args.threads} threads, glyphs per second)", "", f"CPU: {cpu}", "",
             "| model | backend | " + " | ".join(f"batch {b}" for b in BATCHES) + " | eval balanced accuracy |",
             "|---|---|" + "---|" * (len(BATCHES) + 1)]
    for name, row in rows.items():
        accuracy = row["eval_balanced_accuracy"]
        lines.append(f"| {name} | " + " | ".join(f"{row[f'batch_{b}']:,.0f}" for b in BATCHES)
                     + f" | {'-' if accuracy is None else f'{accuracy:.2%}'} |")
    save_report(args.out, "recognizer_speed", "\n".join(lines), {"cpu": cpu, "cpu_flags": cpu_flags(), "rows": rows})
    return rows


if __name__ == "__main__":
    main()
