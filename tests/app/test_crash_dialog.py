from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from deskapp import logs
from deskapp.gui import crash


def test_unexpected_error_shows_a_plain_message_and_the_log(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DESKAPP_LOG_DIR", str(tmp_path))
    for handler in list(logs.log.handlers):
        logs.log.removeHandler(handler)
    logs.setup_logging()
    seen: dict[str, str] = {}

    def read_and_close() -> None:
        box = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "crashDialog")
        assert isinstance(box, QMessageBox)
        seen["text"], seen["info"] = box.text(), box.informativeText()
        box.close()

    QTimer.singleShot(0, read_and_close)
    try:
        raise ValueError("the queue model lost a row")
    except ValueError as exc:
        crash.report_unexpected(type(exc), exc, exc.__traceback__)
    assert "did not expect" in seen["text"]
    assert "ValueError: the queue model lost a row" in seen["info"]
    assert str(tmp_path / "deskapp.log") in seen["info"]
    for handler in list(logs.log.handlers):
        handler.flush()
        handler.close()
        logs.log.removeHandler(handler)
    assert "the queue model lost a row" in (tmp_path / "deskapp.log").read_text(encoding="utf-8")
