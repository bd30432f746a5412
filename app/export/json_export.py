"""JSON export: the result model itself (``Document.to_json``), readable back with ``Document.from_json``."""

from __future__ import annotations

import itertools
from pathlib import Path

from app.atomic import write_chunks_atomic
from app.document import Document


def export(document: Document, path: Path) -> None:
    """Write ``document`` as UTF-8 JSON with its schema version, streamed page by page.

    Raises:
        ExportError: the file cannot be written.
    """
    chunks = (chunk.encode("utf-8") for chunk in document.json_chunks())
    write_chunks_atomic(path, itertools.chain(chunks, [b"\n"]))
