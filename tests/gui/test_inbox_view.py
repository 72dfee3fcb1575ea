"""The Inbox tab: messages on no ticket yet, read off the GUI thread, with the response
clock of each waiting incident counted from its arrival; Enter logs one in one step
(never a P1), attach and discard (Delete, asked first) go through the services."""

from __future__ import annotations

import datetime as dt
import threading

import peewee
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from deskapp.domain.clock import FixedClock
from deskapp.gui import inbox_view as inbox_module
from deskapp.gui.app import DeskApp
from deskapp.gui.inbox_log_dialog import InboxLogDialog
from deskapp.gui.inbox_view import InboxView
from deskapp.gui.models.inbox_model import FIELDS, FROM, RECEIVED, RESPONSE, SUBJECT
from deskapp.services.inbound import import_message
from deskapp.services.inbox import InboxRow
from deskapp.store.models import Message, Ticket
from tests.gui.conftest import check_model
from tests.gui.seed import desk_for, log, seed
from tests.london import local
from tests.mail.letters import letter

ARRIVED = local(2026, 3, 9, 8, 30)  # Monday 08:30 London, when it reached the mailbox
FORM = """\
Reseller: Acme Cloud Ltd
Contact: Pat Jones
Phone: +44 20 7946 0000
Tenant: acme-1
Impact: all
Summary: Nobody can send mail
Description:
Since 08:00 every send fails.
"""


@pytest.fixture
def clock(db: peewee.Database) -> FixedClock:
    clock = FixedClock(local(2026, 3, 9, 9, 0))
    seed(db, clock)
    return clock


def _arrive(db: peewee.Database, clock: FixedClock, subject: str, body: str, at: dt.datetime) -> int:
    got = import_message(db, clock, letter(subject, body, sender="pat@acme.example"), received_at=at)
    assert got.message_id is not None and got.step == "inbox"
    return got.message_id


@pytest.fixture
def waiting(db: peewee.Database, clock: FixedClock) -> tuple[int, int]:
    """An incident in the desk's format, then a message naming no ticket."""
    incident = _arrive(db, clock, "New incident: mail down", FORM, ARRIVED)
    other = _arrive(db, clock, "Hello there", "Is this the right address?", ARRIVED + dt.timedelta(minutes=5))
    return incident, other


def _view(qtbot: QtBot, db: peewee.Database, clock: FixedClock, login: str = "tom") -> InboxView:
    view = InboxView(desk_for(db, clock, login))
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        view.reload()
    return view


def test_the_inbox_lists_waiting_messages_with_their_countdowns(
    qtbot: QtBot, qtmodeltester: object, db: peewee.Database, clock: FixedClock, waiting: tuple[int, int]
) -> None:
    threads: list[bool] = []
    view = InboxView(desk_for(db, clock, "tom"))
    qtbot.addWidget(view)
    reads = view.desk.inbox_rows

    def watched() -> list[InboxRow]:
        threads.append(threading.current_thread() is threading.main_thread())
        return reads()

    view.desk.inbox_rows = watched  # type: ignore[method-assign]
    with qtbot.waitSignal(view.loaded, timeout=10_000) as shown:
        view.reload()
    assert shown.args == [2] and threads == [False], "read off the GUI thread"
    check_model(qtmodeltester, view.model)  # type: ignore[arg-type]
    model = view.model

    def cell(row: int, col: int) -> str:
        return str(model.index(row, col).data())

    assert [cell(0, FROM), cell(0, SUBJECT), cell(0, RECEIVED)] == [
        "pat@acme.example", "New incident: mail down", "Mon 09 Mar 08:30",
    ]  # fmt: skip
    assert "Reseller: Acme Cloud Ltd" in cell(0, FIELDS) and "Impact: all" in cell(0, FIELDS)
    # Impact "all" by email is a P2 (P1 is by phone), due 4 business hours after it arrived.
    assert cell(0, RESPONSE) == "P2 3h 30m left"
    assert cell(1, RESPONSE).startswith("—"), "not an incident form: no clock"
    view.on_tick(local(2026, 3, 9, 12, 45))
    assert cell(0, RESPONSE) == "P2 BREACHED +0h 15m"
    assert "2 messages on no ticket yet" in view.summary_label.text()


