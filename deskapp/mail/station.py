"""One workstation's turn at the desk's mailbox, taken on a timer (the app's fetcher).

    station = Station(db, clock, holder="ws1")
    outcome = station.take_turn()   # on a worker thread, every interval
    station.stop()                  # on app stop: logout, and the lease is free at once

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
lost, the settings change, or a turn fails. A failed turn also gives the lease
up: the fault may be this workstation's alone (no route, no password in its
keyring), and another that can read the mailbox then takes over.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
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


@dataclass(frozen=True)
class Turn:
    state: str  # OFF, READ, OTHER, FAILED
    at: dt.datetime
    imported: int = 0  # messages new in the database
    holder: str | None = None  # OTHER: who reads the mailbox
    error: str | None = None  # FAILED: what went wrong, in words


class Station:
    def __init__(self, db: pw.Database, clock: Clock, holder: str, *, policy: Policy | None = None) -> None:
        self.db, self.clock, self.holder, self.policy = db, clock, holder, policy
        self._fetcher: Fetcher | None = None
        self._took_part = False  # ever tried the lease: stop() releases it

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
            report = self._fetcher_for(settings).fetch_once()
        except FetchError as exc:
            self._give_up()
            return Turn(FAILED, now, error=str(exc))
        except Exception as exc:  # the database went away, the lease was lost mid-import
            self._give_up()
            return Turn(FAILED, now, error=f"{type(exc).__name__}: {exc}")
        if not report.held:
            return Turn(OTHER, now, holder=report.holder)
        return Turn(READ, now, imported=len(report.imported))

    def stop(self) -> None:
        """Close the connection and give up the lease (another takes over on its next turn)."""
        self._drop()
        if self._took_part:
            try:
                lease.release(self.db, self.holder)
            except Exception as exc:  # the database is away: the lease runs out by itself
                log.warning("mail lease of %s not released: %s", self.holder, exc)

    def _give_up(self) -> None:
        """After a failed turn: let another workstation try (this one may be the only one
        that cannot reach the server, or has no password in its keyring)."""
        self._drop()
        if self._took_part:
            with contextlib.suppress(Exception):  # the database may be what failed
                lease.release(self.db, self.holder)

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
