"""Desktop notifications through the system tray (P1 logged, a ticket at risk or breached)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QSystemTrayIcon

from deskapp.resources import resource_path


class Notifier(QObject):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.sent: list[tuple[str, str]] = []  # what was shown, newest last (tests, the log)
        self._tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self._tray = QSystemTrayIcon(QIcon(str(resource_path("icons", "deskapp.svg"))), self)
            self._tray.setToolTip("deskapp")
            self._tray.show()

    def notify(self, title: str, message: str, *, urgent: bool = False) -> None:
        self.sent.append((title, message))
        del self.sent[:-100]
        if self._tray is not None:
            icon = QSystemTrayIcon.MessageIcon.Critical if urgent else QSystemTrayIcon.MessageIcon.Warning
            self._tray.showMessage(title, message, icon, 10_000)

    def hide(self) -> None:
        if self._tray is not None:
            self._tray.hide()
