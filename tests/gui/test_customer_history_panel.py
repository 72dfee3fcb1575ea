"""The customer's history beside the open ticket: other tickets, open and closed, outcomes."""

from __future__ import annotations

import datetime as dt

import peewee
from PySide6.QtCore import QSettings
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.gui.app import DeskApp
from deskapp.gui.models.customer_history_model import OUTCOME
from deskapp.rules import run_rules
from tests.gui.conftest import check_model
from tests.gui.seed import desk_for, log, seed
from tests.london import local


def test_opening_a_ticket_shows_the_customers_other_tickets(
    qtbot: QtBot, qtmodeltester: ModelTester, desk_db: peewee.Database
) -> None:
    clock = FixedClock(local(2026, 3, 9, 9, 0))
    seed(desk_db, clock)
    old = log(desk_db, clock, summary="Outlook not syncing")
    services.assign(desk_db, clock, "tom", old, engineer="tom")
    services.resolve(desk_db, clock, "tom", old, reason="Reset the sync token")
    run_rules(desk_db, FixedClock(clock.now() + dt.timedelta(days=30)))
    clock.advance(dt.timedelta(days=31))
    log(desk_db, clock, summary="Unrelated", reseller="Shamrock IT")
    now = log(desk_db, clock, summary="Outlook again")
    app = DeskApp(desk_db, clock, QSettings())
    try:
        window = app.start(desk_for(desk_db, clock, "tom").session, start_timers=False)
        qtbot.addWidget(window)
        panel = app.history_panel
        assert panel is not None and window.queue_splitter.indexOf(panel) == 2  # beside the ticket
        with qtbot.waitSignal(panel.shown, timeout=10_000):
            app.open_ticket(now)
        assert panel.model.rowCount() == 1
        assert panel.model.index(0, 0).data() == old
        assert panel.model.index(0, OUTCOME).data() == "closed: Reset the sync token"
        assert "1 other tickets of Acme Cloud Ltd, 0 not closed" in panel.summary_label.text()
        check_model(qtmodeltester, panel.model)
        with qtbot.waitSignal(panel.shown, timeout=10_000):
            panel.table.activated.emit(panel.model.index(0, 0))  # opens the old one
        assert app.ticket_view is not None and app.ticket_view.number == old
    finally:
        app.stop()
