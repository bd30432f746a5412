"""What a Dask worker needs beyond the page task itself (:mod:`app.page_tasks`): the model loaded on joining."""

from __future__ import annotations

from distributed.diagnostics.plugin import WorkerPlugin

from app.page_tasks import PageOutcome, recognize_page, worker_pipeline
from app.pipeline import PipelineOptions

__all__ = ["PageOutcome", "PipelinePlugin", "recognize_page", "worker_pipeline"]


class PipelinePlugin(WorkerPlugin):
    """Loads the model when a worker starts (and when a restarted worker rejoins)."""

    def __init__(self, options: PipelineOptions) -> None:
        self.options = options

    def setup(self, worker: object) -> None:
        worker_pipeline(self.options)
