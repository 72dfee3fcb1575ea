"""The outbox page for every role, the reports page for leads and administrators."""

from __future__ import annotations

import peewee
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from deskapp.domain.clock import FixedClock
from deskapp.gui.app import DeskApp
from deskapp.gui.outbox_view import OutboxView
from deskapp.gui.reports_view import ReportsView
from tests.gui.seed import desk_for, seed
from tests.gui.test_survey_panel import closed_ticket
from tests.london import local

ROLES = [("tom", False), ("tess", False), ("lee", True), ("alice", True)]


@pytest.mark.parametrize(("login", "reports"), ROLES)
def test_pages_by_role(qtbot: QtBot, desk_db: peewee.Database, login: str, reports: bool) -> None:
    clock = FixedClock(local(2026, 3, 9, 9, 0))
    seed(desk_db, clock)
    app = DeskApp(desk_db, clock, QSettings())
    try:
        window = app.start(desk_for(desk_db, clock, login).session, start_timers=False)
        qtbot.addWidget(window)
        tabs = [window.work_tabs.widget(i) for i in range(window.work_tabs.count())]
        assert isinstance(app.outbox_view, OutboxView) and app.outbox_view in tabs
        assert (app.reports_view in tabs) is reports
        assert isinstance(app.reports_view, ReportsView) is reports
        if login == "tom":
            number = closed_ticket(desk_db, clock)  # its messages are in the outbox
            show_outbox = window.findChild(QAction, "showOutboxAction")
            assert show_outbox is not None
            show_outbox.trigger()
            assert window.work_tabs.currentWidget() is app.outbox_view
            assert app.outbox_view.proxy.rowCount() == 2  # resolution and survey, reloaded when shown
            app.outbox_view.table.activated.emit(app.outbox_view.proxy.index(0, 1))
            assert app.ticket_view is not None and app.ticket_view.number == number
    finally:
        app.stop()
        if app.window is not None:
            app.window.close()
