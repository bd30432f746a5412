"""A batch run: every page of every input through an executor, results stored, documents exported.

One implementation for the plain run, ``--jobs N`` and ``--cluster`` (:mod:`app.page_runner` says where
tasks run). Pages are the unit of work: the job walks the inputs lazily and keeps at most the executor's
window of page tasks in flight. Every finished page is stored at once (:mod:`app.cluster_store`); when a
document's pages are all there it is exported with :func:`app.export.export_document` and marked done,
so a re-run after a crash or a kill skips what is finished. Output names come from
:func:`app.output_names.plan_outputs`; the run journal (:mod:`app.journal`) records what was written and
what failed.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from app.cluster_store import PageStore
from app.document import Document
from app.errors import classify, log_failure
from app.export import FORMATS, export_document
from app.export.pagexml import page_paths
from app.journal import RunJournal, remove_stale_temp_files
from app.page_runner import Completed, PageExecutor
from app.page_tasks import PageOutcome, recognize_page
from app.pipeline import PipelineOptions
from app.sources import InputFile, local_copy


@dataclass
class BatchRun:
    """What to run; mirrors the ``glyphic ocr`` options.

    Attributes:
        items: the inputs with their planned output names (:func:`app.output_names.plan_outputs`).
        out_dir: the output folder (its ``.glyphic`` folder holds the resume state and the journal).
        formats: export formats; empty to export nothing (``on_document`` receives the documents).
        on_document: called with every finished document (e.g. to print its text).
        redo: forget stored pages and finished documents first.
    """

    items: list[InputFile]
    out_dir: Path
    formats: list[str]
    pipeline: PipelineOptions
    model_name: str
    model_config: dict[str, Any]
    max_pixels: int | None = None
    quiet: bool = False
    redo: bool = False
    on_document: Callable[[InputFile, Document], None] | None = None


@dataclass
class Summary:
    """What a run did; ``failures`` holds ``(what, message)`` pairs."""

    computed: int = 0
    skipped: int = 0
    documents: int = 0
    inputs: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Doc:
    item: InputFile
    key: str
    count: int | None
    present: int
    failed: bool = False


def run_batch(executor: PageExecutor, run: BatchRun) -> int:
    """Run ``run`` on ``executor``, keep the journal, print a summary; returns the process exit code."""
    journal = RunJournal(run.out_dir)
    previous = journal.previous_status()
    remove_stale_temp_files(run.out_dir)
    try:
        journal.begin(redo=run.redo)
    except Exception as exc:  # e.g. a full disk: nothing can be kept, so nothing is started
        print(f"glyphic: error: cannot keep the run's state in {journal.state}: {classify(exc).message}",
              file=sys.stderr)
        return 2
    if previous in ("running", "partial") and not run.redo and not run.quiet:
        what = "was interrupted" if previous == "running" else "had failures"
        print(f"glyphic: the previous run into {run.out_dir} {what}; finished documents are kept", file=sys.stderr)
    job = BatchJob(executor, run, journal)
    summary = job.run()
    try:
        journal.finish()
    except Exception as exc:
        print(f"glyphic: warning: the run journal was not updated: {classify(exc).message}", file=sys.stderr)
    print_summary(summary, journal)
    return 1 if summary.failures else 0


def fingerprint(run: BatchRun) -> str:
    """Everything that changes a page's result: options, pixel limit and the model's config."""
    text = json.dumps([repr(run.pipeline), run.max_pixels, run.model_config], sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()


def print_summary(summary: Summary, journal: RunJournal) -> None:
    """One line for the run; failures were printed as they happened, their details are in the log."""
    print(f"glyphic: {summary.computed} page(s) recognised, {summary.skipped} already done, "
          f"{summary.documents} document(s) written, {len(summary.failures)} failure(s)", file=sys.stderr)
    if summary.failures:
        failed = len({what for what, _ in summary.failures})
        print(f"glyphic: {failed} of {summary.inputs} file(s) failed; details in {journal.error_log}", file=sys.stderr)


class BatchJob:
    """One pass over the inputs with a bounded window of page tasks."""

    def __init__(self, executor: PageExecutor, run: BatchRun, journal: RunJournal) -> None:
        self.executor = executor
        self.run_spec = run
        self.journal = journal
        self.store = PageStore(run.out_dir, fingerprint(run))
        self.summary = Summary()
        self.cursors: deque[tuple[_Doc, Iterator[int]]] = deque()
        self.in_flight: dict[Any, tuple[_Doc, int, bool]] = {}
        self.inputs: Iterator[InputFile] = iter(())
        self.unopened = 0  # inputs not looked at yet (counted as one page each until opened)
        self.todo = 0  # pages found to need recognising so far
        self.reported: set[str] = set()  # inputs with a failure printed already
        self.progress: tqdm[Any] | None = None

    def run(self) -> Summary:
        self.unopened = self.summary.inputs = len(self.run_spec.items)
        self.inputs = iter(self.run_spec.items)
        self.progress = tqdm(total=self.unopened, unit="page", file=sys.stderr, dynamic_ncols=True,
                             disable=True if self.run_spec.quiet else None)
        completed = self.executor.completed()
        try:
            self._fill(completed)
            for future, result in completed:
                doc, index, counted = self.in_flight.pop(future)
                self._handle(result, doc, index, counted)
                future.release()
                self.progress.update(1)
                self._fill(completed)
        finally:
            self.progress.close()
            for future in self.in_flight:
                future.cancel()
        return self.summary

    def _fill(self, completed: Completed) -> None:
        while len(self.in_flight) < self.executor.window:
            task = self._next_task()
            if task is None:
                break
            doc, index, counted = task
            spec = self.run_spec
            future = self.executor.submit(recognize_page, doc.item.location, doc.item.source, doc.item.version,
                                          index, spec.pipeline, spec.max_pixels, counted)
            self.in_flight[future] = task
            completed.add(future)
        self._show_total()

    def _next_task(self) -> tuple[_Doc, int, bool] | None:
        while True:
            if self.cursors:
                doc, indices = self.cursors[0]
                index = next(indices, None)
                if index is None:
                    self.cursors.popleft()
                    continue
                return doc, index, False
            item = next(self.inputs, None)
            if item is None:
                return None
            self.unopened -= 1
            opened = self._open(item)
            if opened is None:
                continue
            if opened.count is None:
                self.todo += 1
                return opened, 0, True
            self._queue_missing(opened, 0)

    def _open(self, item: InputFile) -> _Doc | None:
        """The document's state, or ``None`` when it is already exported."""
        key = self.store.key(item)
        formats = self.run_spec.formats
        count = self.store.page_count(key)
        if formats and self.store.is_done(key, item.stem, formats):
            self.summary.skipped += count or 0
            self.journal.written.extend(self._outputs(item, count or 1))
            return None
        present = self.store.pages_present(key) if count is not None else set()
        self.summary.skipped += len(present)
        return _Doc(item, key, count, len(present))

    def _queue_missing(self, doc: _Doc, start: int) -> None:
        """Queue the pages from ``start`` on that are not stored yet; export at once if none are missing."""
        assert doc.count is not None
        present = self.store.pages_present(doc.key)
        missing = [i for i in range(start, doc.count) if i not in present]
        self.todo += len(missing)
        if missing:
            self.cursors.append((doc, iter(missing)))
        elif doc.present >= doc.count:
            self._finish(doc)

    def _handle(self, result: Any, doc: _Doc, index: int, counted: bool) -> None:
        if isinstance(result, BaseException):
            self._fail(doc.item.source, f"page {index + 1}: {classify(result).message}", result)
            doc.failed = True
            return
        outcome: PageOutcome = result
        if outcome.error is not None:
            self._fail(doc.item.source, outcome.error if counted else f"page {index + 1}: {outcome.error}")
            doc.failed = True
            return
        try:
            if counted:
                doc.count = outcome.page_count or 0
                self.store.save_page_count(doc.key, doc.count)
            if outcome.page_json is not None:
                self.store.save_page(doc.key, index, outcome.page_json)
        except Exception as exc:  # e.g. the disk is full: this document fails, the run goes on
            self._fail(doc.item.source, f"cannot store page {index + 1}: {classify(exc).message}")
            doc.failed = True
            return
        if outcome.page_json is not None:
            doc.present += 1
            self.summary.computed += 1
        if counted:
            self._queue_missing(doc, 1)
        elif doc.count is not None and doc.present >= doc.count and not doc.failed:
            self._finish(doc)

    def _finish(self, doc: _Doc) -> None:
        """Export a document whose pages are all stored, then mark it done."""
        assert doc.count is not None
        spec = self.run_spec
        try:
            document = self.store.document(doc.key, doc.item.source, spec.model_name, doc.count)
            if spec.formats:
                options: dict[str, Any] = {}
                if "pdf" in spec.formats and doc.item.is_url:
                    options["pdf"] = {"images": _url_page_loader(doc.item, document)}
                export_document(document, spec.out_dir, doc.item.stem, spec.formats, **options)
                self.store.mark_done(doc.key, doc.item.source, spec.formats)
                self.journal.written.extend(self._outputs(doc.item, len(document.pages)))
            if spec.on_document is not None:
                spec.on_document(doc.item, document)
            self.summary.documents += 1
        except Exception as exc:
            self._fail(doc.item.source, f"export failed: {classify(exc).message}", exc)

    def _outputs(self, item: InputFile, pages: int) -> list[str]:
        """The files the export of a ``pages``-page document writes (PAGE XML: one per page)."""
        names = []
        for name in self.run_spec.formats:
            path = Path(f"{item.stem}{FORMATS[name].suffix}")
            names += [str(p) for p in (page_paths(path, pages) if name == "page" else [path])]
        return names

    def _fail(self, source: str, message: str, exc: BaseException | None = None) -> None:
        """Record a failure; print one line per input (the first failure), log every one with its traceback."""
        self.summary.failures.append((source, message))
        self.journal.failed.append((source, message))
        log_failure(self.journal.error_log, source, exc, message)
        if source in self.reported:
            return
        self.reported.add(source)
        line = f"glyphic: error: {source}: {message}"
        if exc is not None:
            line += f" (traceback in {self.journal.error_log})"
        if self.progress is not None:
            self.progress.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr)

    def _show_total(self) -> None:
        total = self.todo + self.unopened
        if self.progress is not None and total != self.progress.total:
            self.progress.total = total
            self.progress.refresh()


def _url_page_loader(item: InputFile, document: Document) -> Callable[[int], np.ndarray]:
    """Page images of a URL input for the searchable-PDF exporter, read from a local copy."""
    from app.io import DEFAULT_MAX_PIXELS, load_page

    path = local_copy(item.location, item.version)
    pages = {page.index: page for page in document.pages}

    def image(index: int) -> np.ndarray:
        page = pages[index]
        limit = max(DEFAULT_MAX_PIXELS, 2 * page.width * page.height)  # as the exporter reads a local source
        return load_page(path, index, dpi=page.dpi if page.dpi > 0 else 300.0, max_pixels=limit).image

    return image
