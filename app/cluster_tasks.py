"""What runs on a Dask worker: one page in, one recognised page (as JSON) out.

Each worker process keeps one :class:`app.pipeline.Pipeline` per set of
options (:func:`worker_pipeline`), so the model loads once per worker, not
once per page; :class:`PipelinePlugin` loads it as soon as a worker joins.
Workers read the page themselves (a local path on shared storage, or a URL),
so page images never travel through the scheduler.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, replace

from distributed.diagnostics.plugin import WorkerPlugin

from app.io import PageLoadError, count_pages, load_page
from app.pipeline import Pipeline, PipelineOptions
from app.sources import local_copy

_PIPELINES: dict[str, Pipeline] = {}
_PIPELINES_LOCK = threading.Lock()


@dataclass(frozen=True)
class PageOutcome:
    """The result of one page task.

    Attributes:
        page_json: the :class:`app.document.Page` as JSON, or ``None`` when the page failed.
        page_count: pages in the file, when the task was asked to count them.
        error: why the page could not be read (a bad file: not retried).
    """

    page_json: str | None
    page_count: int | None = None
    error: str | None = None


def worker_pipeline(options: PipelineOptions) -> Pipeline:
    """This process's pipeline for ``options``, created (and its model loaded) on first use."""
    key = repr(options)
    with _PIPELINES_LOCK:
        pipeline = _PIPELINES.get(key)
        if pipeline is None:
            # a worker runs one page per thread; more model threads only contend
            pipeline = _PIPELINES[key] = Pipeline(replace(options, threads=1))
    _ = pipeline.predictor  # load the model now (thread-safe, once)
    return pipeline


class PipelinePlugin(WorkerPlugin):
    """Loads the model when a worker starts (and when a restarted worker rejoins)."""

    def __init__(self, options: PipelineOptions) -> None:
        self.options = options

    def setup(self, worker: object) -> None:
        worker_pipeline(self.options)


def recognize_page(location: str, source: str, version: str, index: int, options: PipelineOptions,
                   max_pixels: int | None, count: bool = False) -> PageOutcome:
    """Recognise page ``index`` of the file at ``location`` (a path or URL), named ``source`` in the result.

    A file that cannot be read gives an ``error`` outcome; any other exception
    propagates, so Dask retries the task (e.g. a storage hiccup).
    """
    path = local_copy(location, version)
    limit = {"max_pixels": max_pixels} if max_pixels else {}
    try:
        page_count = count_pages(path) if count else None
        if page_count == 0:  # an empty PDF: an empty document, as the local run writes
            return PageOutcome(None, 0)
        image = load_page(path, index, dpi=options.dpi, **limit)
    except PageLoadError as exc:
        return PageOutcome(None, error=exc.message)
    page = worker_pipeline(options).recognize_image(image.image, image.index, source, image.dpi)
    return PageOutcome(json.dumps(asdict(page), ensure_ascii=False), page_count)
