"""The ``glyphic`` command line.

``glyphic ocr FILE... [-o OUTDIR] [--format txt,hocr,alto,json,pdf] [--jobs N] [--no-lexicon] [--model PATH]``

Without ``-o`` the plain text goes to stdout, so it can be scripted like
``tesseract FILE -``. A folder stands for its image and PDF files (searched
recursively). A file that cannot be read is reported and skipped; the exit code
is 1 when any file failed. ``--cluster ADDRESS`` runs the pages on a Dask
cluster instead (:mod:`app.cluster`; inputs may then also be fsspec URLs).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from tqdm import tqdm

from app.document import Document, Page
from app.pipeline import ENGINES, Pipeline, PipelineOptions
from app.sources import expand_local

DEFAULT_FORMATS = "txt"


def glyphic_version() -> str:
    try:
        return version("glyphic")
    except PackageNotFoundError:
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="glyphic", description="Glyphic OCR: handwritten and printed pages to text.")
    parser.add_argument("--version", action="version", version=f"glyphic {glyphic_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    ocr = commands.add_parser("ocr", help="recognise image and PDF files")
    ocr.add_argument("files", nargs="+", metavar="FILE", help="image or PDF files, folders (or URLs with --cluster)")
    ocr.add_argument("-o", "--output", type=Path, metavar="OUTDIR", help="write files here (default: text to stdout)")
    ocr.add_argument("--format", default=DEFAULT_FORMATS,
                     help="comma-separated: txt,hocr,alto,json,pdf (default: %(default)s)")
    ocr.add_argument("--jobs", type=int, default=1, help="worker processes for pages (default: 1)")
    ocr.add_argument("--no-lexicon", action="store_true", help="keep the classifier's reading, no word context")
    ocr.add_argument("--engine", choices=ENGINES, default=ENGINES[0],
                     help="line: read whole text lines (default); glyph: character by character")
    ocr.add_argument("--model", type=Path, help="glyph model config JSON (default: the shipped model)")
    ocr.add_argument("--dpi", type=float, default=300.0, help="render PDFs at this resolution (default: 300)")
    ocr.add_argument("--max-pixels", type=int, help="refuse images larger than this many pixels")
    ocr.add_argument("--quiet", action="store_true", help="no progress bar")
    ocr.add_argument("--cluster", metavar="ADDRESS",
                     help="run on a Dask cluster: a scheduler (tcp://host:8786) or local:N worker processes")
    ocr.add_argument("--retries", type=int, default=2,
                     help="with --cluster: retries of a page whose task failed or whose worker died (default: 2)")
    return parser


def pipeline_options(args: argparse.Namespace) -> PipelineOptions:
    return PipelineOptions(lexicon=not args.no_lexicon, model_path=args.model, dpi=args.dpi, engine=args.engine)


_worker_pipeline: Pipeline | None = None


def _init_worker(options: PipelineOptions) -> None:
    global _worker_pipeline
    _worker_pipeline = Pipeline(dataclasses.replace(options, threads=1))  # one page per process


def _recognize_page(path: Path, index: int, dpi: float, max_pixels: int | None) -> Page:
    from app.io import load_page

    assert _worker_pipeline is not None, "worker not initialised"
    page_image = load_page(path, index, dpi=dpi, **({"max_pixels": max_pixels} if max_pixels else {}))
    return _worker_pipeline.recognize_image(page_image.image, page_image.index, page_image.source, page_image.dpi)


def _pages_serial(pipeline: Pipeline, path: Path, max_pixels: int | None) -> Iterator[Page]:
    yield from pipeline.recognize_file(path, max_pixels=max_pixels)


def _pages_parallel(pool: ProcessPoolExecutor, path: Path, args: argparse.Namespace) -> Iterator[Page]:
    from app.io import count_pages

    futures = [pool.submit(_recognize_page, path, i, args.dpi, args.max_pixels) for i in range(count_pages(path))]
    for future in futures:
        yield future.result()


def run_ocr(args: argparse.Namespace) -> int:
    """Recognise every file; returns the process exit code."""
    from app.export import FORMATS, export_document

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        print(f"glyphic: error: unknown format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}",
              file=sys.stderr)
        return 2
    if args.jobs < 1:
        print("glyphic: error: --jobs must be at least 1", file=sys.stderr)
        return 2
    options = pipeline_options(args)
    pipeline = Pipeline(options)
    try:
        model_name = pipeline.predictor.name
    except Exception as exc:  # a missing or damaged model is fatal for every file
        print(f"glyphic: error: {exc}", file=sys.stderr)
        return 2
    if args.cluster:
        return _run_on_cluster(args, options, formats, pipeline.predictor)
    files = list(expand_local(args.files))
    pool = ProcessPoolExecutor(args.jobs, initializer=_init_worker, initargs=(options,)) if args.jobs > 1 else None
    failed = 0
    progress = tqdm(total=len(files), unit="file", disable=True if args.quiet else None, file=sys.stderr)
    try:
        for path in files:
            document = Document(source=str(path), model=model_name)
            try:
                pages = _pages_parallel(pool, path, args) if pool else _pages_serial(pipeline, path, args.max_pixels)
                for page in pages:
                    document.pages.append(page)
                    progress.set_postfix_str(f"{path.name} p{page.index + 1}", refresh=False)
                if args.output is None:
                    sys.stdout.write(document.text + "\n")
                    sys.stdout.flush()
                else:
                    export_document(document, args.output, path.stem, formats)
            except Exception as exc:  # report, skip the file, go on with the others
                failed += 1
                progress.write(f"glyphic: error: {path}: {exc}", file=sys.stderr)
            progress.update(1)
    finally:
        progress.close()
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if failed:
        print(f"glyphic: {failed} of {len(files)} file(s) failed", file=sys.stderr)
    return 1 if failed else 0


def _run_on_cluster(args: argparse.Namespace, options: PipelineOptions, formats: list[str], predictor: Any) -> int:
    if args.output is None:
        print("glyphic: error: --cluster needs an output folder (-o OUTDIR)", file=sys.stderr)
        return 2
    if args.retries < 0:
        print("glyphic: error: --retries must not be negative", file=sys.stderr)
        return 2
    from app.cluster import ClusterRun, run_cluster

    return run_cluster(ClusterRun(
        address=args.cluster, inputs=list(args.files), out_dir=args.output, formats=list(dict.fromkeys(formats)),
        pipeline=options, model_name=predictor.name, model_config=predictor.config, max_pixels=args.max_pixels,
        retries=args.retries, quiet=args.quiet))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "ocr":
        return run_ocr(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
