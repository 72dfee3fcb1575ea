"""Live updates in the GUI: the store's change feed on a thread of its own.

`ChangeListenerThread(db)` runs `deskapp.store.change_feed.ChangeListener` in
a QThread and reports through queued signals:

- `changed(list[str])`: ticket numbers another workstation (or this one) changed;
- `online_changed(bool)`: the database went away / came back;
- `resync()`: back after an outage, when notifications may have been missed.

It waits in short slices so `stop()` returns promptly.
"""

from __future__ import annotations

import threading
from typing import Any

import peewee as pw
from PySide6.QtCore import QThread, Signal

from deskapp.store.change_feed import ChangeListener

SLICE_SECONDS = 0.2


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
