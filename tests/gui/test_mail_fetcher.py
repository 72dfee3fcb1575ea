"""The app fetches the desk's mail itself: two workstations (two DeskApps, two lease holders)
on one desk and a real Dovecot; one holds the lease and reads, the other takes over when the
holder stops (released at once) or vanishes (its lease runs out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import peewee
import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from deskapp import services
from deskapp.domain.clock import FixedClock
from deskapp.gui import mail_fetcher
from deskapp.gui.app import DeskApp
from deskapp.gui.timers import MailFetchTimer
from deskapp.mail import lease, station
from deskapp.mail.fetch import PASSWORD_ENV, ImapSettings, save_imap_settings
from deskapp.mail.station import FAILED, OFF, OTHER, READ, Turn
from deskapp.store.models import Message
from tests.gui.seed import desk_for, seed
from tests.london import local
from tests.mail.dovecot import Dovecot, Mailbox
from tests.mail.letters import letter, settings_for
from tests.mail.smtp_server import free_port

NINE = local(2026, 3, 9, 9, 0)  # Monday, the desk open


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot().start()  # raises (the test fails) if Dovecot cannot start
    yield server
    server.stop()


@pytest.fixture
def clock(db: peewee.Database) -> FixedClock:
    clock = FixedClock(NINE)
    seed(db, clock)
    return clock


@pytest.fixture
def mailbox(dovecot: Dovecot, db: peewee.Database, monkeypatch: pytest.MonkeyPatch) -> Mailbox:
    """A fresh mailbox, set as the desk's IMAP server (the password as a headless machine has it)."""
    box = dovecot.mailbox()
    save_imap_settings(db, settings_for(box))
    monkeypatch.setenv(PASSWORD_ENV, box.password)
    return box


@pytest.fixture(autouse=True)
def _no_idle_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turns are fired by hand here: a holder's turn ends after its read (no IDLE wait),
    except where a test sets mail_fetcher.IDLE back."""
    monkeypatch.setattr(mail_fetcher, "IDLE", False)


Workstation = Callable[[str, str], DeskApp]


@pytest.fixture
def workstation(qtbot: QtBot, db: peewee.Database, clock: FixedClock) -> Iterator[Workstation]:
    """Start the app as `login` on a workstation whose lease holder is `holder`; the Inbox shown."""
    apps: list[DeskApp] = []

    def start(holder: str, login: str) -> DeskApp:
        app = DeskApp(db, clock, QSettings(), mail_holder=holder)
        apps.append(app)
        window = app.start(desk_for(db, clock, login).session, start_timers=False)
        qtbot.addWidget(window)
        with qtbot.waitSignal(app.inbox_view.loaded, timeout=10_000):
            window.work_tabs.setCurrentWidget(app.inbox_view)  # shown: read
        return app

    yield start
    for app in apps:
        app.stop()
        if app.window is not None:
            app.window.close()


def turn(qtbot: QtBot, app: DeskApp) -> Turn:
    """One tick of the app's mail timer; the turn it took, once its outcome is shown."""
    with qtbot.waitSignal(app.mail_fetcher.turned, timeout=30_000) as got:
        app.mail_fetcher.timer.fire()
    result = got.args[0]
    assert isinstance(result, Turn)
    return result


def turn_and_read_inbox(qtbot: QtBot, app: DeskApp) -> Turn:
    """A turn that imports: the Inbox shown is read again with what came in."""
    with qtbot.waitSignal(app.inbox_view.loaded, timeout=30_000):
        result = turn(qtbot, app)
    return result


def status(app: DeskApp) -> str:
    assert app.fetch_label is not None and app.window is not None
    return app.fetch_label.text() if app.fetch_label.isVisibleTo(app.window) else ""


def test_one_workstation_holds_the_lease_and_what_it_fetches_shows_in_the_inbox(
    qtbot: QtBot, db: peewee.Database, clock: FixedClock, mailbox: Mailbox, workstation: Workstation
) -> None:
    first, second = workstation("ws-a", "tom"), workstation("ws-b", "tess")
    assert first.inbox_view.model.rowCount() == 0
    mailbox.deliver(letter("Printer on fire"), letter("Is this the desk?"), at=NINE)

    got = turn_and_read_inbox(qtbot, first)
    assert (got.state, got.imported) == (READ, 2)
    assert first.inbox_view.model.rowCount() == 2, "in the Inbox tab, no command line involved"
    assert status(first) == "Mail: fetched 2 new at 09:00"
    assert lease.holder_of(db, clock.now()) == "ws-a"
    assert mailbox.flagged_seen() == mailbox.uids(), "flagged on the server after the import"

    other = turn(qtbot, second)
    assert (other.state, other.holder, other.imported) == (OTHER, "ws-a", 0)
    assert status(second) == "Mail: another workstation (ws-a) reads the mailbox"

    mailbox.deliver(letter("One more"), at=NINE)
    assert turn(qtbot, second).state == OTHER, "the other workstation does not read it"
    assert Message.select().count() == 2
    assert turn_and_read_inbox(qtbot, first).imported == 1
    assert Message.select().count() == 3, "each message imported once"
    with qtbot.waitSignal(second.inbox_view.loaded, timeout=10_000):
        assert second.reload_inbox()  # what the change feed does on the other workstation
    assert second.inbox_view.model.rowCount() == 3


