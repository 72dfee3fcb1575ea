"""One copy of the app per person on a workstation, and Qt's own warnings in the log.

    guard = SingleInstance.claim("deskapp")   # None: another copy runs (and was raised)
    guard.raise_requested.connect(window.bring_to_front)

A `QLockFile` in the user's runtime folder says a copy runs (a stale lock of a
crashed copy is taken over); a `QLocalServer` of the same name lets a second
start ask the first to come to the front, then the second one exits.
"""

from __future__ import annotations

import getpass
import logging
import re
from pathlib import Path
from typing import Any

import platformdirs
from PySide6.QtCore import QLockFile, QObject, QtMsgType, Signal, qInstallMessageHandler
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from deskapp.logs import log

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
_qt_log = log.getChild("qt")


def qt_message(kind: QtMsgType, context: Any, message: str) -> None:
    """Qt's messages (e.g. "Ambiguous shortcut overload") go to the app's log."""
    where = f" ({context.file}:{context.line})" if getattr(context, "file", None) else ""
    _qt_log.log(_LEVELS.get(kind, logging.WARNING), "%s%s", message, where)


def install_qt_log() -> None:
    qInstallMessageHandler(qt_message)


def _seat_name(app_name: str) -> str:
    user = re.sub(r"[^A-Za-z0-9_.-]", "_", getpass.getuser() or "user")
    return f"{app_name}-{user}"


class SingleInstance(QObject):
    raise_requested = Signal()  # a second start asked this copy to come to the front

    def __init__(self, lock: QLockFile, server: QLocalServer, parent: Any = None) -> None:
        super().__init__(parent)
        self._lock = lock
        self._server = server
        server.setParent(self)
        server.newConnection.connect(self._on_connection)

    @classmethod
    def claim(cls, app_name: str = "deskapp", folder: Path | None = None) -> SingleInstance | None:
        """This copy's claim on the seat; None when another copy holds it (it was asked to
        come to the front)."""
        name = _seat_name(app_name)
        where = folder or Path(platformdirs.user_runtime_dir(app_name, appauthor=False, ensure_exists=True))
        lock = QLockFile(str(where / f"{name}.lock"))
        address = str(where / f"{name}.socket")  # a full path: never the temp folder's guess
        lock.setStaleLockTime(0)  # a lock is stale only when its process is gone
        if not lock.tryLock(100):
            socket = QLocalSocket()
            socket.connectToServer(address)
            if socket.waitForConnected(1000):
                socket.write(b"raise\n")
                socket.waitForBytesWritten(1000)
                socket.disconnectFromServer()
            return None
        QLocalServer.removeServer(address)  # a crashed copy's leftover socket
        server = QLocalServer()
        server.listen(address)
        return cls(lock, server)

    def _on_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.disconnected.connect(socket.deleteLater)
            self.raise_requested.emit()

    def release(self) -> None:
        self._server.close()
        self._lock.unlock()
