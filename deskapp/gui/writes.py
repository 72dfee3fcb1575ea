"""Saves off the GUI thread: a step, a note, a reply, a new incident.

A save that waits on the database (a row another session holds, a server that accepts and
never answers) used to freeze the window; now it runs on the desk's one write thread
(`write_pool`: one thread, so saves stay in the order they were asked for, on their own kept
connection, with the connection and statement timeouts the database was opened with). The
result or the refusal comes back to the GUI thread through `WriteSignals`; the view keeps
what was typed until the save is done, and says a refusal in words as before.

Tests that check a view right after a call rely on `workers.SETTLE`: `save` then waits for
the write and delivers its result before returning.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import peewee as pw
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from deskapp.domain.lifecycle import DeskError
from deskapp.gui.desk import Desk
from deskapp.gui.workers import close_pool, start


class WriteSignals(QObject):
    """The two ends of a save, living on the GUI thread: the write thread emits, the slots
    (methods of this object, so the calls are queued to its thread) hand on and let go."""

    saved = Signal(object)  # what the write returned
    refused = Signal(object)  # the exception: a DeskError (ConflictError …) or a database failure

    def __init__(
        self, on_saved: Callable[[Any], Any], on_refused: Callable[[Exception], Any], owner: QObject
    ) -> None:
        super().__init__(owner)
        self._on_saved, self._on_refused = on_saved, on_refused
        self.saved.connect(self._saved)
        self.refused.connect(self._refused)

    def _saved(self, result: Any) -> None:
        self.deleteLater()
        self._on_saved(result)

    def _refused(self, exc: Exception) -> None:
        self.deleteLater()
        self._on_refused(exc)


class Write(QRunnable):
    """Run `write` on the write thread; its result to `saved`, any exception to `refused`."""

    def __init__(self, db: pw.Database, write: Callable[[], Any], signals: WriteSignals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._db = db
        self._write = write
        self._signals = signals

    def run(self) -> None:
        try:
            result = self._write()
        except Exception as exc:  # said in the window, never lost in a thread
            if not isinstance(exc, DeskError) and not self._db.is_closed():
                with contextlib.suppress(pw.PeeweeException):
                    self._db.close()  # a connection that failed: the next save opens a fresh one
            self._signals.refused.emit(exc)
        else:
            self._signals.saved.emit(result)


def write_pool(desk: Desk) -> QThreadPool:
    """The desk's one write thread (made on first use, kept for the session)."""
    pool = desk.write_pool
    if not isinstance(pool, QThreadPool):
        pool = QThreadPool()
        pool.setMaxThreadCount(1)  # one thread: saves in the order they were asked for
        pool.setExpiryTimeout(-1)  # kept, with its connection
        desk.write_pool = pool
    return pool


def save(
    desk: Desk, write: Callable[[], Any], saved: Callable[[Any], Any], refused: Callable[[Exception], Any],
    *, owner: QObject,
) -> None:  # fmt: skip
    """Run `write` on `desk`'s write thread; `saved(result)` or `refused(exc)` is called on
    the GUI thread afterwards. `owner` (the view) keeps the signals alive while it lives."""
    signals = WriteSignals(saved, refused, owner)
    start(write_pool(desk), Write(desk.db, write, signals))


def refusal_text(exc: Exception) -> str:
    """A refusal in words: the services' own sentence, or what the database said."""
    if isinstance(exc, DeskError):
        return str(exc)
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"not saved: the database did not take it ({first}); what you typed is kept"


def wait_for_writes(desk: Desk | None, timeout_ms: int = 10_000) -> None:
    """Block until the saves started so far are done (their results are posted)."""
    if desk is not None and isinstance(desk.write_pool, QThreadPool):
        desk.write_pool.waitForDone(timeout_ms)


def stop_writes(desk: Desk | None, timeout_ms: int = 10_000) -> None:
    """At sign-out or quit: let the saves finish, then close the write thread's connection."""
    if desk is not None and isinstance(desk.write_pool, QThreadPool):
        close_pool(desk.write_pool, desk.db, timeout_ms)
