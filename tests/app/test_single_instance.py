"""One copy of the app per person on a workstation; Qt's own warnings reach the log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtCore import qInstallMessageHandler, qWarning
from pytestqt.qtbot import QtBot

from deskapp.gui.single_instance import SingleInstance, qt_message


def test_a_second_copy_is_refused_and_raises_the_first(qtbot: QtBot, tmp_path: Path) -> None:
    first = SingleInstance.claim("deskapp-test", tmp_path)
    assert first is not None
    try:
        with qtbot.waitSignal(first.raise_requested, timeout=5000):
            assert SingleInstance.claim("deskapp-test", tmp_path) is None
    finally:
        first.release()
    again = SingleInstance.claim("deskapp-test", tmp_path)  # free once the first copy ends
    assert again is not None
    again.release()


def test_qt_warnings_go_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    previous = qInstallMessageHandler(qt_message)
    try:
        with caplog.at_level(logging.WARNING, logger="deskapp.qt"):
            qWarning("QAction::event: Ambiguous shortcut overload: Ctrl+F")
    finally:
        qInstallMessageHandler(previous)
    assert any("Ambiguous shortcut overload" in r.getMessage() for r in caplog.records)
