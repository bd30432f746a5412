"""The ``glyphic`` command line.

``glyphic ocr FILE... [-o OUTDIR] [--format txt,hocr,alto,page,json,pdf,docx,odt] [--jobs N] [--no-lexicon]
[--engine line|glyph] [--model PATH]``

Without ``-o`` the plain text goes to stdout, so it can be scripted like
``tesseract FILE -``. A folder stands for its image and PDF files (searched
recursively); the output tree mirrors the inputs' folders and no output ever
overwrites another (:mod:`app.output_names`). A file that cannot be read is
reported in one line and skipped. ``--jobs N`` runs N worker processes and
``--cluster ADDRESS`` a Dask cluster (inputs may then also be fsspec URLs); every
mode runs the same batch job (:mod:`app.batch`): a re-run completes an
interrupted one, ``--redo`` starts afresh.

Exit codes: 0 every page read, 1 some file failed, 2 bad usage (an unknown
option value, an input without images, clashing output names, an unusable
output folder or model).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.document import Document
from app.pipeline import ENGINES, Pipeline, PipelineOptions
from app.sources import InputFile, expand_inputs, is_url

if TYPE_CHECKING:
    from app.batch import BatchRun

DEFAULT_FORMATS = "txt"


class UsageError(Exception):
    """Bad usage: the run stops before any page is read, with exit code 2."""


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
                     help="comma-separated: txt,hocr,alto,page,json,pdf,docx,odt (default: %(default)s)")
    ocr.add_argument("--jobs", type=int, default=1, help="worker processes for pages (default: 1)")
    ocr.add_argument("--no-lexicon", action="store_true", help="keep the classifier's reading, no word context")
    ocr.add_argument("--engine", choices=ENGINES, default=ENGINES[0],
                     help="line: read whole text lines (default); glyph: character by character")
    ocr.add_argument("--model", type=Path, help="glyph model config JSON (default: the shipped model)")
    ocr.add_argument("--line-model", type=Path, help="line model config JSON (default: the shipped lines.json)")
    ocr.add_argument("--dpi", type=float, default=300.0, help="render PDFs at this resolution (default: 300)")
    ocr.add_argument("--max-pixels", type=int,
                     help="refuse pages larger than this many pixels (default: 150 million, A4 at 1200 dpi)")
    ocr.add_argument("--quiet", action="store_true", help="no progress bar")
    ocr.add_argument("--cluster", metavar="ADDRESS",
                     help="run on a Dask cluster: a scheduler (tcp://host:8786) or local:N worker processes")
    ocr.add_argument("--retries", type=int, default=2,
                     help="retries of a page after a transient failure, e.g. a storage hiccup (default: 2); "
                          "bad files are never retried")
    ocr.add_argument("--redo", action="store_true",
                     help="recognise everything again (by default a re-run keeps what OUTDIR/.glyphic says is done)")
    for name, verb in (("install-desktop", "add"), ("uninstall-desktop", "remove")):
        desktop = commands.add_parser(name, help=f"{verb} the menu entry, icons and file types (freedesktop.org)")
        where = desktop.add_mutually_exclusive_group()
        where.add_argument("--user", action="store_true",
                           help="for this user, in $XDG_DATA_HOME or ~/.local/share (the default)")
        where.add_argument("--prefix", type=Path, metavar="DIR", help="under DIR/share, e.g. /usr/local")
    return parser


def run_desktop(args: argparse.Namespace) -> int:
    """``install-desktop`` / ``uninstall-desktop``: exit 0, or 1 when a file cannot be written or removed."""
    from app import desktop

    data_dir = desktop.data_dir_for(args.prefix)
    try:
        if args.command == "install-desktop":
            files = desktop.install(data_dir)
            print(f"glyphic: installed the menu entry {files[0]}, the MIME package {files[1]} "
                  f"and {len(files) - 2} icons under {data_dir / 'icons'}")
        else:
            files = desktop.uninstall(data_dir)
            print(f"glyphic: removed {len(files)} file(s) from {data_dir}")
    except OSError as exc:
        print(f"glyphic: error: {exc}", file=sys.stderr)
        return 1
    return 0


def pipeline_options(args: argparse.Namespace) -> PipelineOptions:
    """The pipeline's options; ``--max-pixels`` is segmentation's limit as well as the loader's."""
    options = PipelineOptions(lexicon=not args.no_lexicon, model_path=args.model, dpi=args.dpi, engine=args.engine,
                              line_model_path=args.line_model)
    if args.max_pixels:
        options = replace(options, segment=replace(options.segment, max_pixels=args.max_pixels))
    return options


