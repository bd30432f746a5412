"""JSON export: the result model itself (``Document.to_json``), readable back with ``Document.from_json``."""

from __future__ import annotations

from pathlib import Path

from app.atomic import write_text_atomic
from app.document import Document


def export(document: Document, path: Path) -> None:
    """Write ``document`` as UTF-8 JSON with its schema version.

    Raises:
        ExportError: the file cannot be written.
    """
    write_text_atomic(path, document.to_json() + "\n")
