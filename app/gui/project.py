"""Project files (``.glyphic``): a zip holding the whole editing session (Qt-free).

Layout of the zip:

* ``document.json`` -- the result model (:meth:`app.document.Document.to_json`);
* ``pages/0000.png``, ``pages/0001.png``, ... -- a PNG copy of every page image;
* ``state.json`` -- view state: current page, selected glyph, zoom, thresholds...

Writes are atomic (a temporary file beside the target, then ``os.replace``),
so a crash while saving never leaves a damaged project behind.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.document import Document

PROJECT_SUFFIX = ".glyphic"
PROJECT_FORMAT = 1


class ProjectError(Exception):
    """A project file cannot be read or written; ``str()`` says which and why."""


@dataclass
class ProjectData:
    """Everything a project file holds: the document, PNG bytes per page and the view state."""

    document: Document
    images: list[bytes]
    state: dict[str, Any] = field(default_factory=dict)


def project_bytes(data: ProjectData) -> bytes:
    """The zip archive of a project, in memory."""
    if len(data.images) != len(data.document.pages):
        raise ProjectError(f"{len(data.document.pages)} pages but {len(data.images)} page images")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("document.json", data.document.to_json(), compress_type=zipfile.ZIP_DEFLATED)
        state = {"format": PROJECT_FORMAT, **data.state}
        archive.writestr("state.json", json.dumps(state, indent=1), compress_type=zipfile.ZIP_DEFLATED)
        for i, png in enumerate(data.images):
            archive.writestr(f"pages/{i:04d}.png", png, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def write_project(path: str | Path, payload: bytes) -> None:
    """Write already built project bytes to ``path`` atomically."""
    from app.atomic import ExportError, write_bytes_atomic

    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(target, payload)
    except (OSError, ExportError) as exc:
        raise ProjectError(f"cannot save project {target}: {exc}") from exc


def save_project(path: str | Path, data: ProjectData) -> None:
    """Save a project atomically. Raises :class:`ProjectError`."""
    write_project(path, project_bytes(data))


def load_project(path: str | Path) -> ProjectData:
    """Read a project file. Raises :class:`ProjectError` with a readable message."""
    source = Path(path)
    try:
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
            if "document.json" not in names:
                raise ProjectError(f"{source} is not a Glyphic project (no document.json)")
            document = Document.from_json(archive.read("document.json").decode("utf-8"))
            state = json.loads(archive.read("state.json")) if "state.json" in names else {}
            images = []
            for i in range(len(document.pages)):
                name = f"pages/{i:04d}.png"
                if name not in names:
                    raise ProjectError(f"{source} lacks the image of page {i + 1} ({name})")
                images.append(archive.read(name))
    except FileNotFoundError:
        raise ProjectError(f"project {source} not found") from None
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError, KeyError) as exc:
        raise ProjectError(f"cannot read project {source}: {exc}") from exc
    except (ValueError, TypeError) as exc:  # JSON errors and schema mismatches
        raise ProjectError(f"project {source} is damaged or from another version: {exc}") from exc
    if state.get("format", PROJECT_FORMAT) > PROJECT_FORMAT:
        raise ProjectError(f"project {source} was written by a newer Glyphic (format {state['format']})")
    return ProjectData(document=document, images=images, state=state)


def snapshot(document: Document) -> Document:
    """A consistent copy of a document to write on another thread, made cheaply.

    Edits never change a :class:`~app.document.Line` in place (they swap whole
    lines, blocks or pages), so copying the page, block and line lists is enough.
    """
    pages = [replace(page, blocks=[replace(block, lines=list(block.lines)) for block in page.blocks])
             for page in document.pages]
    return replace(document, pages=pages)
