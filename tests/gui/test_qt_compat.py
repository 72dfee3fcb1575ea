"""The PySide6 emit() reference leak on `True` is compensated (see deskapp/gui/qt_compat.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from deskapp.gui.qt_compat import LEAK_PER_EMIT, emit

GUI = Path(__file__).resolve().parents[2] / "deskapp" / "gui"
# The modules of the desktop client's own views, models and wiring.
OWN = [
    "app.py", "desk.py", "escalations_view.py", "intake_view.py", "main_window.py", "queue_view.py",
    "screenshots.py", "settings_dialog.py", "signin_dialog.py", "ticket_view.py", "timers.py",
    "models/queue_model.py", "models/history_model.py", "models/escalations_model.py",
]  # fmt: skip


class _Sender(QObject):
    ping = Signal(int)


def test_emit_keeps_the_count_on_true_whole() -> None:
    sender = _Sender()
    received: list[int] = []
    sender.ping.connect(received.append)
    before = sys.getrefcount(True)
    for i in range(500):
        emit(sender.ping, i)
    assert len(received) == 500
    assert abs(sys.getrefcount(True) - before) <= 2
    assert LEAK_PER_EMIT in (0, 1)


def test_the_client_emits_through_the_workaround() -> None:
    plain = re.compile(r"\.emit\(")
    offenders = [name for name in OWN if plain.search((GUI / name).read_text(encoding="utf-8"))]
    assert offenders == []
