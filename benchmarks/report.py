"""Writing a benchmark's results: a Markdown table for people and the same numbers as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def save_report(folder: Path, name: str, markdown: str, data: Any) -> None:
    """Write ``folder/name.md`` (``markdown``) and ``folder/name.json`` (``data``), creating ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.md").write_text(markdown.rstrip("\n") + "\n", encoding="utf-8")
    (folder / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
