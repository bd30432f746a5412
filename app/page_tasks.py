"""One page task: one page in, one recognised page (as JSON) out; run on a Dask worker or in this process.

Each process keeps one :class:`app.pipeline.Pipeline` per set of options
(:func:`worker_pipeline`), so the model loads once per worker, not once per
page. Workers read the page themselves (a local path on shared storage, or a
URL), so page images never travel through the scheduler.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, replace

from app.errors import classify
from app.io import count_pages, load_page
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
        error: why the page could not be read, for a deterministic failure (a bad file, a page over the
            limit: :func:`app.errors.classify`); it is never retried.
    """

    page_json: str | None
    page_count: int | None = None
    error: str | None = None


def use_pipeline(pipeline: Pipeline) -> None:
    """Let this process's page tasks use ``pipeline`` for its options (the serial run: its threads, its model)."""
    with _PIPELINES_LOCK:
        _PIPELINES[repr(pipeline.options)] = pipeline


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


def recognize_page(location: str, source: str, version: str, index: int, options: PipelineOptions,
                   max_pixels: int | None, count: bool = False) -> PageOutcome:
    """Recognise page ``index`` of the file at ``location`` (a path or URL), named ``source`` in the result.

    A deterministic failure (a file that cannot be read, a page over the pixel limit) gives an ``error``
    outcome; any other exception propagates, so it is retried (e.g. a storage hiccup).
    """
    path = local_copy(location, version)
    limit = {"max_pixels": max_pixels} if max_pixels else {}
    try:
        page_count = count_pages(path) if count else None
        if page_count == 0:  # an empty PDF: an empty document, as the local run writes
            return PageOutcome(None, 0)
        image = load_page(path, index, dpi=options.dpi, **limit)
        page = worker_pipeline(options).recognize_image(image.image, image.index, source, image.dpi)
    except Exception as exc:
        failure = classify(exc)
        if not failure.deterministic:
            raise
        return PageOutcome(None, error=failure.message)
    return PageOutcome(json.dumps(asdict(page), ensure_ascii=False), page_count)
