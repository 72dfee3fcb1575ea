"""AfterPaint: the work that waits for the first screenful runs once, after a paint."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from deskapp.gui.after_paint import AfterPaint


def test_runs_once_after_the_widget_paints(qtbot: QtBot) -> None:
    label = QLabel("queue")
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    calls: list[str] = []
    AfterPaint(label, lambda: calls.append("ran"), fallback_ms=60_000)
    assert calls == []  # not before a paint
    label.repaint()
    qtbot.waitUntil(lambda: calls == ["ran"])
    label.repaint()
    qtbot.wait(50)
    assert calls == ["ran"]


def test_a_hidden_widget_does_not_hold_the_work_back(qtbot: QtBot) -> None:
    label = QLabel("never shown")
    qtbot.addWidget(label)
    calls: list[str] = []
    AfterPaint(label, lambda: calls.append("ran"))
    qtbot.waitUntil(lambda: calls == ["ran"], timeout=1_000)


def test_a_widget_that_never_paints_falls_back_to_a_timer(qtbot: QtBot) -> None:
    label = QLabel("shown")
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    qtbot.wait(50)  # the show's own paints are over
    label.setUpdatesEnabled(False)  # paints nothing from here on
    calls: list[str] = []
    AfterPaint(label, lambda: calls.append("ran"), fallback_ms=100)
    qtbot.waitUntil(lambda: calls == ["ran"], timeout=2_000)