def test_a_reply_fetched_by_the_app_moves_its_ticket_in_the_queue(
    qtbot: QtBot, db: peewee.Database, clock: FixedClock, mailbox: Mailbox, workstation: Workstation
) -> None:
    ticket = services.log_ticket(
        db, clock, "tom", reseller="Acme Cloud Ltd", contact="Pat Jones", tenant="acme.example",
        impact="some", channel="phone", summary="Mailbox not syncing", email="pat@acme.example",
    )  # fmt: skip
    number = str(ticket.number)
    services.assign(db, clock, "tess", number, engineer="tess")
    services.request_info(db, clock, "tess", number, note="which mailbox?")
    app = workstation("ws-a", "tess")
    assert app.model is not None

    def status_of() -> str:
        assert app.model is not None
        (row,) = [app.model.row(r) for r in range(app.model.rowCount()) if app.model.row(r).number == number]
        return str(row.status)

    assert status_of() == "awaiting_info"
    clock.advance(dt.timedelta(minutes=5))
    mailbox.deliver(letter(f"Re: [{number}] We need more information", "It is sales@"), at=NINE)
    got = turn(qtbot, app)
    assert (got.state, got.imported) == (READ, 1)
    qtbot.waitUntil(lambda: status_of() == "in_progress", timeout=5000)  # the queue shows the reply's step
    assert app.inbox_view.model.rowCount() == 0, "on its ticket, not in the Inbox"


def test_the_holder_keeps_the_lease_from_turn_to_turn(
    qtbot: QtBot, db: peewee.Database, clock: FixedClock, mailbox: Mailbox, workstation: Workstation
) -> None:
    first, second = workstation("ws-a", "tom"), workstation("ws-b", "tess")
    assert turn(qtbot, first).state == READ
    for _ in range(4):  # a minute and more of turns, each well inside the TTL of the last
        clock.advance(dt.timedelta(seconds=20))
        assert turn(qtbot, first).state == READ
        assert turn(qtbot, second).state == OTHER, "renewed: never free for the other"
    assert lease.holder_of(db, clock.now()) == "ws-a"


def test_when_the_holder_stops_the_other_takes_over_on_its_next_turn(
    qtbot: QtBot, db: peewee.Database, clock: FixedClock, mailbox: Mailbox, workstation: Workstation
) -> None:
    first, second = workstation("ws-a", "tom"), workstation("ws-b", "tess")
    assert turn(qtbot, first).state == READ
    assert turn(qtbot, second).state == OTHER
    first.stop()  # the app closes: its lease is released
    assert lease.holder_of(db, clock.now()) is None
    mailbox.deliver(letter("After the handover"), at=NINE)
    got = turn_and_read_inbox(qtbot, second)  # the same instant: no waiting out the TTL
    assert (got.state, got.imported) == (READ, 1)
    assert lease.holder_of(db, clock.now()) == "ws-b"
    assert [m.subject for m in Message.select()] == ["After the handover"]
    assert second.inbox_view.model.rowCount() == 1


def test_a_holder_that_vanished_is_replaced_once_its_lease_runs_out(
    qtbot: QtBot, db: peewee.Database, clock: FixedClock, mailbox: Mailbox, workstation: Workstation
) -> None:
    assert lease.acquire(db, clock, "ghost"), "a workstation that then vanished without a word"
    vanished = clock.now()
    second = workstation("ws-b", "tess")
    mailbox.deliver(letter("Waiting for a reader"), at=NINE)
    assert (turn(qtbot, second).state, second.mail_fetcher.last.holder) == (OTHER, "ghost")  # type: ignore[union-attr]
    clock.set(vanished + lease.TTL - dt.timedelta(seconds=1))
    assert turn(qtbot, second).state == OTHER, "not before its lease runs out"
    assert Message.select().count() == 0
    clock.set(vanished + lease.TTL + dt.timedelta(seconds=1))
    got = turn_and_read_inbox(qtbot, second)
    assert (got.state, got.imported) == (READ, 1)
    assert lease.holder_of(db, clock.now()) == "ws-b"
    # The next turn comes at most one interval after the lease ran out: under a minute from
    # the holder's last renewal (it vanished then at the earliest).
    assert lease.TTL + dt.timedelta(milliseconds=MailFetchTimer.DEFAULT_MS) <= dt.timedelta(minutes=1)
    assert lease.RENEW_EVERY <= dt.timedelta(milliseconds=MailFetchTimer.DEFAULT_MS) < lease.TTL


