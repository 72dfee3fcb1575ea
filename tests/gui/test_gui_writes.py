"""Saves run on the desk's write thread, never the GUI thread: a step, a note, a reply and a
new incident. With another PostgreSQL session holding the ticket's row, the window goes on
(a timer fires while the save waits) and the save completes once the row is let go; a save
the database refuses (its statement timeout) leaves what was typed in the form, said in words.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import peewee
import pytest
from PySide6.QtCore import QSettings, QTimer
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.domain.lifecycle import Action
from deskapp.gui import workers
from deskapp.gui.app import DeskApp
from deskapp.services import assign
from deskapp.store.connection import open_database, raw_sql
from tests.gui.seed import desk_for, seed
from tests.london import local

MON_9 = local(2026, 3, 9, 9, 0)
NOTE_TEXT = "Rebooted the connector; the sync resumed at 09:12"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MON_9)


def _start(qtbot: QtBot, db: peewee.Database, clock: FixedClock, login: str = "tom") -> tuple[DeskApp, str]:
    seed(db, clock)
    number = str(services.log_ticket(
        db, clock, "tom", reseller="Acme Cloud Ltd", contact="Jo Bloggs", tenant="acme.example",
        impact="some", channel="email", summary="Mailbox not syncing", email="jo@acme.example",
    ).number)  # fmt: skip
    assign(db, clock, "lee", number, engineer="tom")
    desk_app = DeskApp(db, clock, QSettings())
    window = desk_app.start(desk_for(db, clock, login).session, start_timers=False)
    qtbot.addWidget(window)
    window.show()
    tv = desk_app.ticket_view
    assert tv is not None
    with qtbot.waitSignal(tv.shown, timeout=10_000):
        desk_app.open_ticket(number)
    return desk_app, number


@contextmanager
def _row_held(url: str, number: str) -> Iterator[Callable[[], None]]:
    """Another session holds the ticket's row (SELECT … FOR UPDATE) until the returned
    function is called (or the block ends)."""
    other = open_database(url)  # connected, on this thread
    raw_sql(other, "BEGIN")
    raw_sql(other, "SELECT id FROM ticket WHERE number = %s FOR UPDATE", (number,))
    held = [True]

    def release() -> None:
        if held[0]:
            held[0] = False
            raw_sql(other, "COMMIT")

    try:
        yield release
    finally:
        release()
        other.close()


def _ticking() -> tuple[QTimer, list[int]]:
    """A timer and its ticks: the event loop turning while a save waits."""
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    return timer, ticks


def _stop(desk_app: DeskApp) -> None:
    """The reads a save's result started (the queue, the ticket again, its customer's
    history) are done before the app stops and the schema is dropped."""
    from PySide6.QtCore import QCoreApplication

    for _ in range(3):
        desk_app.wait_for_reads()
        if desk_app.history_panel is not None:
            desk_app.history_panel.pool.waitForDone(10_000)
        QCoreApplication.processEvents()
    desk_app.stop()


def _notes(desk_app: DeskApp, number: str) -> list[str]:
    assert desk_app.desk is not None
    return [h.note for h in desk_app.desk.detail(number).history if h.kind == "note"]


def test_a_step_saved_while_another_session_holds_the_row_leaves_the_window_answering(
    qtbot: QtBot, pg_schema_url: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "SETTLE", False)  # the real, asynchronous path
    db = open_database(pg_schema_url)
    desk_app, number = _start(qtbot, db, clock)
    tv = desk_app.ticket_view
    assert tv is not None
    try:
        tv.actions_by_step[Action.NOTE].trigger()
        tv.note_edit.setPlainText(NOTE_TEXT)
        with _row_held(pg_schema_url, number) as release:
            on_gui: list[str] = []
            real: Any = db.execute_sql

            def execute_sql(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
                if threading.current_thread() is threading.main_thread():
                    on_gui.append(sql)
                return real(sql, params, *args, **kwargs)

            monkeypatch.setattr(db, "execute_sql", execute_sql)
            timer, ticks = _ticking()
            assert tv.submit_action() is True  # started, not done
            assert tv.submit_action_button.text() == "Saving…" and not tv.action_form_group.isEnabled()
            qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=5000)  # the window answers meanwhile
            timer.stop()
            assert tv.saving is not None and not tv.action_form_group.isHidden()  # still waiting
            monkeypatch.setattr(db, "execute_sql", real)
            assert on_gui == [], on_gui  # the save ran on the write thread
            assert _notes(desk_app, number) == []
            with qtbot.waitSignal(tv.changed, timeout=10_000):
                release()
        assert tv.saving is None and tv.action_form_group.isHidden()
        assert tv.note_edit.toPlainText() == ""
        assert _notes(desk_app, number) == [NOTE_TEXT]
    finally:
        _stop(desk_app)
        db.close()


def test_a_step_the_database_gives_up_on_keeps_what_was_typed(
    qtbot: QtBot, pg_schema_url: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The GUI's statement timeout ends a save stuck behind a held row: the form stays open
    with the note typed and says why, no traceback; pressed again once the row is free, it
    saves."""
    monkeypatch.setattr(workers, "SETTLE", False)
    db = open_database(pg_schema_url, statement_timeout_ms=700)
    desk_app, number = _start(qtbot, db, clock)
    tv = desk_app.ticket_view
    assert tv is not None
    try:
        tv.actions_by_step[Action.NOTE].trigger()
        tv.note_edit.setPlainText(NOTE_TEXT)
        with _row_held(pg_schema_url, number):
            tv.submit_action()
            qtbot.waitUntil(lambda: tv.saving is None, timeout=10_000)
        assert not tv.action_form_group.isHidden() and tv.action_form_group.isEnabled()
        assert tv.note_edit.toPlainText() == NOTE_TEXT
        said = tv.action_error_label.text()
        assert said.startswith("not saved: the database did not take it (") and "typed is kept" in said
        assert "Traceback" not in said and "statement timeout" in said
        assert tv.submit_action_button.text() == "Add note"
        with qtbot.waitSignal(tv.changed, timeout=10_000):
            tv.submit_action()
        assert _notes(desk_app, number) == [NOTE_TEXT]
    finally:
        _stop(desk_app)
        db.close()


