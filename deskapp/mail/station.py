"""One workstation's turn at the desk's mailbox, taken on a timer (the app's fetcher).

    station = Station(db, clock, holder="ws1")
    outcome = station.take_turn()   # on a worker thread, every interval
    station.stop()                  # on app stop: logout, and the lease is free at once

The holder's turn, when `idle_seconds` is set and the server offers IDLE, then waits
that long on the open connection (IMAP IDLE) and reads again as soon as the server
says mail came, so new mail is in the desk within a second or two, not a turn later;
`stopping` (set from any thread) ends the wait within half a second.

Every workstation with IMAP settings takes a turn each interval; only the lease's
holder reads (`Fetcher.fetch_once`, which renews the lease, so a holder that keeps
its turns keeps the lease, TTL 45 s against turns every 15 s). The others find the
lease held and do nothing but look again next turn, so when the holder goes away
(stopped: released at once; vanished: `lease.TTL` after its last renewal) one of
them takes over on its next turn: within TTL + one interval.

A workstation that does not hold the lease reads who does (one SELECT) before
trying to take it, so fifty workstations cost the database fifty reads a turn,
not fifty write transactions. The holder's IMAP connection stays open between its
turns (a poll with nothing new is one UID SEARCH); it is closed when the lease is
lost, the settings change, or a turn fails. A holder whose turns keep failing
gives the lease up and rests (`Station._failed`): the fault may be this
workstation's alone (no route, no password in its keyring), and another that
can read the mailbox then takes over; a server down for everyone is still
tried about once a turn by the whole desk, not once a turn by each workstation.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from dataclasses import dataclass

import peewee as pw

from deskapp.domain.clock import Clock
from deskapp.domain.policy import Policy
from deskapp.mail import lease
from deskapp.mail.fetch import Fetcher, FetchError, ImapSettings, imap_password, load_imap_settings

log = logging.getLogger(__name__)

OFF = "off"  # no IMAP server set: nothing to read
READ = "read"  # this workstation holds the lease and read the mailbox
OTHER = "other"  # another workstation holds it
FAILED = "failed"  # the turn failed (server down, login refused, database away)

GIVE_UP_AFTER = 3  # failed turns in a row before the lease is given up to another
REST = dt.timedelta(minutes=5)  # then this workstation leaves the mailbox to the others


@dataclass(frozen=True)
class Turn:
    state: str  # OFF, READ, OTHER, FAILED
    at: dt.datetime
    imported: int = 0  # messages new in the database
    holder: str | None = None  # OTHER: who reads the mailbox
    error: str | None = None  # FAILED: what went wrong, in words


class Station:
    def __init__(
        self, db: pw.Database, clock: Clock, holder: str, *, policy: Policy | None = None,
        idle_seconds: float = 0.0,
    ) -> None:  # fmt: skip
        self.db, self.clock, self.holder, self.policy = db, clock, holder, policy
        self.idle_seconds = idle_seconds
        self.stopping = threading.Event()
        self._fetcher: Fetcher | None = None
        self._took_part = False  # ever tried the lease: stop() releases it
        self._failures = 0  # turns failed in a row
        self._last_error: str | None = None
        self._resting_until: dt.datetime | None = None

    def take_turn(self) -> Turn:
        now = self.clock.now()
        try:
            settings = load_imap_settings(self.db)
            if settings is None:
                self._drop()
                return Turn(OFF, now)
            self._took_part = True
            other = lease.holder_of(self.db, now)
            if other is not None and other != self.holder:
                self._drop()  # not ours (any more): keep no connection
                return Turn(OTHER, now, holder=other)
            if self._resting_until is not None and now < self._resting_until:
                return Turn(FAILED, now, error=self._last_error)  # tries again when rested
            report = self._fetcher_for(settings).fetch_once()
        except FetchError as exc:
            return self._failed(now, str(exc))
        except Exception as exc:  # the database went away, the lease was lost mid-import
            return self._failed(now, f"{type(exc).__name__}: {exc}")
        self._failures, self._resting_until = 0, None
        if not report.held:
            return Turn(OTHER, now, holder=report.holder)
        imported = len(report.imported)
        try:
            imported += self._idle()
        except FetchError as exc:
            return self._failed(now, str(exc))
        except Exception as exc:
            return self._failed(now, f"{type(exc).__name__}: {exc}")
        return Turn(READ, now, imported=imported)

    def _idle(self) -> int:
        """The holder's wait for news (IDLE) after its read, and the read news brings."""
        fetcher = self._fetcher
        if self.idle_seconds <= 0 or fetcher is None or self.stopping.is_set():
            return 0
        if not fetcher.wait_for_news(self.idle_seconds, self.stopping.is_set):
            return 0
        report = fetcher.fetch_once()
        return len(report.imported) if report.held else 0

    def _failed(self, now: dt.datetime, error: str) -> Turn:
        """A failed turn keeps the lease (the others do not each try a server that is down,
        or log in with a refused password, every turn: some servers lock the account), but
        GIVE_UP_AFTER failures in a row give it up and rest this workstation for REST, so
        another, which may reach the server or have the password, takes over."""
        self._drop()
        self._failures += 1
        self._last_error = error
        if self._failures >= GIVE_UP_AFTER:
            self._failures = 0
            self._resting_until = now + REST
            with contextlib.suppress(Exception):  # the database may be what failed
                lease.release(self.db, self.holder)
        return Turn(FAILED, now, error=error)

    def stop(self) -> None:
        """Close the connection and give up the lease (another takes over on its next turn)."""
        self._drop()
        if self._took_part:
            try:
                lease.release(self.db, self.holder)
            except Exception as exc:  # the database is away: the lease runs out by itself
                log.warning("mail lease of %s not released: %s", self.holder, exc)

    def _fetcher_for(self, settings: ImapSettings) -> Fetcher:
        if self._fetcher is not None and self._fetcher.settings != settings:
            self._drop()  # an administrator changed the server: connect afresh
        if self._fetcher is None:
            self._fetcher = Fetcher(self.db, self.clock, settings, imap_password(settings),
                                    worker=self.holder, policy=self.policy)  # fmt: skip
        return self._fetcher

    def _drop(self) -> None:
        if self._fetcher is not None:
            with contextlib.suppress(Exception):  # a broken connection
                self._fetcher.close()
            self._fetcher = None
