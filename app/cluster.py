"""Archive-scale batch OCR on a Dask cluster (``glyphic ocr ... --cluster ADDRESS``, and ``--jobs N``).

The batch job itself (:mod:`app.batch`) is the same for every mode; this module connects to a
scheduler (or starts ``local:N`` worker processes on this machine, which is what ``--jobs N`` does),
loads the model on every worker and runs the job with a :class:`app.page_runner.DaskExecutor`. A worker
that dies is restarted by its nanny and Dask runs its page again; a task that raises a transient error
is retried ``retries`` times; a deterministic failure (a bad file, a page over the limit) is not.
"""

from __future__ import annotations

import logging
import sys

import dask
from distributed import Client, LocalCluster

from app.batch import BatchRun, fingerprint, run_batch
from app.cluster_tasks import PipelinePlugin
from app.page_runner import DaskExecutor


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


def run_cluster(address: str, run: BatchRun, retries: int = 2, dashboard: bool = True) -> int:
    """Connect, recognise every page, print a summary; returns the process exit code.

    ``dashboard``: name the Dask dashboard's address (not for ``--jobs``, where Dask is an inner detail).
    """
    try:
        client, cluster = connect(address)
    except Exception as exc:
        print(f"glyphic: error: cannot start or reach the cluster {address!r}: {exc}", file=sys.stderr)
        return 2
    try:
        return run_on(client, run, retries, dashboard=dashboard)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_on(client: Client, run: BatchRun, retries: int = 2, window: int | None = None,
           dashboard: bool = True) -> int:
    """Run ``run`` on an existing client; returns the process exit code."""
    link = dashboard_link(client) if dashboard else None
    if link and not run.quiet:
        print(f"glyphic: Dask dashboard at {link}", file=sys.stderr)
    try:
        client.register_plugin(PipelinePlugin(run.pipeline), name=f"glyphic-pipeline-{fingerprint(run)[:12]}")
    except Exception as exc:  # e.g. the model is missing on a worker
        print(f"glyphic: error: the workers cannot load the model: {exc}", file=sys.stderr)
        return 2
    return run_batch(DaskExecutor(client, retries, window), run)
