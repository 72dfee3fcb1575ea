"""Defects seen in a day at the desk (issue 13): each one pinned by a test."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.domain.lifecycle import Action
from deskapp.gui.actions import SPEC_BY_ACTION
from deskapp.gui.app import DeskApp
from deskapp.gui.models.queue_model import NUMBER
from deskapp.store.connection import open_database, use
from tests.gui.seed import desk_for, log, seed


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


def test_filters_are_kept_per_person_and_per_desk_and_a_filtered_queue_says_so(
    qtbot: QtBot, app: DeskApp, clock: FixedClock, tmp_path: Path
) -> None:
    log(app.db, clock, summary="Mailbox not syncing")
    log(app.db, clock, summary="Teams calls drop")
    _start(qtbot, app, "tom")
    assert app.queue_view is not None and app.window is not None
    qtbot.keyClicks(app.queue_view.search_edit, "teams")  # type: ignore[no-untyped-call]
    label = app.queue_view.shown_label
    assert label.text().startswith('FILTERED: 1 of 2 open tickets shown, 1 hidden by search "teams"')
    assert label.property("role") == "filtered"
    app.stop()
    app.window.close()

    as_lee = DeskApp(app.db, clock, QSettings())  # another person at the same workstation
    lee = desk_for(app.db, clock, "lee").session
    window = as_lee.start(lee, start_timers=False)
    qtbot.addWidget(window)
    assert as_lee.queue_view is not None
    assert as_lee.queue_view.search_edit.text() == ""
    assert as_lee.queue_view.shown_label.text() == "2 open tickets"
    as_lee.stop()

    other_db = open_database(f"sqlite:///{tmp_path / 'other.sqlite3'}")  # Tom on another desk
    try:
        seed(other_db, clock)
        elsewhere = DeskApp(other_db, clock, QSettings())
        window = elsewhere.start(desk_for(other_db, clock, "tom").session, start_timers=False)
        qtbot.addWidget(window)
        assert elsewhere.queue_view is not None and elsewhere.queue_view.search_edit.text() == ""
        elsewhere.stop()
    finally:
        other_db.close()
        use(app.db)  # the models back on the test's desk

    again = DeskApp(app.db, clock, QSettings())  # Tom again, on his desk: his search is kept
    window = again.start(desk_for(app.db, clock, "tom").session, start_timers=False)
    qtbot.addWidget(window)
    assert again.queue_view is not None and again.queue_view.search_edit.text() == "teams"
    again.stop()


def test_the_highlighted_row_is_the_ticket_opened_from_anywhere(
    qtbot: QtBot, app: DeskApp, clock: FixedClock
) -> None:
    first = log(app.db, clock, summary="Mailbox not syncing")
    second = log(app.db, clock, summary="Teams calls drop")
    _start(qtbot, app, "lee")
    assert app.queue_view is not None and app.ticket_view is not None
    app.queue_view.select_number(first)
    app.open_ticket(second)  # as Escalations, the Outbox or a new log do
    assert app.ticket_view.number == second
    assert app.queue_view.selected_number() == second
    services.assign(app.db, clock, "lee", second, engineer="tom")
    app.refresh_queue()
    app.queue_view.unassigned_check.setChecked(True)  # the open ticket is filtered out
    app.open_ticket(second)
    assert app.queue_view.selected_number() is None  # no other row pretends to be it


def test_tickets_changed_by_someone_else_since_you_looked_are_marked(
    qtbot: QtBot, app: DeskApp, clock: FixedClock
) -> None:
    looked = log(app.db, clock, summary="Mailbox not syncing")
    never = log(app.db, clock, summary="Teams calls drop")
    _start(qtbot, app, "tom")
    assert app.model is not None and app.queue_view is not None and app.ticket_view is not None
    app.open_ticket(looked)
    app.pool.waitForDone(10_000)
    clock.advance(dt.timedelta(minutes=2))
    app.ticket_view.open_action(SPEC_BY_ACTION[Action.NOTIFY])
    assert app.ticket_view.submit_action()  # Tom's own step: still seen
    app.pool.waitForDone(10_000)
    assert app.model.updated_count() == 0
    app.open_ticket(never)  # now the first one is not open here
    app.pool.waitForDone(10_000)
    services.assign(app.db, clock, "lee", looked, engineer="tom")  # someone else
    app.refresh_queue()
    at = app.model.row_of_number(looked)
    assert at is not None and app.model.is_updated(at)
    assert app.model.index(at, NUMBER).data() == f"● {looked}"
    assert app.model.index(at, NUMBER).data(Qt.ItemDataRole.FontRole).bold()
    assert "1 updated since you looked" in app.queue_view.shown_label.text()
    other = app.model.row_of_number(never)
    assert other is not None and not app.model.is_updated(other)

    again = DeskApp(app.db, clock, QSettings())  # the mark is kept in the database
    window = again.start(desk_for(app.db, clock, "tom").session, start_timers=False)
    qtbot.addWidget(window)
    again.pool.waitForDone(10_000)
    qtbot.waitUntil(lambda: again.model is not None and again.model.updated_count() == 1)
    again.open_ticket(looked)  # looked at again: no longer marked
    assert again.model is not None and again.model.updated_count() == 0
    again.stop()


def test_escape_asks_before_discarding_a_half_typed_incident_and_forms_answer_keys(
    qtbot: QtBot, app: DeskApp, clock: FixedClock
) -> None:
    number = log(app.db, clock)
    _start(qtbot, app, "tom")
    dialog = app.open_intake()
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)  # shortcuts reach the active window
    asked: list[bool] = []

    def say_no() -> bool:  # "No": keep typing
        asked.append(True)
        return False

    dialog.confirm_discard = say_no
    qtbot.keyClicks(dialog.contact_edit, "Jo Bloggs")  # type: ignore[no-untyped-call]
    qtbot.keyClick(dialog.contact_edit, Qt.Key.Key_Escape)  # type: ignore[no-untyped-call]
    assert asked == [True] and dialog.isVisible() and dialog.contact_edit.text() == "Jo Bloggs"
    qtbot.keyClick(dialog.contact_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # type: ignore[no-untyped-call]
    assert dialog.error_label.text()  # Ctrl+Enter tried to save: the service says what is missing
    dialog.confirm_discard = lambda: True
    dialog.reject()
    assert not dialog.isVisible()

    tv = app.ticket_view
    assert tv is not None and app.window is not None
    app.window.activateWindow()
    qtbot.waitUntil(app.window.isActiveWindow)
    app.open_ticket(number)
    tv.open_action(SPEC_BY_ACTION[Action.NOTE])
    qtbot.keyClicks(tv.note_edit, "called the reseller")  # type: ignore[no-untyped-call]
    tv.confirm_discard = lambda: False
    qtbot.keyClick(tv.note_edit, Qt.Key.Key_Escape)  # type: ignore[no-untyped-call]
    assert tv.current_action is not None  # kept: the person said no
    clock.advance(dt.timedelta(minutes=1))
    qtbot.keyClick(tv.note_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # type: ignore[no-untyped-call]
    assert tv.current_action is None  # Ctrl+Enter saved the note
    assert tv.detail is not None and tv.detail.history[-1].note == "called the reseller"