@pytest.mark.parametrize("what", ["note", "reply"])
def test_a_note_or_reply_saved_behind_a_held_row_waits_and_a_refused_one_keeps_its_text(
    qtbot: QtBot, pg_schema_url: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    """The composer's Add note and Send reply: the button says Saving… while the row is held
    and the window answers; a save the statement timeout ends keeps the text, said in words;
    once the row is free it saves and the box empties."""
    monkeypatch.setattr(workers, "SETTLE", False)
    db = open_database(pg_schema_url, statement_timeout_ms=1500)
    desk_app, number = _start(qtbot, db, clock)
    tv = desk_app.ticket_view
    assert tv is not None
    panel = tv.conversation
    edit, button, send = (
        (panel.note_edit, panel.add_note_button, panel.add_note)
        if what == "note"
        else (panel.reply_edit, panel.send_reply_button, panel.send_reply)
    )
    before = button.text()
    try:
        edit.setPlainText(NOTE_TEXT)
        with _row_held(pg_schema_url, number):
            timer, ticks = _ticking()
            assert send() is True
            assert button.text() == "Saving…" and not button.isEnabled() and edit.isReadOnly()
            qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=5000)
            timer.stop()
            assert panel.saving == what
            qtbot.waitUntil(lambda: panel.saving is None, timeout=10_000)  # the statement timeout
        assert edit.toPlainText() == NOTE_TEXT and not edit.isReadOnly()
        assert button.text() == before and button.isEnabled()
        said = panel.error_label.text()
        assert said.startswith("not saved: the database did not take it (") and "typed is kept" in said
        with qtbot.waitSignal(panel.changed, timeout=10_000, raising=False):
            assert send() is True
        assert edit.toPlainText() == "" and panel.error_label.text() == "", panel.error_label.text()
        assert desk_app.desk is not None
        entries = desk_app.desk.conversation(number)
        assert [e.text for e in entries if NOTE_TEXT in e.text], entries
    finally:
        _stop(desk_app)
        db.close()


@contextmanager
def _reseller_held(url: str, name: str) -> Iterator[None]:
    """Another session holds the reseller's row: a new ticket's reference to it waits."""
    other = open_database(url)
    raw_sql(other, "BEGIN")
    raw_sql(other, "SELECT id FROM reseller WHERE name = %s FOR UPDATE", (name,))
    try:
        yield
    finally:
        raw_sql(other, "COMMIT")
        other.close()


