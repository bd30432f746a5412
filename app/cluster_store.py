"""The resume state of a cluster run, kept in ``OUT/.glyphic``.

Layout (every file written to a temporary name, then renamed):

- ``pages/<doc-key>/count.json``: the document's page count (written before any page);
- ``pages/<doc-key>/<index>.json``: one recognised :class:`app.document.Page`;
- ``done/<doc-key>.json``: the document was exported, with the formats written.

A document key names the file, the options and the model, so a changed input
file or a different model or option never reuses stale pages.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from app.atomic import write_text_atomic
from app.document import SCHEMA_VERSION, Document
from app.export import FORMATS
from app.sources import InputFile

STATE_FOLDER = ".glyphic"


class PageStore:
    """Per-page results and finished-document markers under ``out_dir/.glyphic``."""

    def __init__(self, out_dir: Path, fingerprint: str) -> None:
        self.out_dir = out_dir
        self.fingerprint = fingerprint
        self.root = out_dir / STATE_FOLDER
        (self.root / "pages").mkdir(parents=True, exist_ok=True)
        (self.root / "done").mkdir(parents=True, exist_ok=True)

    def key(self, item: InputFile) -> str:
        """A folder-safe, unique name for ``item`` under this run's options and model."""
        digest = hashlib.sha1(f"{self.fingerprint}\0{item.source}\0{item.version}".encode()).hexdigest()[:16]
        return f"{re.sub(r'[^A-Za-z0-9._-]', '_', item.stem)[:60]}-{digest}"

    def outputs(self, stem: str, formats: list[str]) -> list[Path]:
        """The exported files of a document, as the local run names them."""
        return [self.out_dir / f"{stem}{FORMATS[name].suffix}" for name in formats]

    def is_done(self, key: str, stem: str, formats: list[str]) -> bool:
        """True when the document was exported in all ``formats`` and the files are still there."""
        try:
            written = set(json.loads((self.root / "done" / f"{key}.json").read_text())["formats"])
        except (OSError, ValueError, KeyError, TypeError):
            return False
        return written.issuperset(formats) and all(p.is_file() for p in self.outputs(stem, formats))

    def mark_done(self, key: str, source: str, formats: list[str]) -> None:
        write_text_atomic(self.root / "done" / f"{key}.json", json.dumps({"source": source, "formats": formats}))

    def page_count(self, key: str) -> int | None:
        """The stored page count, or ``None`` before the first page was read."""
        try:
            return int(json.loads((self.root / "pages" / key / "count.json").read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def save_page_count(self, key: str, count: int) -> None:
        folder = self.root / "pages" / key
        folder.mkdir(exist_ok=True)
        write_text_atomic(folder / "count.json", str(count))

    def pages_present(self, key: str) -> set[int]:
        """Indices of the pages already stored (temporary files are hidden and ignored)."""
        folder = self.root / "pages" / key
        try:
            names = [p.stem for p in folder.iterdir() if p.suffix == ".json"]
        except OSError:
            return set()
        return {int(n) for n in names if n.isdigit()}

    def save_page(self, key: str, index: int, page_json: str) -> None:
        write_text_atomic(self.root / "pages" / key / f"{index}.json", page_json)

    def document(self, key: str, source: str, model: str, count: int) -> Document:
        """Assemble the stored pages ``0..count-1`` into one document."""
        folder = self.root / "pages" / key
        pages = [json.loads((folder / f"{i}.json").read_text(encoding="utf-8")) for i in range(count)]
        return Document.from_dict({"source": source, "model": model, "pages": pages,
                                   "schema_version": SCHEMA_VERSION})
