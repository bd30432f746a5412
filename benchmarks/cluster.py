"""Cluster throughput benchmark: pages per minute on a Dask LocalCluster against the local path.

``python -m benchmarks.cluster [--pages 16] [--workers 1,2] [--repeat 2]`` copies the
sample page ``--pages`` times, then times the same job three ways, each warm
(model loaded, cluster started) so only per-page work counts:

- the local path (what ``glyphic ocr FILES -o OUT`` does per file), one torch thread;
- ``--cluster local:N`` for every N in ``--workers`` (one thread per worker process).

The per-page overhead of the cluster path is ``local:1`` seconds per page over
the local path's, minus one. Best of ``--repeat`` runs. Writes
``reports/cluster/report.md`` and ``report.json`` and prints the numbers.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Callable
from functools import partial
from importlib.resources import files
from pathlib import Path

import torch

from app.batch import BatchRun
from app.cluster import local_cluster, run_on
from app.cluster_tasks import PipelinePlugin
from app.document import Document
from app.export import export_document
from app.output_names import plan_outputs
from app.pipeline import Pipeline, PipelineOptions
from app.sources import expand_inputs
from benchmarks.report import save_report

SAMPLE = Path(str(files("resources") / "samples" / "sample.png"))
FORMATS = ["txt", "json"]


def make_inputs(folder: Path, pages: int) -> list[Path]:
    """``pages`` single-page copies of the sample page."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"page-{i:04d}.png" for i in range(pages)]
    for path in paths:
        shutil.copyfile(SAMPLE, path)
    return paths


def time_local(paths: list[Path], out: Path) -> float:
    """Seconds for the local path's per-file work: recognise every page, export the document."""
    torch.set_num_threads(1)
    pipeline = Pipeline(PipelineOptions())
    name = pipeline.predictor.name  # warm: the model is loaded before the clock starts
    started = time.perf_counter()
    for path in paths:
        document = Document(source=str(path), model=name, pages=list(pipeline.recognize_file(path)))
        export_document(document, out, path.stem, FORMATS)
    return time.perf_counter() - started


def time_cluster(paths: list[Path], out: Path, *, workers: int) -> float:
    """Seconds for the same job on a warm LocalCluster with ``workers`` single-thread processes."""
    from distributed import Client

    options = PipelineOptions()
    predictor = Pipeline(options).predictor
    with local_cluster(workers) as cluster, Client(cluster) as client:
        client.register_plugin(PipelinePlugin(options), name="benchmark-warm-up")
        items = plan_outputs(expand_inputs([str(p) for p in paths]))
        run = BatchRun(items=items, out_dir=out, formats=FORMATS, pipeline=options, model_name=predictor.name,
                       model_config=predictor.config, quiet=True)
        started = time.perf_counter()
        code = run_on(client, run)
        seconds = time.perf_counter() - started
    if code != 0:
        raise RuntimeError(f"cluster run failed with exit code {code}")
    return seconds


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=16)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--repeat", type=int, default=2, help="best of this many runs per setting")
    parser.add_argument("--out", type=Path, default=Path("reports/cluster"))
    args = parser.parse_args(argv)
    workers = [int(w) for w in args.workers.split(",")]
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_inputs(Path(tmp) / "in", args.pages)
        for attempt in range(args.repeat):
            runs: list[tuple[str, Callable[[Path], float]]] = [("local", lambda out: time_local(paths, out))]
            runs += [(f"local:{n}", partial(time_cluster, paths, workers=n)) for n in workers]
            for name, timed in runs:
                took = timed(Path(tmp) / f"out-{name.replace(':', '-')}-{attempt}")
                seconds[name] = min(took, seconds.get(name, float("inf")))
                print(f"  run {attempt + 1}: {name:8s} {took:6.1f} s  {60 * args.pages / took:6.1f} pages/min",
                      flush=True)
    rows = {name: {"seconds": s, "seconds_per_page": s / args.pages, "pages_per_minute": 60 * args.pages / s}
            for name, s in seconds.items()}
    overhead = seconds["local:1"] / seconds["local"] - 1 if "local:1" in seconds else None
    load = os.getloadavg()
    report: dict[str, object] = {
        "pages": args.pages, "page": SAMPLE.name, "formats": FORMATS, "repeat": args.repeat,
        "cpus": os.cpu_count(), "machine": platform.processor() or platform.machine(),
        "load_average_after": load, "results": rows, "cluster_overhead_per_page": overhead,
    }
    command = f"python -m benchmarks.cluster --pages {args.pages} --workers {args.workers} --repeat {args.repeat}"
    lines = ["# Cluster benchmark", "",
             f"`{command}`: {args.pages} copies of `{SAMPLE.name}` (1700 x 1000 px), formats "
             f"{', '.join(FORMATS)}; {os.cpu_count()} CPUs; best of {args.repeat}; warm model and cluster. "
             f"Load average afterwards {load[0]:.1f} (other work on the machine slows every row alike).", "",
             "| run | seconds | s/page | pages/min |", "|---|---|---|---|"]
    for name, row in rows.items():
        label = "local path (1 process, 1 torch thread)" if name == "local" else f"`--cluster {name}`"
        lines.append(f"| {label} | {row['seconds']:.1f} | {row['seconds_per_page']:.2f} "
                     f"| {row['pages_per_minute']:.1f} |")
    if overhead is not None:
        lines += ["", f"Per-page overhead of the cluster path (`local:1` against the local path): {overhead:+.1%}."]
    save_report(args.out, "report", "\n".join(lines), report)
    print("\n".join(lines))
    return report


if __name__ == "__main__":
    main()
