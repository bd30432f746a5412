"""The run journal in ``OUT/.glyphic``: what a batch run wrote and what failed, so nothing is lost or left half-done.

- ``run.json``: ``{"status": "running" | "complete" | "partial", "written": [...], "failed": [[what, why], ...]}``;
  a run that was killed leaves ``running`` behind, and the next run says so and completes the set
  (finished documents are skipped, stored pages reused: :mod:`app.cluster_store`).
- ``errors.log``: one entry per failure, with the traceback when there is one.

:func:`check_output_folder` refuses an unusable output folder before any page is read, and
:func:`remove_stale_temp_files` deletes the temporary files of writes that a killed run left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.atomic import write_text_atomic
from app.output_names import STATE_FOLDER

#: A temporary file of :mod:`app.atomic` (``.name.<pid>-<hex>.tmp``; older versions wrote ``.name.<hex>.tmp``).
_TEMP_NAME = re.compile(r"^\..+\.(?:(\d+)-)?[0-9a-f]{8}\.tmp$")
#: A temporary file untouched this long belongs to no live write, whatever process made it.
STALE_AFTER_SECONDS = 600.0


class OutputFolderError(Exception):
    """The output folder cannot be used (a file, not writable, ...); ``str()`` says why."""


def check_output_folder(out_dir: Path) -> None:
    """Create ``out_dir`` if needed and prove a file can be written there.

    Raises:
        OutputFolderError: it is a file, cannot be created, or is not writable.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputFolderError(f"output folder {out_dir} is a file")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".glyphic-probe-", suffix=".tmp"):
            pass
    except OSError as exc:
        raise OutputFolderError(f"cannot write to output folder {out_dir}: {exc.strerror or exc}") from exc


def remove_stale_temp_files(out_dir: Path) -> int:
    """Delete temporary files of atomic writes that no running process owns; returns how many."""
    removed = 0
    now = time.time()
    for folder, _, names in os.walk(out_dir):
        for name in names:
            match = _TEMP_NAME.match(name)
            if match is None:
                continue
            path = Path(folder) / name
            with contextlib.suppress(OSError):
                pid = int(match.group(1)) if match.group(1) else None
                if (pid is not None and not _alive(pid)) or now - path.stat().st_mtime > STALE_AFTER_SECONDS:
                    path.unlink()
                    removed += 1
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


@dataclass
class RunJournal:
    """The journal of one run into ``out_dir``."""

    out_dir: Path
    written: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def state(self) -> Path:
        return self.out_dir / STATE_FOLDER

    @property
    def error_log(self) -> Path:
        return self.state / "errors.log"

    def previous_status(self) -> str | None:
        """``running`` (killed), ``partial``, ``complete`` or ``None`` when no run wrote here before."""
        try:
            return str(json.loads((self.state / "run.json").read_text(encoding="utf-8"))["status"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def begin(self, redo: bool = False) -> None:
        """Mark the run as started; ``redo`` forgets every stored page and finished document first."""
        if redo:
            for name in ("pages", "done"):
                shutil.rmtree(self.state / name, ignore_errors=True)
        self.state.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            self.error_log.unlink()
        self._write("running")

    def finish(self) -> None:
        """Record what was written and what failed."""
        self._write("partial" if self.failed else "complete")

    def _write(self, status: str) -> None:
        record = {"status": status, "written": sorted(self.written), "failed": [list(f) for f in self.failed]}
        write_text_atomic(self.state / "run.json", json.dumps(record, ensure_ascii=False, indent=1) + "\n")
