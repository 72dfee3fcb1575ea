"""At launch, a full PostgreSQL server is said in a window of its own (and on stderr)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from deskapp.gui.launch import FullServerNotice


def test_the_wait_for_a_full_server_is_shown_then_closed(
    qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    notice = FullServerNotice()
    text = "PostgreSQL db.example/desk is full (sorry, too many clients already); waiting"
    notice.show(text)
    label = notice.label
    assert isinstance(label, QLabel) and label.isVisible()
    assert label.text().startswith(text) and "opens as soon as a connection is free" in label.text()
    assert f"deskapp: {text}" in capsys.readouterr().err
    notice.show(text.replace("waiting", "still waiting"))
    assert notice.label is label and "still waiting" in label.text()  # one window, updated
    notice.close()
    assert notice.label is None
    QApplication.processEvents()
    assert not any(
        w.objectName() == "serverFullNotice" and w.isVisible() for w in QApplication.topLevelWidgets()
    )
