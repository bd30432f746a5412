"""The editor with the line engine: every character of a read line has its box on the page, and ink that
is not text is shown as such."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PySide6.QtWidgets import QGraphicsRectItem

from tests.gui.conftest import draw_page


def test_line_engine_boxes_and_non_text_regions_are_shown(window: Any, qtbot: Any, tmp_path: Path) -> None:
    page = draw_page(width=1300)
    page = np.vstack([page, np.full((260, page.shape[1]), 255, np.uint8)])
    cv2.rectangle(page, (900, page.shape[0] - 230), (1200, page.shape[0] - 30), 0, -1)  # a solid logo
    path = tmp_path / "logo.png"
    cv2.imwrite(str(path), page)
    with qtbot.waitSignal(window.recognition_finished, timeout=60_000):
        window.open_paths([path])
    document_page = window.session.page
    assert window.service.pipeline().options.engine == "line"
    assert [line.text for line in document_page.lines] == ["The quick brown fox", "jumps over the lazy",
                                                           "dog 1234 times"]
    assert [r.kind for r in document_page.regions] == ["graphic"]
    items = [i for i in window.view.scene().items() if isinstance(i, QGraphicsRectItem)]
    tips = [i.toolTip() for i in items]
    glyph_tips = [t for t in tips if t.startswith("'")]
    assert len(glyph_tips) == window.session.glyph_count() == sum(len(w.glyphs) for ln in document_page.lines
                                                                   for w in ln.words)
    assert sum(t.startswith("Not text") for t in tips) == 1
    for line in document_page.lines:  # every character's box lies in its line
        x0, y0, x1, y1 = line.bbox
        for glyph in (g for w in line.words for g in w.glyphs):
            gx0, gy0, gx1, gy1 = glyph.bbox
            assert x0 - 2 <= gx0 < gx1 <= x1 + 2 and y0 - 2 <= gy0 < gy1 <= y1 + 2
