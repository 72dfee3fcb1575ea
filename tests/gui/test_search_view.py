"""The Find page: any ticket, open or closed, from the database's index, a page at a time."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.gui.app import DeskApp
from deskapp.gui.search_view import SearchView
from deskapp.rules import run_rules
from tests.gui.conftest import check_model
from tests.gui.seed import desk_for, log


def _closed(app: DeskApp, clock: FixedClock, summary: str) -> str:
    number = log(app.db, clock, summary=summary)
    services.assign(app.db, clock, "tom", number, engineer="tom")
    services.resolve(app.db, clock, "tom", number, reason="fixed")
    run_rules(app.db, FixedClock(clock.now() + dt.timedelta(days=30)))
    return number


def _start(qtbot: QtBot, app: DeskApp) -> None:
    session = desk_for(app.db, app.clock, "tom").session  # type: ignore[arg-type]
    window = app.start(session, start_timers=False)
    qtbot.addWidget(window)
    window.show()


def test_last_months_closed_ticket_is_found_and_opens(qtbot: QtBot, app: DeskApp, clock: FixedClock) -> None:
    old = _closed(app, clock, "Outlook profile corrupt")
    clock.advance(dt.timedelta(days=31))
    _start(qtbot, app)
    assert app.model is not None and app.model.rowCount() == 0  # the queue: open tickets only
    assert app.window is not None and app.queue_view is not None
    qtbot.keyClicks(app.queue_view.search_edit, "outlook")  # type: ignore[no-untyped-call]
    view = app.search_view
    assert isinstance(view, SearchView)
    with qtbot.waitSignal(view.results_shown, timeout=10_000):
        qtbot.keyClick(app.queue_view.search_edit, Qt.Key.Key_Return)  # type: ignore[no-untyped-call]
    assert app.window.work_tabs.currentWidget() is view  # nothing open matched: the whole history
    assert [view.model.row(r).number for r in range(view.model.rowCount())] == [old]
    assert view.model.row(0).status == "closed"
    assert "closed ones included" in view.status_label.text()
    view.table.activated.emit(view.model.index(0, 0))
    assert app.ticket_view is not None and app.ticket_view.number == old


def test_results_come_a_page_at_a_time(qtbot: QtBot, qtmodeltester: ModelTester, app: DeskApp,
                                       clock: FixedClock) -> None:  # fmt: skip
    numbers = [log(app.db, clock, summary=f"Printer {i} jammed") for i in range(7)]
    _start(qtbot, app)
    view = SearchView(app.desk, page_size=3)  # type: ignore[arg-type]
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.results_shown, timeout=10_000):
        view.search("printer jammed")
    assert view.model.rowCount() == 3 and view.model.canFetchMore()
    assert "scroll for more" in view.status_label.text()
    with qtbot.waitSignal(view.results_shown, timeout=10_000):
        view.model.fetchMore()
    assert view.model.rowCount() == 6
    with qtbot.waitSignal(view.results_shown, timeout=10_000):
        view.model.fetchMore()
    assert sorted(view.model.row(r).number for r in range(7)) == numbers
    assert not view.model.canFetchMore()
    check_model(qtmodeltester, view.model)
    with qtbot.waitSignal(view.results_shown, timeout=10_000):
        view.search("nothing-like-it")
    assert view.model.rowCount() == 0 and "No ticket" in view.status_label.text()
    view.stop()
