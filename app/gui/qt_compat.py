"""Work-arounds for bugs of the installed Qt binding, applied once when ``app.gui`` is imported.

PySide6 6.12.0 hands results to Python without taking a reference to them:

* every call of a C++ method returning ``void`` (or a null pointer) drops one reference to ``None``
  (``setText``, ``repaint``, ``processEvents``, ``parent()``...);
* every ``Signal.emit()`` drops one reference to its ``True``/``False`` result.

On Python < 3.12 (where these objects are not immortal) a session ends, after some thousands of calls,
in ``Fatal Python error: none_dealloc`` (or ``bool_dealloc``). Both bugs are detected by probes (not by
version number): ``None`` then gets a reserve of references no session can use up (2**40; ``None`` is
never freed anyway) and ``emit`` is wrapped to give the bool's reference back. ``PySide6-Essentials``
6.11 has neither bug.
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


NONE_RESERVE = 1 << 40


def void_calls_leak_none() -> bool:
    """True when calling a ``void`` C++ method drops a reference to ``None`` (the PySide6 6.12.0 bug)."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(_PROBE_EMITS):
        probe.setObjectName("probe")
    return before - sys.getrefcount(None) >= _PROBE_EMITS


def _reserve_none() -> None:
    """Give ``None`` references for every future leaked one (CPython: ob_refcnt is its first field)."""
    if sys.implementation.name == "cpython" and sys.getrefcount(None) < NONE_RESERVE:
        ctypes.c_ssize_t.from_address(id(None)).value += NONE_RESERVE


def apply() -> bool:
    """Install the work-arounds the probes ask for; returns whether any is active."""
    global _patched
    if _patched:
        return True
    if void_calls_leak_none():
        _reserve_none()
        _patched = True
    if not emit_leaks_bool():
        return _patched
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
