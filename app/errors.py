"""Failures of a batch run, told apart and told to the user in one line.

A *deterministic* failure comes back on every try (a damaged, empty or password-protected file, a page
over the pixel limit, an unsupported format, a full disk or a read-only folder): it is reported and never
retried. Anything else is *transient* (a worker process that died, a storage hiccup, running out of
memory while other pages were in flight) and worth a retry.
"""

from __future__ import annotations

import errno
import traceback
from dataclasses import dataclass
from pathlib import Path

from app.atomic import ExportError
from app.io import PageLoadError

#: OS errors that a retry cannot mend.
_PERMANENT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOENT,
                     errno.EISDIR, errno.ENOTDIR, errno.ENAMETOOLONG, errno.EFBIG}


@dataclass(frozen=True)
class Failure:
    """What went wrong, in one line, and whether trying again may help."""

    message: str
    deterministic: bool


def classify(exc: BaseException) -> Failure:
    """The user-facing one-line message of ``exc`` (without the file name) and its kind."""
    if isinstance(exc, PageLoadError):
        return Failure(exc.message, True)
    if isinstance(exc, ExportError):
        return Failure(str(exc), True)
    if isinstance(exc, ValueError) and "max_pixels" in str(exc):
        return Failure(f"page too large: {exc}", True)
    if isinstance(exc, MemoryError):
        return Failure("out of memory while reading this page", False)
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc) or type(exc).__name__
        where = f" ({exc.filename})" if exc.filename else ""
        return Failure(f"{reason}{where}", exc.errno in _PERMANENT_ERRNOS)
    if isinstance(exc, (NotImplementedError, UnicodeError)):
        return Failure(f"unsupported: {exc}", True)
    return Failure(f"{type(exc).__name__}: {exc}", False)


def is_deterministic(exc: BaseException) -> bool:
    """True when retrying ``exc`` cannot help."""
    return classify(exc).deterministic


def log_failure(log: Path, what: str, exc: BaseException | None, message: str) -> None:
    """Append ``what``'s failure, with its traceback when there is one, to the run's error log."""
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as file:
            file.write(f"--- {what}: {message}\n")
            if exc is not None:
                file.write("".join(traceback.format_exception(exc)))
    except OSError:
        pass  # the log is a help, never a reason to fail
