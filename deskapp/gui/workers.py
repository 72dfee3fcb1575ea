"""Work off the GUI thread: reads (the queue, a report) and a rule pass in QThreadPool workers.

Each runs on the pool thread's own database connection (peewee keeps one
connection per thread), closes that connection when done, and reports back
through queued signals. A rule pass runs `deskapp.rules.run_rules` with the
instant its timer read (one clock reading per pass).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import peewee as pw
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal

from deskapp.domain.clock import FixedClock
from deskapp.domain.policy import Policy

# Tests that check a view right after a call set this: `start` then waits for the job and
# delivers its queued result before returning. The job still runs on the pool's thread.
SETTLE = False


def start(pool: QThreadPool, job: QRunnable) -> None:
    """Run `job` on `pool` (off the GUI thread); see SETTLE."""
    pool.start(job)
    if SETTLE:
        pool.waitForDone(-1)
        QCoreApplication.sendPostedEvents()


class LoadSignals(QObject):
    first_page = Signal(list)  # list[QueueRow]: the most urgent tickets, to paint at once
    loaded = Signal(list)  # list[QueueRow]: the whole queue
    failed = Signal(str)


class ReadSignals(QObject):
    """A Read's two ends, for a read whose result a slot takes (or ignores)."""

    done = Signal(object)
    failed = Signal(str)


class Read(QRunnable):
    """Read something off the GUI thread (the window stays responsive meanwhile) and hand
    it to `done`, a signal delivered on the GUI thread; a failure goes to `failed` in words
    ("the queue could not be read: ...")."""

    def __init__(
        self, db: pw.Database, what: str, read: Callable[[], Any], done: Any, failed: Any,
        *, keep_open: bool = False,
    ) -> None:  # fmt: skip
        """`keep_open`: the thread's connection stays open for the next read (a pool of one
        kept thread that reads often: a ticket opened, the queue every few seconds), saving a
        connection per read (~12 ms on a local PostgreSQL); the pool closes it (`Close`)."""
        super().__init__()
        self.setAutoDelete(True)
        self._keep_open = keep_open
        self._db = db
        self._what = what
        self._read = read
        self._done = done
        self._failed = failed

    def run(self) -> None:
        try:
            result = self._read()
        except Exception as exc:  # a database that went away: shown in the window
            self._keep_open = False  # the next read starts on a fresh connection
            self._failed.emit(f"{self._what} could not be read: {exc}")
        else:
            self._done.emit(result)
        finally:
            if not self._keep_open and not self._db.is_closed():
                self._db.close()  # this thread's connection only


class Close(QRunnable):
    """Close the connection a pool's thread kept open (`Read(keep_open=True)`)."""

    def __init__(self, db: pw.Database) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._db = db

    def run(self) -> None:
        if not self._db.is_closed():
            self._db.close()


def keeping_pool(parent: QObject) -> QThreadPool:
    """One thread, kept (never expired), so the connection it keeps open stays usable."""
    pool = QThreadPool(parent)
    pool.setMaxThreadCount(1)
    pool.setExpiryTimeout(-1)
    return pool


def close_pool(pool: QThreadPool, db: pw.Database, timeout_ms: int = 10_000) -> None:
    """Wait for the pool's jobs, then close the connection its thread kept."""
    pool.start(Close(db))
    pool.waitForDone(timeout_ms)


class RulesSignals(QObject):
    finished = Signal(object)  # deskapp.rules.RuleSummary
    failed = Signal(str)


class RulesRun(QRunnable):
    def __init__(
        self, db: pw.Database, now: dt.datetime, policy: Policy, signals: RulesSignals,
        *, skip_if_busy: bool = False,
    ) -> None:  # fmt: skip
        super().__init__()
        self.setAutoDelete(True)
        self._db = db
        self._now = now
        self._policy = policy
        self._skip_if_busy = skip_if_busy
        self.signals = signals

    def run(self) -> None:
        from deskapp.rules import run_rules
        from deskapp.store.connection import RULE_PASS_CACHE_KIB, cache_here

        try:
            cache_here(self._db, RULE_PASS_CACHE_KIB)  # the pass re-reads; closed after it
            summary = run_rules(
                self._db, FixedClock(self._now), policy=self._policy, skip_if_busy=self._skip_if_busy
            )
        except Exception as exc:  # reported to the window, never lost in a thread
            self.signals.failed.emit(f"the rule pass failed: {exc}")
        else:
            self.signals.finished.emit(summary)
        finally:
            if not self._db.is_closed():
                self._db.close()  # this thread's connection only


class ReportSignals(QObject):
    finished = Signal(object)  # (the report's name, its Table, the period's since and until)
    failed = Signal(str)