def test_enter_opens_the_parsed_fields_and_logs_in_one_step(
    qtbot: QtBot, db: peewee.Database, clock: FixedClock, waiting: tuple[int, int]
) -> None:
    incident, _other = waiting
    view = _view(qtbot, db, clock)
    view.table.setFocus()
    view.table.selectRow(0)
    assert "Since 08:00 every send fails." in view.preview.toPlainText()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)  # type: ignore[no-untyped-call]
    dialog = view.findChild(InboxLogDialog)
    assert isinstance(dialog, InboxLogDialog) and dialog.isVisible()
    assert dialog.reseller_edit.text() == "Acme Cloud Ltd" and dialog.tenant_edit.text() == "acme-1"
    assert dialog.contact_edit.text() == "Pat Jones" and dialog.email_edit.text() == "pat@acme.example"
    assert dialog.summary_edit.text() == "Nobody can send mail"
    assert dialog.impact_combo.currentData() == "all"
    assert dialog.priority_label.text().startswith("P2") and "never P1" in dialog.priority_label.text()
    with qtbot.waitSignal(view.ticket_logged, timeout=5_000) as logged, qtbot.waitSignal(view.loaded):
        dialog.log_button.click()  # the one step
    number = logged.args[0]
    ticket = Ticket.get(Ticket.number == number)
    assert (ticket.priority, ticket.channel, ticket.summary) == ("P2", "email", "Nobody can send mail")
    assert ticket.response_due == ARRIVED + dt.timedelta(hours=4), "the clock runs from the arrival"
    assert Message.get_by_id(incident).inbox_state == "logged"
    assert view.model.rowCount() == 1 and number in view.status_label.text()


def test_a_log_the_service_refuses_keeps_the_form_open(
    qtbot: QtBot, db: peewee.Database, clock: FixedClock, waiting: tuple[int, int]
) -> None:
    view = _view(qtbot, db, clock)
    view.select_message(waiting[1])  # a plain message: no reseller given
    dialog = view.open_log_dialog()
    assert dialog is not None and dialog.reseller_edit.text() == ""
    assert dialog.summary_edit.text() == "Hello there"
    assert dialog.save() is False
    assert dialog.isVisible() and "reseller" in dialog.error_label.text().lower()
    assert Message.get_by_id(waiting[1]).inbox_state == "waiting"


def test_attach_and_discard_go_through_the_services(
    qtbot: QtBot, db: peewee.Database, clock: FixedClock, waiting: tuple[int, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    incident, other = waiting
    number = log(db, clock)
    view = _view(qtbot, db, clock)

    view.select_message(other)
    assert view.attach_selected("INC-999999") is None
    assert "INC-999999" in view.error_label.text(), "the service's refusal is shown"
    with qtbot.waitSignal(view.loaded):
        assert view.attach_selected(number) == number
    row = Message.get_by_id(other)
    assert (row.inbox_state, Ticket.get_by_id(row.ticket_id).number) == ("attached", number)

    view.select_message(incident)
    view.table.setFocus()
    monkeypatch.setattr(inbox_module, "ask_discard", lambda _parent, _row: None)
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)  # type: ignore[no-untyped-call]
    assert Message.get_by_id(incident).inbox_state == "waiting", "no: nothing is discarded"
    asked: list[str] = []

    def said_yes(_parent: object, row: InboxRow) -> str:
        asked.append(row.subject)
        return "spam"

    monkeypatch.setattr(inbox_module, "ask_discard", said_yes)
    with qtbot.waitSignal(view.loaded):
        qtbot.keyClick(view.table, Qt.Key.Key_Delete)  # type: ignore[no-untyped-call]
    assert asked == ["New incident: mail down"], "asked first"
    kept = Message.get_by_id(incident)
    assert kept.inbox_state == "discarded" and kept.inbox_by == "tom" and "spam" in str(kept.inbox_reason)
    assert view.model.rowCount() == 0 and "empty" in view.summary_label.text()


def test_the_inbox_tab_is_for_everyone_on_ctrl_6(
    qtbot: QtBot, db: peewee.Database, clock: FixedClock, waiting: tuple[int, int]
) -> None:
    app = DeskApp(db, clock, QSettings())
    try:
        window = app.start(desk_for(db, clock, "tom").session, start_timers=False)
        qtbot.addWidget(window)
        show = window.findChild(QAction, "showInboxAction")
        assert isinstance(show, QAction) and show.shortcut().toString() == "Ctrl+6"
        view = app.inbox_view
        assert isinstance(view, InboxView)
        with qtbot.waitSignal(view.loaded, timeout=10_000):
            show.trigger()  # shown: read
        assert window.work_tabs.currentWidget() is view and view.model.rowCount() == 2
        with qtbot.waitSignal(view.loaded, timeout=10_000):
            assert app.reload_inbox(), "the change feed and the watch timer read it while shown"
        view.select_message(waiting[0])
        dialog = view.open_log_dialog()
        assert dialog is not None
        with qtbot.waitSignal(view.loaded, timeout=10_000):
            dialog.log_button.click()
        assert app.ticket_view is not None and app.ticket_view.number is not None
        assert window.work_tabs.currentIndex() == 0, "the new ticket is opened in the queue"
        assert not app.reload_inbox(), "a hidden Inbox is not read"
        from deskapp.gui.shortcuts_dialog import entries

        keys = {(where, keys) for where, keys, _what in entries(window)}
        assert ("Inbox", "Delete") in keys and ("Inbox", "Enter") in keys
    finally:
        app.stop()
        window.close()
