"""A workaround for a PySide6 reference-count bug in `SignalInstance.emit`.

With PySide6 6.12.0 every `signal.emit(...)` made from Python returns `True`
without taking a reference to it, so the caller's release drops the
interpreter's count on `True` by one per emission. A desk client emits
dozens of signals a second (countdown ticks, dataChanged); after a few
thousand the count reaches zero and CPython aborts with
"bool_dealloc: deallocating True or False".

`emit(signal, *args)` emits and gives back exactly the reference that was
lost, and only when the probe below measured the leak on the PySide6 in use,
so a fixed PySide6 turns the compensation off by itself. Every emission in
`deskapp.gui` goes through it (tests/gui/test_qt_compat.py holds that).
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()


def _measure_leak(rounds: int = 200) -> int:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(rounds):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    leak = round(lost / rounds)
    for _ in range(max(0, lost)):  # give back what the probe itself cost
        _incref(True)
    return leak


LEAK_PER_EMIT = _measure_leak()


def emit(signal: Any, *args: Any) -> None:
    """`signal.emit(*args)`, keeping `True`'s reference count whole."""
    signal.emit(*args)
    for _ in range(LEAK_PER_EMIT):
        _incref(True)
