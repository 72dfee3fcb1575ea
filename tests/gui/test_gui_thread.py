"""The window never waits for the database: opening a ticket, refreshing the queue and
presence marks read and write on workers (SQLite and PostgreSQL), a late page of a ticket
no longer asked for is dropped, and the first-run Test gives up on a silent server."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import peewee
import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.gui import workers
from deskapp.gui.app import DeskApp
from deskapp.gui.first_run import FirstRunDialog
from tests.gui.seed import desk_for, log, seed
from tests.london import local

MON_9 = local(2026, 3, 9, 9, 0)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MON_9)


@pytest.fixture
def app(qtbot: QtBot, db: peewee.Database, clock: FixedClock) -> Iterator[DeskApp]:
    desk_app = DeskApp(db, clock, QSettings())
    yield desk_app
    desk_app.stop()
    if desk_app.window is not None:
        desk_app.window.close()


def _record_threads(monkeypatch: pytest.MonkeyPatch, db: peewee.Database) -> list[tuple[bool, str]]:
    """Every statement the database runs from now on, and whether the GUI thread ran it."""
    seen: list[tuple[bool, str]] = []
    real: Any = db.execute_sql

    def execute_sql(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        seen.append((threading.current_thread() is threading.main_thread(), sql))
        return real(sql, params, *args, **kwargs)

    monkeypatch.setattr(db, "execute_sql", execute_sql)
    return seen


def test_opening_a_ticket_and_refreshing_run_no_sql_on_the_gui_thread(
    qtbot: QtBot, app: DeskApp, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "SETTLE", False)  # the real, asynchronous path
    seed(app.db, clock)
    number = log(app.db, clock)
    other = log(app.db, clock, summary="Calendar errors")
    window = app.start(desk_for(app.db, clock, "tess").session, start_timers=False)
    qtbot.addWidget(window)
    window.show()
    tv, panel = app.ticket_view, app.history_panel
    assert tv is not None and panel is not None
    seen = _record_threads(monkeypatch, app.db)
    with qtbot.waitSignal(tv.shown, timeout=10_000):
        app.open_ticket(number)
    qtbot.waitUntil(lambda: panel.number == number)
    app.read_pool.waitForDone(10_000)  # the presence mark
    assert not [sql for gui, sql in seen if gui]
    assert tv.number == number and tv.header_label.text().startswith(number)
    assert panel.title_label.text() == "Customer history: Acme Cloud Ltd"
    clock.advance(dt.timedelta(minutes=2))
    services.assign(app.db, clock, "lee", other, engineer="tom")  # another workstation (recorded too)
    seen.clear()
    with qtbot.waitSignal(app.queue_refreshed, timeout=10_000) as refreshed:
        app.refresh_queue()
        app.watch_timer.fire()  # asked again while the first is on its way: kept, run after
    assert refreshed.args and len(refreshed.args[0]) == 1
    app.read_pool.waitForDone(10_000)
    app.pool.waitForDone(10_000)
    assert seen, "the reads ran"
    on_gui = [sql for gui, sql in seen if gui]
    assert on_gui == []


def test_a_late_page_of_a_ticket_no_longer_asked_for_is_dropped(
    qtbot: QtBot, app: DeskApp, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "SETTLE", False)
    seed(app.db, clock)
    first = log(app.db, clock)
    second = log(app.db, clock, summary="Calendar errors")
    window = app.start(desk_for(app.db, clock, "tess").session, start_timers=False)
    qtbot.addWidget(window)
    tv = app.ticket_view
    assert tv is not None
    painted: list[str] = []
    tv.shown.connect(lambda page: painted.append(page.detail.number))
    app.open_ticket(first)
    app.open_ticket(second)  # before the first's page arrived
    qtbot.waitUntil(lambda: painted != [], timeout=10_000)
    tv.pool.waitForDone(10_000)
    qtbot.wait(50)
    assert painted == [second]
    assert tv.number == second and tv.conversation.number == second
    assert app.history_panel is not None and app.history_panel.number == second


def test_a_change_to_the_ticket_shown_does_not_undo_opening_another(
    qtbot: QtBot, app: DeskApp, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(app.db, clock)
    first = log(app.db, clock)
    second = log(app.db, clock, summary="Calendar errors")
    window = app.start(desk_for(app.db, clock, "tess").session, start_timers=False)
    qtbot.addWidget(window)
    app.open_ticket(first)  # settled: shown
    tv = app.ticket_view
    assert tv is not None and tv.number == first
    monkeypatch.setattr(workers, "SETTLE", False)
    app.open_ticket(second)
    tv.external_change()  # the queue saw the first change elsewhere, before the second arrived
    tv.reload()
    qtbot.waitUntil(lambda: tv.number == second, timeout=10_000)
    tv.pool.waitForDone(10_000)
    qtbot.wait(50)
    assert tv.number == second


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server that accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join(5)
    for conn in accepted:
        conn.close()
    listener.close()


def test_the_first_run_test_of_a_silent_server_times_out_and_the_window_answers(
    qtbot: QtBot, silent_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "SETTLE", False)
    dialog = FirstRunDialog(QSettings())
    qtbot.addWidget(dialog)
    dialog.timeout_s = 2
    dialog.server_radio.setChecked(True)
    dialog.host_edit.setText("127.0.0.1")
    dialog.port_spin.setValue(silent_server)
    dialog.database_edit.setText("desk")
    dialog.user_edit.setText("nobody")
    began = time.monotonic()
    dialog.test_button.click()
    assert time.monotonic() - began < 0.5  # the click returned: the window is not frozen
    assert dialog.test_result_label.text().startswith("Testing 127.0.0.1:")
    dialog.accept()  # saving waits for the answer, without blocking either
    assert dialog.result() == 0 and dialog.url is None
    qtbot.waitUntil(lambda: dialog.test_result_label.text().startswith("Not connected"), timeout=15_000)
    waited = time.monotonic() - began
    text = dialog.test_result_label.text()
    assert "timeout" in text.lower(), text
    assert 1.5 < waited < 10, waited
    assert dialog.url is None and "must answer" in dialog.error_label.text()
    dialog.pool.waitForDone(10_000)
