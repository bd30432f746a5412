"""Archive-scale batch OCR on a Dask cluster (``glyphic ocr ... --cluster ADDRESS``).

Pages are the unit of work. The client walks the inputs lazily and keeps at
most ``window`` page tasks in flight (:class:`distributed.as_completed`, a new
task for every one that finishes), so a million-page job never holds all
futures or results in memory. Every finished page is stored at once
(:mod:`app.cluster_store`); when a document's pages are all there it is
exported with :func:`app.export.export_document`, exactly as the local run
does, and marked done. Re-running the same command skips what is stored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dask
import numpy as np
from distributed import Client, Future, LocalCluster, as_completed
from tqdm import tqdm

from app.cluster_store import PageStore
from app.cluster_tasks import PageOutcome, PipelinePlugin, recognize_page
from app.document import Document
from app.export import export_document
from app.pipeline import PipelineOptions
from app.sources import InputFile, expand_inputs, local_copy


@dataclass
class ClusterRun:
    """What to run and where; mirrors the ``glyphic ocr`` options."""

    address: str
    inputs: list[str]
    out_dir: Path
    formats: list[str]
    pipeline: PipelineOptions
    model_name: str
    model_config: dict[str, Any]
    max_pixels: int | None = None
    retries: int = 2
    window: int | None = None
    quiet: bool = False


@dataclass
class Summary:
    """What a run did; ``failures`` holds ``(what, message)`` pairs."""

    computed: int = 0
    skipped: int = 0
    documents: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Doc:
    item: InputFile
    key: str
    count: int | None
    present: int
    failed: bool = False


def connect(address: str) -> tuple[Client, LocalCluster | None]:
    """A client for ``tcp://host:port`` (a running scheduler) or ``local:N`` (N worker processes here)."""
    if address.startswith("local:"):
        workers = int(address.removeprefix("local:"))
        if workers < 1:
            raise ValueError("local:N needs at least one worker")
        cluster = local_cluster(workers)
        return Client(cluster), cluster
    return Client(address, timeout="30s"), None


def local_cluster(workers: int) -> LocalCluster:
    """``workers`` single-threaded worker processes on this machine.

    Dask's nanny sets ``MALLOC_TRIM_THRESHOLD_`` in its workers by default; that turns
    off glibc's adaptive mmap threshold and made every page about 25 % slower here
    (the many short-lived image arrays of a page are mapped and unmapped again).
    """
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                            silence_logs=logging.ERROR)


def dashboard_link(client: Client) -> str | None:
    """The dashboard's address, when the scheduler serves one."""
    try:
        services = client.scheduler_info().get("services", {})
        return str(client.dashboard_link) if "dashboard" in services else None
    except Exception:  # a dashboard is a nicety
        return None


def run_cluster(run: ClusterRun) -> int:
    """Connect, recognise every page, print a summary; returns the process exit code."""
    try:
        client, cluster = connect(run.address)
    except Exception as exc:
        print(f"glyphic: error: cannot start or reach the cluster {run.address!r}: {exc}", file=sys.stderr)
        return 2
    try:
        return run_on(client, run)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_on(client: Client, run: ClusterRun) -> int:
    """Run ``run`` on an existing client; returns the process exit code."""
    link = dashboard_link(client)
    if link and not run.quiet:
        print(f"glyphic: Dask dashboard at {link}", file=sys.stderr)
    try:
        client.register_plugin(PipelinePlugin(run.pipeline), name=f"glyphic-pipeline-{fingerprint(run)[:12]}")
    except Exception as exc:  # e.g. the model is missing on a worker
        print(f"glyphic: error: the workers cannot load the model: {exc}", file=sys.stderr)
        return 2
    summary = ClusterJob(client, run).run()
    print_summary(summary)
    return 1 if summary.failures else 0


