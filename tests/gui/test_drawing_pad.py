"""The drawing pad: EMNIST-style crop of a drawing and live top-5 predictions."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt

from app.gui.drawing_pad import drawing_crop


def test_drawing_crop_is_centred_white_on_black() -> None:
    grey = np.full((224, 224), 255, np.uint8)
    grey[20:120, 150:170] = 0  # an off-centre vertical bar
    crop = drawing_crop(grey)[0]
    assert crop.shape == (28, 28) and crop.dtype == np.uint8
    assert crop[0].max() < 64 and crop[:, 0].max() < 64  # dark border (2 px pad)
    ys, xs = np.nonzero(crop > 64)
    assert abs(xs.mean() - 13.5) < 2 and abs(ys.mean() - 13.5) < 2  # centred
    assert crop.max() == 255


def test_pad_predicts_drawn_digit(window: Any, qtbot: Any) -> None:
    pad = window.pad
    canvas = pad.canvas
    # a "7": a bar across the top, then a stroke down to the left, drawn with the mouse
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(60, 40))
    points = [QPointF(60 + 10 * i, 40) for i in range(11)] + [QPointF(160 - 6 * i, 40 + 15 * i) for i in range(1, 11)]
    for start, end in itertools.pairwise(points):
        canvas.draw_line(start, end)
    with qtbot.waitSignal(pad.predicted, timeout=30_000) as result:
        qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 190))
    readings = result.args[0]
    assert len(readings) == 5
    probabilities = [p for _, p in readings]
    assert probabilities == sorted(probabilities, reverse=True) and 0 < sum(probabilities) <= 1.0001
    assert readings[0][0] == "7", readings
    assert pad.labels[0].text() == readings[0][0]
    pad.clear()
    assert canvas.is_blank() and pad.labels[0].text() == "–"
