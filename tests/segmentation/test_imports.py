"""segmentation is a library: numpy and OpenCV only, no Qt and no torch."""

from __future__ import annotations

import re
from pathlib import Path

import segmentation

FORBIDDEN = re.compile(r"^\s*(from|import)\s+(torch|torchvision|PySide6|PyQt\w*|app|recognizer)\b", re.M)


def test_segmentation_imports_no_gui_or_torch() -> None:
    for path in Path(segmentation.__file__).parent.glob("*.py"):
        assert not FORBIDDEN.search(path.read_text()), f"{path.name} imports a forbidden package"


def test_public_api() -> None:
    for name in ("BBox", "GlyphBox", "WordBox", "LineBox", "PageLayout", "SegmentOptions", "segment", "normalize"):
        assert hasattr(segmentation, name)
