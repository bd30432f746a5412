"""Plain-text export: lines in reading order, a blank line between blocks, a form feed between pages."""

from __future__ import annotations

from pathlib import Path

from app.atomic import write_bytes_atomic
from app.document import Document


def export(document: Document, path: Path, *, encoding: str = "utf-8") -> None:
    """Write ``document`` as plain text (``Document.text`` plus a final newline).

    Args:
        document: the result to write.
        path: the target file (written atomically).
        encoding: text encoding; characters it cannot hold become ``?``.

    Raises:
        ExportError: the file cannot be written.
    """
    text = document.text
    write_bytes_atomic(path, (text + "\n" if text else "").encode(encoding, errors="replace"))
