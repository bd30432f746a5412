"""Batch inputs: local files, folders (searched recursively) and fsspec URLs.

:func:`expand_inputs` turns what a user typed into one :class:`InputFile` per
document, in a stable order. :func:`local_copy` gives a worker a local path to
read: the file itself, or a cached download of a URL (``s3://``, ``gs://``,
``https://``, ... whatever fsspec and the installed back-ends support).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from app.io import SUPPORTED_SUFFIXES

#: Downloaded URL copies kept per worker process (the newest ones; a multi-page PDF is read once per page).
CACHE_FILES = 8
_GLOB_CHARS = set("*?[")
_CACHE_LOCK = threading.Lock()


@dataclass(frozen=True)
class InputFile:
    """One input document.

    Attributes:
        source: a local path (as ``str(Path(...))``, as the local run names it in results) or a URL.
        stem: output file name without suffix, as the local run names it.
        version: size and modification stamp, so a changed file is not resumed from stale pages.
        location: where a worker reads it: the absolute path (a worker's folder may differ) or the URL.
    """

    source: str
    stem: str
    version: str
    location: str

    @property
    def is_url(self) -> bool:
        return is_url(self.source)


def is_url(text: str) -> bool:
    """True for an fsspec URL (``proto://...`` or a chained ``a::b://...``)."""
    return "://" in text or "::" in text


def expand_local(items: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Local paths with folders replaced by their image and PDF files (recursive, sorted, hidden skipped)."""
    for item in items:
        path = Path(item)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and _wanted(p.relative_to(path).parts))
        else:
            yield path


def expand_inputs(items: Iterable[str]) -> Iterator[InputFile]:
    """One :class:`InputFile` per document named by ``items`` (paths, folders, URLs, URL globs)."""
    for item in items:
        if not is_url(item):
            for path in expand_local([item]):
                yield InputFile(str(path), path.stem, _local_version(path), str(path.absolute()))
            continue
        yield from _expand_url(item)


def _wanted(parts: tuple[str, ...]) -> bool:
    return not any(p.startswith(".") for p in parts) and Path(parts[-1]).suffix.lower() in SUPPORTED_SUFFIXES


def _local_version(path: Path) -> str:
    try:
        info = path.stat()
    except OSError:
        return "missing"
    return f"{info.st_size}:{info.st_mtime_ns}"


def _expand_url(url: str) -> Iterator[InputFile]:
    import fsspec

    fs, path = fsspec.core.url_to_fs(url)
    if _GLOB_CHARS & set(path):
        found = sorted(fs.glob(path))
        matches = [p for p in found if not fs.isdir(p) and _wanted(PurePosixPath(p).parts[-1:])]
    elif fs.isdir(path):
        matches = sorted(p for p in fs.find(path) if _wanted(PurePosixPath(p).relative_to(path).parts))
    else:
        yield InputFile(url, PurePosixPath(path).stem, _url_version(fs, path), url)
        return
    for match in matches:
        url = fs.unstrip_protocol(match)
        yield InputFile(url, PurePosixPath(match).stem, _url_version(fs, match), url)


def _url_version(fs: Any, path: str) -> str:
    try:
        info = fs.info(path)
    except (OSError, ValueError):
        return "missing"
    stamp = next((info[k] for k in ("mtime", "LastModified", "updated", "ETag", "etag", "created") if k in info), "")
    return f"{info.get('size', '')}:{stamp}"


def local_copy(source: str, version: str = "") -> Path:
    """A local path holding ``source``: the path itself, or a cached download of a URL.

    Raises:
        OSError: the download failed (transient errors are worth a retry).
    """
    if not is_url(source):
        return Path(source)
    import fsspec

    folder = Path(tempfile.gettempdir()) / f"glyphic-cache-{os.getpid()}"
    digest = hashlib.sha1(f"{source}\0{version}".encode()).hexdigest()[:20]
    target = folder / f"{digest}{PurePosixPath(source).suffix.lower()}"
    if target.is_file():
        with contextlib.suppress(OSError):
            os.utime(target)  # newest use: kept longest
        return target
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{threading.get_ident()}.part")
    with fsspec.open(source, "rb") as remote, partial.open("wb") as local:
        while chunk := remote.read(1 << 20):
            local.write(chunk)
    os.replace(partial, target)
    _prune(folder, keep=target)
    return target


def _prune(folder: Path, keep: Path) -> None:
    """Delete all but the :data:`CACHE_FILES` most recently used copies."""
    with _CACHE_LOCK:
        copies = sorted((p for p in folder.iterdir() if not p.name.startswith(".")),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        for old in copies[CACHE_FILES:]:
            if old != keep:
                with contextlib.suppress(OSError):
                    old.unlink()
