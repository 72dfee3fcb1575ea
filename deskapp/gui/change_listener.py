"""Live updates in the GUI: the store's change feed on a thread of its own.

`ChangeListenerThread(db)` runs `deskapp.store.change_feed.ChangeListener` in
a QThread and reports through queued signals:

- `changed(list[str])`: ticket numbers another workstation (or this one) changed;
- `online_changed(bool)`: the database went away / came back;
- `resync()`: back after an outage, when notifications may have been missed.

It waits in short slices so `stop()` returns promptly.

`ChangePoller(db)` has the same signals and methods, but costs the server no
connection of its own: on PostgreSQL it listens on the GUI thread's work
connection (`deskapp.store.change_feed.open_shared_feed`) and a QTimer on the
GUI thread polls it, without waiting, between uses. A workstation then holds
one connection (plus one for a moment while a read runs off the GUI thread),
so fifty fit a server's default max_connections of 100.
"""

from __future__ import annotations

import threading
from typing import Any

import peewee as pw
from PySide6.QtCore import QObject, QThread, QTimer, Signal

from deskapp.store.change_feed import ChangeListener, open_shared_feed

SLICE_SECONDS = 0.2
POLL_MS = 200  # a change is seen within a second with room to spare


class ChangeListenerThread(QThread):
    changed = Signal(list)  # list[str]: ticket numbers
    online_changed = Signal(bool)
    resync = Signal()

    def __init__(self, db: pw.Database, parent: Any = None) -> None:
        super().__init__(parent)
        self._db = db
        self.setObjectName("changeListener")
        self.listening = threading.Event()

    def run(self) -> None:
        listener = ChangeListener(self._db)
        online = listener.online
        self.listening.set()  # changes from now on are reported
        if not online:
            self.online_changed.emit(False)
        try:
            while not self.isInterruptionRequested():
                batch = listener.next(SLICE_SECONDS)
                if batch.online != online:
                    online = batch.online
                    self.online_changed.emit(online)
                if batch.resync:
                    self.resync.emit()
                if batch.numbers:
                    self.changed.emit(list(batch.numbers))
        finally:
            listener.close()

    def stop(self) -> None:
        self.requestInterruption()
        self.wait(5000)


class ChangePoller(QObject):
    changed = Signal(list)  # list[str]: ticket numbers
    online_changed = Signal(bool)
    resync = Signal()

    def __init__(self, db: pw.Database, parent: Any = None, *, interval_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self._db = db
        self.setObjectName("changePoller")
        self.listening = threading.Event()
        self._listener: ChangeListener | None = None
        self._online = True
        self._timer = QTimer(self)
        self._timer.setObjectName("changePollTimer")
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)

    def start(self) -> None:
        """Listen on this thread's connection (the GUI thread's: call it there)."""
        if self._listener is None:
            self._listener = ChangeListener(self._db, opener=open_shared_feed)
            self.listening.set()
            if not self._listener.online:
                self._online = False
                self.online_changed.emit(False)
        self._timer.start()

    def poll(self) -> None:
        if self._listener is None:
            return
        batch = self._listener.next(0.0)  # never waits: the GUI thread stays responsive
        if batch.online != self._online:
            self._online = batch.online
            self.online_changed.emit(batch.online)
        if batch.resync:
            self.resync.emit()
        if batch.numbers:
            self.changed.emit(list(batch.numbers))

    def stop(self) -> None:
        self._timer.stop()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
