"""Atomic file writes shared by every exporter.

The data goes to a hidden temporary file in the target's folder, is flushed to
disk and then moved over the target with :func:`os.replace`, so a reader never
sees a half-written file: after a failure the old file (if any) is untouched and
no temporary file is left behind.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path


class ExportError(Exception):
    """A result could not be written; ``str()`` names the file and the reason."""

    def __init__(self, path: str | os.PathLike[str], message: str) -> None:
        super().__init__(str(path), message)
        self.path = str(path)
        self.message = message

    def __str__(self) -> str:
        return f"cannot write {self.path}: {self.message}"


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes | bytearray | memoryview) -> None:
    """Write ``data`` to ``path`` atomically.

    Args:
        path: the target file; its folder must exist.
        data: the complete new contents.

    Raises:
        ExportError: the folder is missing or read-only, the disk is full, the
            target is a folder, or any other OS error; the target is unchanged.
    """
    write_chunks_atomic(path, [data])


def write_chunks_atomic(path: str | os.PathLike[str], chunks: Iterable[bytes | bytearray | memoryview]) -> None:
    """Write the concatenated ``chunks`` to ``path`` atomically, one chunk at a time.

    Raises:
        ExportError: as :func:`write_bytes_atomic`.
    """
    target = Path(path)
    temp, fd = _create_temp(target)
    try:
        try:
            for chunk in chunks:
                view = memoryview(chunk)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        if target.is_file():
            with contextlib.suppress(OSError):  # keep the old file's permissions
                os.chmod(temp, stat.S_IMODE(target.stat().st_mode))
        os.replace(temp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise ExportError(target, _reason(exc)) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def write_text_atomic(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically (no newline translation).

    Args:
        path: the target file; its folder must exist.
        text: the complete new contents.
        encoding: the text encoding.

    Raises:
        ExportError: as :func:`write_bytes_atomic`.
    """
    write_bytes_atomic(path, text.encode(encoding))


def _create_temp(target: Path) -> tuple[Path, int]:
    """Create a new hidden temp file beside ``target``; mode 0o666 minus the umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        # the writer's pid lets the next run tell a killed run's leftovers from a live write (app.journal)
        temp = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        try:
            return temp, os.open(temp, flags, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise ExportError(target, _reason(exc)) from exc
    raise ExportError(target, "could not create a temporary file")


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__