def test_with_no_imap_server_the_app_reads_nothing(
    qtbot: QtBot, db: peewee.Database, clock: FixedClock, workstation: Workstation
) -> None:
    app = workstation("ws-a", "tom")
    got = turn(qtbot, app)
    assert got.state == OFF and status(app) == ""
    assert lease.holder_of(db, clock.now()) is None, "no lease taken"


def test_a_server_that_does_not_answer_is_said_in_words_and_the_lease_given_up_after_a_while(
    qtbot: QtBot, db: peewee.Database, clock: FixedClock, workstation: Workstation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    closed = free_port()  # nothing listens there
    save_imap_settings(db, ImapSettings(host="127.0.0.1", port=closed, login="desk", verify=False, timeout=5))
    monkeypatch.setenv(PASSWORD_ENV, "secret")
    first, second = workstation("ws-a", "tom"), workstation("ws-b", "tess")
    got = turn(qtbot, first)
    assert got.state == FAILED and f"127.0.0.1:{closed}" in str(got.error)
    text = status(first)
    assert text.startswith("Mail: could not fetch at 09:00: IMAP server 127.0.0.1:")
    assert "Traceback" not in text
    assert first.fetch_label is not None and first.fetch_label.property("role") == "error"
    assert lease.holder_of(db, clock.now()) == "ws-a", "kept: the others do not all try a server that is down"
    assert turn(qtbot, second).state == OTHER
    for _ in range(station.GIVE_UP_AFTER - 1):
        clock.advance(dt.timedelta(seconds=15))
        assert turn(qtbot, first).state == FAILED
    assert lease.holder_of(db, clock.now()) is None, "given up: another may reach the server"
    clock.advance(dt.timedelta(seconds=15))
    assert turn(qtbot, first).state == FAILED, "resting: it does not take the lease again"
    assert lease.holder_of(db, clock.now()) is None
    assert turn(qtbot, second).state == FAILED, "the other tries on its turn"
    assert lease.holder_of(db, clock.now()) == "ws-b"
    clock.advance(station.REST)
    assert turn(qtbot, second).state == FAILED and lease.holder_of(db, clock.now()) == "ws-b"
    assert turn(qtbot, first).state == OTHER, "rested: back in line behind the holder"


def test_the_app_takes_a_turn_at_launch_and_releases_the_lease_when_stopped(
    qtbot: QtBot, db: peewee.Database, clock: FixedClock, mailbox: Mailbox
) -> None:
    mailbox.deliver(letter("Before the app opened"), at=NINE)
    app = DeskApp(db, clock, QSettings(), mail_holder="ws-a")
    try:
        window = app.start(desk_for(db, clock, "tom").session)  # the timers too
        qtbot.addWidget(window)
        with qtbot.waitSignal(app.mail_fetcher.turned, timeout=30_000) as got:
            pass  # the first turn was started with the timers
        assert got.args[0].state == READ and got.args[0].imported == 1
        assert app.mail_fetcher.timer.isActive()
        assert lease.holder_of(db, clock.now()) == "ws-a"
    finally:
        app.stop()
        app.window.close()  # type: ignore[union-attr]
    assert not app.mail_fetcher.timer.isActive()
    assert lease.holder_of(db, clock.now()) is None


def test_the_holder_waits_on_idle_and_reads_new_mail_within_seconds(
    qtbot: QtBot,
    db: peewee.Database,
    clock: FixedClock,
    mailbox: Mailbox,
    workstation: Workstation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where the server offers IDLE (Dovecot does), the holder's turn waits on it after its
    read; mail delivered meanwhile is imported in that same turn, in seconds, not a turn
    later. Stopping the app ends such a wait at once."""
    import threading
    import time

    monkeypatch.setattr(mail_fetcher, "IDLE", True)
    app = workstation("ws-a", "tom")
    assert app.mail_fetcher.station.idle_seconds == pytest.approx(MailFetchTimer.DEFAULT_MS / 1000 - 3.0)
    threading.Timer(1.5, lambda: mailbox.deliver(letter("Arrived while we idled"), at=NINE)).start()
    started = time.monotonic()
    got = turn(qtbot, app)
    took = time.monotonic() - started
    assert (got.state, got.imported) == (READ, 1), "read in the same turn, woken by IDLE"
    assert 1.0 < took < 8.0, f"woken by the server, not the end of the wait ({took:.1f} s)"
    assert Message.select().count() == 1
    # a turn left waiting on IDLE: stop ends it within a second or so
    app.mail_fetcher.take_turn()
    time.sleep(0.5)
    started = time.monotonic()
    app.mail_fetcher.stop()
    assert time.monotonic() - started < 3.0
    assert lease.holder_of(db, clock.now()) is None, "released on stop"
