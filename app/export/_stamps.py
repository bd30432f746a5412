"""The date an export records, the same on every run (byte-reproducible files)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from app.document import Document


def creation_date(document: Document) -> datetime:
    """``SOURCE_DATE_EPOCH`` when set, else the newest modification time of the document's local scans."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            pass  # not a number of seconds: as if unset
    stamps = []
    for source in {page.source or document.source for page in document.pages}:
        try:
            stamps.append(int(Path(source).stat().st_mtime))
        except (OSError, ValueError):
            continue
    return datetime.fromtimestamp(max(stamps, default=0), UTC)
