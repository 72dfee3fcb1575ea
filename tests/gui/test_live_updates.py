"""Live updates in the window: a change at another workstation shows within a second,
by ticket number (no reload of the queue), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import peewee
import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.gui.app import DeskApp
from deskapp.gui.models.queue_model import STATUS
from tests.gui.seed import desk_for, log, seed


@pytest.fixture
def live_app(qtbot: QtBot, db: peewee.Database, clock: FixedClock) -> Iterator[DeskApp]:
    desk_app = DeskApp(db, clock, QSettings())
    yield desk_app
    desk_app.stop()
    if desk_app.window is not None:
        desk_app.window.close()


def _status_of(app: DeskApp, number: str) -> str | None:
    assert app.model is not None
    for r in range(app.model.rowCount()):
        if app.model.row(r).number == number:
            return str(app.model.index(r, STATUS).data())
    return None


def test_another_workstations_change_arrives_within_a_second(
    qtbot: QtBot, live_app: DeskApp, clock: FixedClock
) -> None:
    app = live_app
    seed(app.db, clock)
    number = log(app.db, clock)
    other = log(app.db, clock, summary="Calendar sharing broken")
    window = app.start(desk_for(app.db, clock, "tess").session, start_timers=False)
    qtbot.addWidget(window)
    app.open_ticket(number)
    assert app.desk is not None
    reads: list[dict[str, Any]] = []
    real = app.desk.queue_rows

    def counting(**kwargs: Any) -> Any:
        reads.append(kwargs)
        return real(**kwargs)

    app.desk.queue_rows = counting  # type: ignore[method-assign,assignment]
    app.start_change_listener()
    assert app.change_listener is not None
    assert app.change_listener.listening.wait(5)
    clock.advance(dt.timedelta(minutes=3))
    services.assign(app.db, clock, "lee", number, engineer="tom")  # another workstation
    started = time.monotonic()
    qtbot.waitUntil(lambda: _status_of(app, number) == "assigned", timeout=1000)
    assert time.monotonic() - started < 1.0
    tv = app.ticket_view
    assert tv is not None and tv.detail is not None and tv.detail.engineer == "tom"
    assert reads == [{"numbers": [number]}]  # that ticket only: no reload of the queue
    assert _status_of(app, other) == "logged"


def test_offline_and_back_are_shown(qtbot: QtBot, live_app: DeskApp, clock: FixedClock) -> None:
    app = live_app
    seed(app.db, clock)
    window = app.start(desk_for(app.db, clock, "tess").session, start_timers=False)
    qtbot.addWidget(window)
    app._online_changed(False)
    assert window.database_label.text().startswith("OFFLINE")
    app._online_changed(True)
    assert not window.database_label.text().startswith("OFFLINE")


def test_opening_a_ticket_someone_else_has_open_says_who(
    qtbot: QtBot, live_app: DeskApp, clock: FixedClock
) -> None:
    from deskapp.services import presence

    app = live_app
    seed(app.db, clock)
    number = log(app.db, clock)
    presence.open_ticket(app.db, clock, "tom", number, "WS-2")  # another workstation
    window = app.start(desk_for(app.db, clock, "tess").session, start_timers=False)
    qtbot.addWidget(window)
    app.open_ticket(number)
    tv = app.ticket_view
    assert tv is not None and not tv.conflict_frame.isHidden()
    assert "Tom Tier-One (tom) at WS-2" in tv.conflict_label.text()
    assert [e.login for e in presence.editors(app.db, clock, number, exclude=("tom", "WS-2"))] == ["tess"]
    app.stop()  # closing the app says so
    assert [e.login for e in presence.editors(app.db, clock, number)] == ["tom"]


def test_a_refresh_while_offline_shows_offline_and_recovers(
    qtbot: QtBot, live_app: DeskApp, clock: FixedClock
) -> None:
    from deskapp.store.reconnect import DatabaseUnavailable

    app = live_app
    seed(app.db, clock)
    window = app.start(desk_for(app.db, clock, "tess").session, start_timers=False)
    qtbot.addWidget(window)
    assert app.desk is not None
    real = app.desk.queue_rows

    def down(**_kwargs: Any) -> Any:
        raise DatabaseUnavailable("PostgreSQL test/desk", "connection refused", maybe_saved=False)

    app.desk.queue_rows = down  # type: ignore[method-assign,assignment]
    app.refresh_queue()  # the watch timer's call: no exception escapes
    assert window.database_label.text().startswith("OFFLINE")
    app.desk.queue_rows = real  # type: ignore[method-assign]
    app.refresh_queue()
    assert not window.database_label.text().startswith("OFFLINE")


def test_a_lost_race_shows_what_changed_and_an_offline_save_is_reported(
    qtbot: QtBot, live_app: DeskApp, clock: FixedClock
) -> None:
    from deskapp.domain.lifecycle import Action
    from deskapp.store.reconnect import DatabaseUnavailable

    app = live_app
    seed(app.db, clock)
    number = log(app.db, clock)
    window = app.start(desk_for(app.db, clock, "tess").session, start_timers=False)
    qtbot.addWidget(window)
    app.open_ticket(number)
    view = app.ticket_view
    assert view is not None and app.desk is not None
    view.actions_by_step[Action.NOTE].trigger()
    view.note_edit.setPlainText("my careful note")
    clock.advance(dt.timedelta(minutes=2))
    services.assign(app.db, clock, "lee", number, engineer="tom")  # another workstation
    services.note(app.db, clock, "tom", number, text="reseller says it is fixed")
    assert not view.submit_action()
    text = view.conflict_label.text()
    assert "Since you opened it:" in text
    assert "lee: assigned, status logged -> assigned" in text
    assert '"reseller says it is fixed"' in text
    assert view.note_edit.toPlainText() == "my careful note"  # kept

    view.reload_button.click()

    def offline(*_args: Any, **_kwargs: Any) -> None:
        raise DatabaseUnavailable("PostgreSQL dbhost/desk", "connection refused", maybe_saved=False)

    app.desk.perform = offline  # type: ignore[method-assign]
    assert not view.submit_action()
    assert "nothing was saved" in view.action_error_label.text()
    assert view.note_edit.toPlainText() == "my careful note"


def test_a_workstation_listens_on_its_one_connection(
    qtbot: QtBot, live_app: DeskApp, clock: FixedClock
) -> None:
    """PostgreSQL: the GUI thread's work connection itself LISTENs (a desk of fifty then fits
    the server's default max_connections); a change made on another connection shows within
    a second. SQLite: a listener thread on its own handle of the local file."""
    import threading

    from deskapp.gui.change_listener import ChangeListenerThread, ChangePoller
    from deskapp.store.connection import is_sqlite, raw_sql

    app = live_app
    seed(app.db, clock)
    number = log(app.db, clock)
    window = app.start(desk_for(app.db, clock, "tess").session, start_timers=False)
    qtbot.addWidget(window)
    app.start_change_listener()
    listener = app.change_listener
    if is_sqlite(app.db):
        assert isinstance(listener, ChangeListenerThread)
    else:
        assert isinstance(listener, ChangePoller)
        channels = [r[0] for r in raw_sql(app.db, "SELECT pg_listening_channels()").fetchall()]
        assert len(channels) == 1 and channels[0].startswith("deskapp_changes")
    assert listener is not None and listener.listening.wait(5)

    def elsewhere() -> None:
        try:
            services.assign(app.db, clock, "lee", number, engineer="tom")
        finally:
            app.db.close()  # that thread's connection only

    other = threading.Thread(target=elsewhere)
    other.start()
    other.join(30)
    started = time.monotonic()
    qtbot.waitUntil(lambda: _status_of(app, number) == "assigned", timeout=1000)
    assert time.monotonic() - started < 1.0
