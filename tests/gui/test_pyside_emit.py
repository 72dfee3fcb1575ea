"""The installed PySide6 keeps `True`'s reference count whole across signal emits.

PySide6 6.12.0 dropped one reference to `True` per `emit()` and aborted the
process after a few thousand ("bool_dealloc"); pyproject excludes that release.
This test fails loudly if an environment ever installs a release that leaks.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Sender(QObject):
    ping = Signal(int)
    bare = Signal()


def test_emit_does_not_leak_a_reference_to_true() -> None:
    sender = _Sender()
    received: list[int] = []
    sender.ping.connect(received.append)
    sender.bare.connect(lambda: None)
    before = sys.getrefcount(True)
    for i in range(300):  # far fewer than it takes to abort, enough to see a leak
        sender.ping.emit(i)
        sender.bare.emit()
    assert len(received) == 300
    assert abs(sys.getrefcount(True) - before) <= 2
