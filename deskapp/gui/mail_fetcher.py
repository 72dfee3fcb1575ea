"""Fetching the desk's mail from the app: this workstation's turn at the mailbox, on a timer,
off the GUI thread (like sending, `deskapp.gui.mail_worker`).

Each turn (`deskapp.mail.station.Station.take_turn`) runs in this object's own one-thread
pool, on that thread's own database connection (closed when the turn is done, as every
worker here does); the outcome comes back through a queued signal. A turn still running
when the timer fires again is not doubled: that tick is skipped. `stop()` waits for the
turn and then, on the pool thread too, logs out and releases the lease, so another
workstation takes over on its next turn instead of waiting out the TTL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import peewee as pw
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from deskapp.domain.clock import Clock
from deskapp.domain.policy import Policy
from deskapp.gui.timers import MailFetchTimer
from deskapp.mail.station import FAILED, OFF, OTHER, Station, Turn


class TurnSignals(QObject):
    done = Signal(object)  # deskapp.mail.station.Turn


class _OnPool(QRunnable):
    """Run `work` on the pool thread, then close that thread's database connection."""

    def __init__(self, db: pw.Database, work: Any) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._db, self._work = db, work

    def run(self) -> None:
        try:
            self._work()
        finally:
            if not self._db.is_closed():
                self._db.close()  # this thread's connection only


IDLE = True  # wait on IMAP IDLE between turns where the server offers it (tests may turn it off)
IDLE_MARGIN_S = 3.0  # the wait ends this long before the next turn is due


class MailFetcher(QObject):
    turned = Signal(object)  # Turn, after `last` was set

    def __init__(
        self, db: pw.Database, clock: Clock, holder: str, *, policy: Policy | None = None,
        interval_ms: int = MailFetchTimer.DEFAULT_MS, parent: Any = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.db = db
        # The holder waits on IDLE for most of the interval between turns, so new mail
        # arrives in seconds; the next turn then finds the wait over.
        idle = max(0.0, interval_ms / 1000 - IDLE_MARGIN_S) if IDLE else 0.0
        self.station = Station(db, clock, holder, policy=policy, idle_seconds=idle)
        self.timer = MailFetchTimer(clock, interval_ms, self)
        self.timer.fired.connect(lambda _now: self.take_turn())
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # one turn at a time, in order
        self.last: Turn | None = None
        self._running = False
        self._signals = TurnSignals(self)
        self._signals.done.connect(self._done)

    def start(self) -> None:
        self.timer.start()
        self.take_turn()  # at launch: the mail now, not an interval later

    def take_turn(self) -> bool:
        """Start a turn off the GUI thread (False: one is still running)."""
        if self._running:
            return False
        self._running = True
        self.pool.start(_OnPool(self.db, self._turn))
        return True

    def _turn(self) -> None:  # on the pool thread
        try:
            turn = self.station.take_turn()
        except Exception as exc:  # never lost in a thread, never a turn that never ends
            turn = Turn(FAILED, self.station.clock.now(), error=f"{type(exc).__name__}: {exc}")
        self._signals.done.emit(turn)

    def _done(self, turn: Turn) -> None:
        self._running = False
        self.last = turn
        self.turned.emit(turn)

    def stop(self) -> None:
        self.timer.stop()
        self.station.stopping.set()  # a turn waiting on IDLE ends within half a second
        self.pool.waitForDone(60_000)  # a turn in progress (its IMAP timeout is 30 s)
        self.pool.start(_OnPool(self.db, self.station.stop))
        self.pool.waitForDone(60_000)
        self._running = False


def status_text(turn: Turn | None, tz: dt.tzinfo) -> str:
    """The status bar's line about reading the mailbox ("" when there is none to read)."""
    if turn is None or turn.state == OFF:
        return ""
    at = f"{turn.at.astimezone(tz):%H:%M}"
    if turn.state == OTHER:
        return f"Mail: another workstation ({turn.holder or 'unknown'}) reads the mailbox"
    if turn.state == FAILED:
        return f"Mail: could not fetch at {at}: {turn.error}"
    return f"Mail: fetched {turn.imported} new at {at}"
