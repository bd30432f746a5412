"""Where page tasks run: one small interface for a Dask cluster (``--cluster``, ``--jobs N``) and this process.

:class:`app.cluster.ClusterJob` submits page tasks and takes results as they complete through an
executor, so the window, the retries, the journal and the output names exist once for every mode:

- :class:`DaskExecutor`: a :class:`distributed.Client`; ``--jobs N`` is ``--cluster local:N`` (worker
  processes on this machine whose nanny restarts a worker that died, and Dask runs its page again).
- :class:`SerialExecutor`: the plain ``glyphic ocr`` run, one page at a time in this process.

Results come as ``(future, value)``; ``value`` is the task's return value, or the exception when it
failed for good. Only transient failures are retried (:func:`app.errors.is_deterministic`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from app.errors import is_deterministic


class Completed(Protocol):
    """Futures in completion order; more may be added while iterating."""

    def add(self, future: Any) -> None: ...

    def __iter__(self) -> Iterator[tuple[Any, Any]]: ...


class PageExecutor(Protocol):
    """Runs page tasks."""

    window: int

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any: ...

    def completed(self) -> Completed: ...


class DaskExecutor:
    """Tasks on a Dask cluster, each retried ``retries`` times when it raises (a worker's death is retried by Dask)."""

    def __init__(self, client: Any, retries: int, window: int | None = None) -> None:
        self.client = client
        self.retries = retries
        self.window = window or max(8, 2 * sum(client.nthreads().values()))

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.client.submit(fn, *args, retries=self.retries, pure=False)

    def completed(self) -> Completed:
        return _DaskCompleted()


class _DaskCompleted:
    def __init__(self) -> None:
        from distributed import as_completed

        self.inner = as_completed(with_results=True, raise_errors=False)

    def add(self, future: Any) -> None:
        self.inner.add(future)

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        for future, result in self.inner:
            if future.status == "finished":
                yield future, result
            elif isinstance(result, tuple) and len(result) == 3 and isinstance(result[1], BaseException):
                yield future, result[1].with_traceback(result[2])
            elif result is not None and not isinstance(result, BaseException):
                yield future, result  # computed, then its worker was lost before the status said so
            else:
                yield future, result if isinstance(result, BaseException) else RuntimeError(str(result))


class SerialFuture:
    """A task of :class:`SerialExecutor`: it runs when its turn comes in :meth:`SerialExecutor.completed`."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.fn, self.args = fn, args
        self.cancelled = False

    def release(self) -> None:
        """Nothing to release (the same interface as a Dask future)."""

    def cancel(self) -> None:
        self.cancelled = True


class SerialExecutor:
    """Tasks run one at a time in this process, in the order submitted; transient failures retried."""

    window = 1

    def __init__(self, retries: int) -> None:
        self.retries = retries

    def submit(self, fn: Callable[..., Any], *args: Any) -> SerialFuture:
        return SerialFuture(fn, args)

    def completed(self) -> _SerialCompleted:
        return _SerialCompleted(self.retries)


class _SerialCompleted:
    def __init__(self, retries: int) -> None:
        self.retries = retries
        self.queue: deque[SerialFuture] = deque()

    def add(self, future: SerialFuture) -> None:
        self.queue.append(future)

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        while self.queue:
            future = self.queue.popleft()
            if not future.cancelled:
                yield future, self._run(future)

    def _run(self, future: SerialFuture) -> Any:
        for attempt in range(self.retries + 1):
            try:
                return future.fn(*future.args)
            except Exception as exc:
                if is_deterministic(exc) or attempt == self.retries:
                    return exc
        raise AssertionError("unreachable")
