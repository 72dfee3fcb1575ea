"""Saves off the GUI thread: a step, a note, a reply, a new incident.

A save that waits on the database (a row another session holds, a server that accepts and
never answers) used to freeze the window; now it runs on the desk's one write thread
(`write_pool`: one thread, so saves stay in the order they were asked for, each on a fresh
connection with the connection and statement timeouts the database was opened with). The
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
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal

from deskapp.domain.lifecycle import DeskError
from deskapp.gui.desk import Desk
from deskapp.gui.workers import start

SIGNALS_NAME = "writeSignals"


class WriteSignals(QObject):
    """A view's end of its saves, living on the GUI thread: the write thread emits with the
    save's number, the slots (methods of this object, so the calls are queued to its thread)
    hand the result to that save's callbacks. One per view, for the view's life (a QObject
    deleted after its own queued slot crashed PySide at the next event loop turn)."""

    saved = Signal(int, object)  # (the save's number, what the write returned)
    refused = Signal(int, object)  # (the save's number, the exception: a DeskError … or a failure)

    def __init__(self, owner: QObject) -> None:
        super().__init__(owner)
        self._pending: dict[int, tuple[Callable[[Any], Any], Callable[[Exception], Any]]] = {}
        self._next = 0
        self.saved.connect(self._saved)
        self.refused.connect(self._refused)

    def expect(self, on_saved: Callable[[Any], Any], on_refused: Callable[[Exception], Any]) -> int:
        self._next += 1
        self._pending[self._next] = (on_saved, on_refused)
        return self._next

    def _saved(self, job: int, result: Any) -> None:
        on_saved, _refused = self._pending.pop(job)
        on_saved(result)

    def _refused(self, job: int, exc: Exception) -> None:
        _saved, on_refused = self._pending.pop(job)
        on_refused(exc)


class Write(QRunnable):
    """Run `write` on the write thread; its result to `saved`, any exception to `refused`."""

    def __init__(self, db: pw.Database, write: Callable[[], Any], signals: WriteSignals, job: int) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._db = db
        self._write = write
        self._signals = signals
        self._job = job

    def run(self) -> None:
        try:
            result = self._write()
        except Exception as exc:  # said in the window, never lost in a thread
            self._signals.refused.emit(self._job, _bare(exc))
        else:
            self._signals.saved.emit(self._job, result)
        finally:
            if not self._db.is_closed():
                with contextlib.suppress(pw.PeeweeException):
                    self._db.close()  # this thread's connection only: a save is worth a fresh one


def _bare(exc: BaseException) -> BaseException:
    """`exc` without its tracebacks (and those of the exceptions it came from): their frames
    hold this runnable, which Qt deletes when `run` returns; a wrapper of it outliving it in
    the GUI thread crashed the app when the traceback was let go."""
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        node.__traceback__ = None
        node = node.__cause__ or node.__context__
    return exc


def write_pool(desk: Desk) -> QThreadPool:
    """The desk's one write thread (made on first use). It belongs to the application, not
    to Python's collector: a pool collected with the last view of a desk took Qt down with
    it. Its thread expires when idle; each save closes its connection (`Write`)."""
    pool = desk.write_pool
    if not isinstance(pool, QThreadPool):
        pool = QThreadPool(QCoreApplication.instance())
        pool.setMaxThreadCount(1)  # one thread: saves in the order they were asked for
        desk.write_pool = pool
    return pool


def save(
    desk: Desk, write: Callable[[], Any], saved: Callable[[Any], Any], refused: Callable[[Exception], Any],
    *, owner: QObject,
) -> None:  # fmt: skip
    """Run `write` on `desk`'s write thread; `saved(result)` or `refused(exc)` is called on
    the GUI thread afterwards. `owner` (the view) keeps the signals alive while it lives."""
    signals = owner.findChild(WriteSignals, SIGNALS_NAME, Qt.FindChildOption.FindDirectChildrenOnly)
    if not isinstance(signals, WriteSignals):
        signals = WriteSignals(owner)
        signals.setObjectName(SIGNALS_NAME)
    job = signals.expect(saved, refused)
    start(write_pool(desk), Write(desk.db, write, signals, job))


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
    """At sign-out or quit: let the saves started finish."""
    wait_for_writes(desk, timeout_ms)
