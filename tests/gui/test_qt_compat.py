"""The PySide6 6.12.0 work-around: emitting signals never loses references to True/False."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

import app.gui  # noqa: F401  (applies the work-around)
from app.gui import qt_compat


class _Emitter(QObject):
    changed = Signal(object)
    plain = Signal()


def test_emit_keeps_bool_references() -> None:
    emitter = _Emitter()
    emitter.changed.connect(lambda _v: None)
    before = sys.getrefcount(True) + sys.getrefcount(False)
    for _ in range(5000):
        emitter.changed.emit(None)
        emitter.plain.emit()
    after = sys.getrefcount(True) + sys.getrefcount(False)
    assert abs(after - before) < 50
    assert not qt_compat.emit_leaks_bool()  # the probe sees a fixed emit now


def test_void_calls_cannot_exhaust_none() -> None:
    emitter = _Emitter()
    for _ in range(20_000):
        emitter.setObjectName("x")  # each call drops a reference to None on PySide6 6.12.0
    assert sys.getrefcount(None) > 1_000_000 or not qt_compat.void_calls_leak_none()
