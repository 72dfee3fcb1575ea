"""Notices (a P1 logged, a ticket at risk or breached): through the system tray where there
is one, and in the window where there is none (`in_window`); off when the person turned
them off in Settings."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QSystemTrayIcon

from deskapp.resources import resource_path


class Notifier(QObject):
    in_window = Signal(str, str, bool)  # title, message, urgent: no tray here, the window shows it

    def __init__(self, parent: Any = None, *, tray: bool | None = None) -> None:
        """`tray`: whether to use the system tray (None: where Qt says there is one)."""
        super().__init__(parent)
        self.sent: list[tuple[str, str]] = []  # what was shown, newest last (tests, the log)
        self.enabled = True
        self._tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable() if tray is None else tray:
            self._tray = QSystemTrayIcon(QIcon(str(resource_path("icons", "deskapp.svg"))), self)
            self._tray.setToolTip("deskapp")
            self._tray.show()

    @property
    def has_tray(self) -> bool:
        return self._tray is not None

    def notify(self, title: str, message: str, *, urgent: bool = False) -> None:
        if not self.enabled:
            return
        self.sent.append((title, message))
        del self.sent[:-100]
        if self._tray is not None:
            icon = QSystemTrayIcon.MessageIcon.Critical if urgent else QSystemTrayIcon.MessageIcon.Warning
            self._tray.showMessage(title, message, icon, 10_000)
        else:
            self.in_window.emit(title, message, urgent)

    def hide(self) -> None:
        if self._tray is not None:
            self._tray.hide()
