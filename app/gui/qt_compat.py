"""Work-arounds for bugs of the installed Qt binding, applied once when ``app.gui`` is imported.

PySide6 6.12.0 returns the result of ``SignalInstance.emit`` (``True``/``False``) without taking a
reference to it: every ``emit()`` from Python drops one reference to ``True``. On Python < 3.12 (where
``True`` is not immortal) a long editing session ends in ``Fatal Python error: bool_dealloc``. The bug
is detected by a probe (not by version number) and ``emit`` is wrapped to give the reference back.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

_PROBE_EMITS = 16
_patched = False


def emit_leaks_bool() -> bool:
    """True when ``Signal.emit`` loses a reference to its bool result (the PySide6 6.12.0 bug)."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before = sys.getrefcount(True) + sys.getrefcount(False)
    for _ in range(_PROBE_EMITS):
        probe.ping.emit()
    after = sys.getrefcount(True) + sys.getrefcount(False)
    if before - after >= _PROBE_EMITS:  # give back what the probe itself took
        for _ in range(before - after):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
        return True
    return False


def apply() -> bool:
    """Install the work-around when the bug shows; returns whether it is active."""
    global _patched
    if _patched:
        return True
    if not emit_leaks_bool():
        return False
    from PySide6.QtCore import SignalInstance

    original = SignalInstance.emit
    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]

    def emit(self: Any, *args: Any) -> Any:
        result = original(self, *args)
        if result is True or result is False:
            incref(result)
        return result

    SignalInstance.emit = emit  # type: ignore[method-assign]
    _patched = True
    return True
