"""Defects seen in a day at the desk (issue 13): each one pinned by a test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import peewee
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.gui.app import DeskApp
from tests.gui.seed import desk_for, log, seed
from tests.london import local

MON_9 = local(2026, 3, 9, 9, 0)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MON_9)


@pytest.fixture
def app(qtbot: QtBot, desk_db: peewee.Database, clock: FixedClock) -> Iterator[DeskApp]:
    seed(desk_db, clock)
    desk_app = DeskApp(desk_db, clock, QSettings())
    yield desk_app
    desk_app.stop()
    if desk_app.window is not None:
        desk_app.window.close()


def _start(qtbot: QtBot, app: DeskApp, login: str) -> None:
    session = desk_for(app.db, app.clock, login).session  # type: ignore[arg-type]
    window = app.start(session, start_timers=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def test_refresh_action_and_f5_refresh_the_queue(qtbot: QtBot, app: DeskApp, clock: FixedClock) -> None:
    _start(qtbot, app, "tom")
    assert app.model is not None and app.window is not None
    number = log(app.db, clock)
    clock.advance(dt.timedelta(seconds=5))
    app.window.refresh_action.trigger()  # `checked` must not reach refresh_queue
    assert [app.model.row(r).number for r in range(app.model.rowCount())] == [number]
    services.assign(app.db, clock, "lee", number, engineer="tom")
    calls: list[object] = []
    app.window.refresh_action.triggered.connect(lambda *args: calls.append(args))
    qtbot.keyClick(app.window.queue_view.table, Qt.Key.Key_F5)  # type: ignore[no-untyped-call]
    QApplication.processEvents()
    assert calls, "F5 did not reach Desk > Refresh"
    assert app.model.row(0).status == "assigned"


def test_ctrl_f_focuses_the_search_and_enter_reaches_the_results(
    qtbot: QtBot, app: DeskApp, clock: FixedClock
) -> None:
    log(app.db, clock, summary="Mailbox not syncing")
    wanted = log(app.db, clock, summary="Teams calls drop", reseller="Shamrock IT")
    _start(qtbot, app, "tom")
    assert app.window is not None and app.queue_view is not None
    qv = app.queue_view
    qv.table.setFocus()
    qtbot.keyClick(qv.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # type: ignore[no-untyped-call]
    assert QApplication.focusWidget() is qv.search_edit  # one Ctrl+F, not an ambiguous pair
    qtbot.keyClicks(qv.search_edit, "teams")  # type: ignore[no-untyped-call]
    qtbot.keyClick(qv.search_edit, Qt.Key.Key_Return)  # type: ignore[no-untyped-call]
    assert QApplication.focusWidget() is qv.table
    assert qv.selected_number() == wanted
    with qtbot.waitSignal(qv.ticket_activated) as opened:
        qtbot.keyClick(qv.table, Qt.Key.Key_Return)  # type: ignore[no-untyped-call]
    assert opened.args == [wanted]