def fingerprint(run: ClusterRun) -> str:
    """Everything that changes a page's result: options, pixel limit and the model's config."""
    text = json.dumps([repr(run.pipeline), run.max_pixels, run.model_config], sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()


def print_summary(summary: Summary) -> None:
    print(f"glyphic: {summary.computed} page(s) recognised, {summary.skipped} already done, "
          f"{summary.documents} document(s) written, {len(summary.failures)} failure(s)", file=sys.stderr)
    for what, message in summary.failures:
        print(f"glyphic: failed: {what}: {message}", file=sys.stderr)


class ClusterJob:
    """One pass over the inputs with a bounded window of page tasks."""

    def __init__(self, client: Client, run: ClusterRun) -> None:
        self.client = client
        self.run_spec = run
        self.store = PageStore(run.out_dir, fingerprint(run))
        self.summary = Summary()
        threads = sum(client.nthreads().values())
        self.window = run.window or max(8, 2 * threads)
        self.cursors: deque[tuple[_Doc, Iterator[int]]] = deque()
        self.in_flight: dict[Future, tuple[_Doc, int, bool]] = {}
        self.inputs: Iterator[InputFile] = iter(())
        self.unopened = 0  # inputs not looked at yet (counted as one page each until opened)
        self.todo = 0  # pages found to need recognising so far
        self.progress: tqdm[Any] | None = None

    def run(self) -> Summary:
        items = self._unique_inputs()
        self.unopened = len(items)
        self.inputs = iter(items)
        self.progress = tqdm(total=self.unopened, unit="page", file=sys.stderr, dynamic_ncols=True,
                             disable=True if self.run_spec.quiet else None)
        completed = as_completed(with_results=True, raise_errors=False)
        try:
            self._fill(completed)
            for future, result in completed:
                doc, index, counted = self.in_flight.pop(future)
                self._handle(future, result, doc, index, counted)
                future.release()
                self.progress.update(1)
                self._fill(completed)
        finally:
            self.progress.close()
            for future in self.in_flight:
                future.cancel()
        return self.summary

    def _unique_inputs(self) -> list[InputFile]:
        """Expanded inputs; a second input with an output name already taken is a failure."""
        taken: dict[str, str] = {}
        items: list[InputFile] = []
        for item in expand_inputs(self.run_spec.inputs):
            first = taken.setdefault(item.stem, item.source)
            if first != item.source:
                self._fail(item.source, f"its output name {item.stem!r} is taken by {first}")
            elif len(taken) > len(items):  # a new name (the same input given twice runs once)
                items.append(item)
        return items

    def _fill(self, completed: as_completed) -> None:
        while len(self.in_flight) < self.window:
            task = self._next_task()
            if task is None:
                break
            doc, index, counted = task
            spec = self.run_spec
            future = self.client.submit(recognize_page, doc.item.location, doc.item.source, doc.item.version, index,
                                        spec.pipeline, spec.max_pixels, counted, retries=spec.retries, pure=False)
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
        if self.store.is_done(key, item.stem, formats):
            self.summary.skipped += count or 0
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

    def _handle(self, future: Future, result: Any, doc: _Doc, index: int, counted: bool) -> None:
        where = f"{doc.item.source} page {index + 1}"
        if future.status != "finished":
            message = result[1] if isinstance(result, tuple) and len(result) == 3 else result
            self._fail(where, f"{type(message).__name__}: {message}")
            doc.failed = True
            return
        outcome: PageOutcome = result
        if outcome.error is not None:
            self._fail(doc.item.source if counted else where, outcome.error)
            doc.failed = True
            return
        if counted:
            doc.count = outcome.page_count or 0
            self.store.save_page_count(doc.key, doc.count)
        if outcome.page_json is not None:
            self.store.save_page(doc.key, index, outcome.page_json)
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
            options: dict[str, Any] = {}
            if "pdf" in spec.formats and doc.item.is_url:
                options["pdf"] = {"images": _url_page_loader(doc.item, document)}
            export_document(document, spec.out_dir, doc.item.stem, spec.formats, **options)
            self.store.mark_done(doc.key, doc.item.source, spec.formats)
            self.summary.documents += 1
        except Exception as exc:
            self._fail(doc.item.source, f"export failed: {exc}")

    def _fail(self, what: str, message: str) -> None:
        self.summary.failures.append((what, message))
        if self.progress is not None:
            self.progress.write(f"glyphic: error: {what}: {message}", file=sys.stderr)

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
