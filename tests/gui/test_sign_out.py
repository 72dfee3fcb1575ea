"""Sign out: the session ends, the window closes, and the launcher asks who signs in next."""

from __future__ import annotations

import peewee
import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from deskapp.domain.clock import FixedClock
from deskapp.gui.app import DeskApp
from deskapp.gui.launch import work_sessions
from deskapp.gui.session import Session
from tests.gui.seed import desk_for, seed
from tests.london import local


def test_sign_out_then_someone_else_signs_in(
    qtbot: QtBot, desk_db: peewee.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FixedClock(local(2026, 3, 9, 9, 0))
    seed(desk_db, clock)
    answers = [desk_for(desk_db, clock, "lee").session, None]  # the second sign-in is cancelled
    asked: list[Session | None] = []

    def sign_in(self: DeskApp) -> Session | None:
        asked.append(answers[len(asked)])
        return asked[-1]

    monkeypatch.setattr(DeskApp, "sign_in", sign_in)
    made: list[DeskApp] = []
    seen: list[str] = []

    def make() -> DeskApp:
        desk_app = DeskApp(desk_db, clock, QSettings())
        made.append(desk_app)

        def loaded(_rows: int) -> None:
            assert desk_app.window is not None and desk_app.desk is not None
            seen.append(desk_app.desk.session.login)
            desk_app.window.sign_out_action.trigger()  # as the person would, from the Desk menu

        desk_app.queue_loaded.connect(loaded)
        return desk_app

    safety = QTimer()
    safety.setSingleShot(True)
    safety.timeout.connect(lambda: QApplication.exit(99))  # never hang the suite
    safety.start(20_000)
    tom = desk_for(desk_db, clock, "tom").session  # signed in already (a training --as)
    assert work_sessions(QApplication.instance(), make, tom) == 0
    safety.stop()
    assert seen == ["tom", "lee"]
    assert [s.login if s else None for s in asked] == ["lee", None]
    assert len(made) == 3 and made[0].signed_out and made[1].signed_out and not made[2].signed_out
    assert made[0].change_listener is None  # its timers and listener were stopped