def check_usage(args: argparse.Namespace) -> list[str]:
    """The formats asked for.

    Raises:
        UsageError: an unknown format or a bad number.
    """
    from app.export import FORMATS

    formats = list(dict.fromkeys(f.strip() for f in args.format.split(",") if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"unknown format(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.retries < 0:
        raise UsageError("--retries must not be negative")
    if args.max_pixels is not None and args.max_pixels < 1:
        raise UsageError("--max-pixels must be at least 1")
    return formats


def collect_inputs(names: Sequence[str]) -> list[InputFile]:
    """Every input document with its output name.

    Raises:
        UsageError: a folder (or URL pattern) holds no image or PDF file, or two inputs' outputs would clash.
    """
    from app.output_names import NameClashError, given_folder, plan_outputs

    items: list[InputFile] = []
    folders: list[tuple[str, ...]] = []
    for name in names:
        found = list(expand_inputs([name]))
        if not found:
            what = "folder" if is_url(name) or Path(name).is_dir() else "input"
            raise UsageError(f"{what} {name} holds no image or PDF files")
        items.extend(found)
        folders.extend(given_folder(name, item) for item in found)
    try:
        return plan_outputs(items, folders)
    except NameClashError as exc:
        raise UsageError(str(exc)) from exc


class TextPrinter:
    """Prints documents' text to stdout in input order (at once when they come in order)."""

    def __init__(self, items: list[InputFile]) -> None:
        self.order = [item.source for item in items]
        self.texts: dict[str, str] = {}
        self.next = 0
        self.closed = False

    def __call__(self, item: InputFile, document: Document) -> None:
        self.texts[item.source] = document.text
        while self.next < len(self.order) and self.order[self.next] in self.texts:
            self._print(self.order[self.next])
            self.next += 1

    def flush(self) -> None:
        """Print what is left (documents after a failed one)."""
        for source in self.order[self.next:]:
            if source in self.texts:
                self._print(source)
        self.next = len(self.order)

    def _print(self, source: str) -> None:
        text = self.texts.pop(source)
        if self.closed:
            return
        try:
            sys.stdout.write(text + "\n")
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. piped into `head`: the reader wants no more
            self.closed = True
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def run_ocr(args: argparse.Namespace) -> int:
    """Recognise every file; returns the process exit code."""
    from app.batch import BatchRun
    from app.journal import OutputFolderError, check_output_folder

    try:
        formats = check_usage(args)
        if args.cluster and args.output is None:
            raise UsageError("--cluster needs an output folder (-o OUTDIR)")
        items = collect_inputs(args.files)
        if args.output is not None:
            check_output_folder(args.output)
    except (UsageError, OutputFolderError) as exc:
        print(f"glyphic: error: {exc}", file=sys.stderr)
        return 2
    options = pipeline_options(args)
    pipeline = Pipeline(options)
    try:
        predictor = pipeline.predictor
    except Exception as exc:  # a missing or damaged model is fatal for every file
        print(f"glyphic: error: {exc}", file=sys.stderr)
        return 2
    printer = TextPrinter(items) if args.output is None else None
    out_dir = args.output if args.output is not None else Path(tempfile.mkdtemp(prefix="glyphic-run-"))
    run = BatchRun(items=items, out_dir=out_dir, formats=formats if printer is None else [], pipeline=options,
                   model_name=predictor.name, model_config=predictor.config, max_pixels=args.max_pixels,
                   quiet=args.quiet, redo=args.redo, on_document=printer)
    code = _run(args, run, pipeline)
    if printer is not None:
        printer.flush()
        if code == 0:
            shutil.rmtree(out_dir, ignore_errors=True)  # on failure the error log named in the messages stays
    return code


def _run(args: argparse.Namespace, run: BatchRun, pipeline: Pipeline) -> int:
    """The batch job on a cluster, on ``--jobs`` local worker processes, or here."""
    if args.cluster or args.jobs > 1:
        from app.cluster import run_cluster

        return run_cluster(args.cluster or f"local:{args.jobs}", run, args.retries, dashboard=bool(args.cluster))
    from app.batch import run_batch
    from app.page_runner import SerialExecutor
    from app.page_tasks import use_pipeline

    use_pipeline(pipeline)
    return run_batch(SerialExecutor(args.retries), run)


def _one_line_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                      file: Any = None, line: str | None = None) -> None:
    """Library warnings as one line of ours, without the library's source line."""
    text = " ".join(str(message).split())
    print(f"glyphic: warning: {text}", file=file or sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    warnings.showwarning = _one_line_warning
    if args.command == "ocr":
        return run_ocr(args)
    if args.command in ("install-desktop", "uninstall-desktop"):
        return run_desktop(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