def test_a_new_incident_saved_behind_a_held_row_waits_filled_and_a_refused_one_stays_filled(
    qtbot: QtBot, pg_schema_url: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deskapp.gui.intake_view import IntakeDialog

    monkeypatch.setattr(workers, "SETTLE", False)
    db = open_database(pg_schema_url, statement_timeout_ms=1500)
    seed(db, clock)
    dialog = IntakeDialog(desk_for(db, clock, "tom"), resellers=["Acme Cloud Ltd"])
    qtbot.addWidget(dialog)
    dialog.show()
    try:
        dialog.reseller_edit.setText("Acme Cloud Ltd")
        dialog.contact_edit.setText("Jo Bloggs")
        dialog.phone_edit.setText("+44 20 7946 0000")
        dialog.tenant_edit.setText("acme.example")
        dialog.summary_edit.setText("Nobody can sign in")
        with _reseller_held(pg_schema_url, "Acme Cloud Ltd"):
            timer, ticks = _ticking()
            assert dialog.save() is True
            assert dialog.save_button.text() == "Saving…" and not dialog.intake_stack.isEnabled()
            qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=5000)
            timer.stop()
            dialog.reject()  # Escape while it saves: the form stays
            assert dialog.isVisible() and dialog.saving
            qtbot.waitUntil(lambda: not dialog.saving, timeout=10_000)  # the statement timeout
        assert dialog.intake_stack.currentIndex() == 0 and dialog.intake_stack.isEnabled()
        assert (
            dialog.summary_edit.text() == "Nobody can sign in" and dialog.contact_edit.text() == "Jo Bloggs"
        )
        assert dialog.error_label.text().startswith("not saved: the database did not take it (")
        assert dialog.save_button.text() != "Saving…"
        with qtbot.waitSignal(dialog.logged, timeout=10_000) as logged:
            dialog.save()
        assert dialog.number_label.text() == logged.args[0]
        with qtbot.waitSignal(dialog.notified, timeout=10_000):
            dialog.record_told()
        assert "reseller was told" in dialog.told_label.text()
    finally:
        dialog.close()
        from deskapp.gui.writes import stop_writes

        stop_writes(dialog.desk)
        db.close()


def test_take_it_behind_a_held_row_says_it_is_saving_and_then_what_was_done(
    qtbot: QtBot, pg_schema_url: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "SETTLE", False)
    db = open_database(pg_schema_url)
    desk_app, number = _start(qtbot, db, clock, "tess")
    assert desk_app.window is not None and desk_app.queue_work is not None
    bar = desk_app.window.statusBar()
    try:
        with _row_held(pg_schema_url, number) as release:
            timer, ticks = _ticking()
            desk_app.window.take_action.trigger()  # the open ticket (Tom's): Tess takes it
            assert bar.currentMessage() == "Taken: saving 1 ticket…"
            qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=5000)
            timer.stop()
            assert desk_app.queue_work.saving
            release()
            qtbot.waitUntil(lambda: not desk_app.queue_work.saving, timeout=10_000)
        assert bar.currentMessage() == "Taken: 1 done"
        assert desk_app.desk is not None and desk_app.desk.detail(number).engineer == "tess"
    finally:
        _stop(desk_app)
        db.close()


def test_a_note_refused_after_its_ticket_was_left_is_back_when_it_is_opened_again(
    qtbot: QtBot, pg_schema_url: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "SETTLE", False)
    db = open_database(pg_schema_url, statement_timeout_ms=1500)
    desk_app, number = _start(qtbot, db, clock)
    other = str(services.log_ticket(
        db, clock, "tom", reseller="Acme Cloud Ltd", contact="Jo Bloggs", tenant="acme.example",
        impact="some", channel="phone", summary="Calendar errors", phone="+44 20 7946 0000",
    ).number)  # fmt: skip
    tv = desk_app.ticket_view
    assert tv is not None
    panel = tv.conversation
    try:
        panel.note_edit.setPlainText(NOTE_TEXT)
        with _row_held(pg_schema_url, number):
            assert panel.add_note() is True
            with qtbot.waitSignal(tv.shown, timeout=10_000):
                desk_app.open_ticket(other)  # left while the note waits
            qtbot.waitUntil(lambda: panel.saving is None, timeout=10_000)
        assert panel.number == other and panel.note_edit.toPlainText() == ""  # not on the other ticket
        said = panel.error_label.text()
        assert said.startswith(f"the note on {number} was not saved (") and f"open {number} again" in said
        with qtbot.waitSignal(tv.shown, timeout=10_000):
            desk_app.open_ticket(number)
        assert panel.note_edit.toPlainText() == NOTE_TEXT
    finally:
        _stop(desk_app)
        db.close()
