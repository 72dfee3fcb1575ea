"""Sending mail off the GUI thread: one drain of the outbox in a QThreadPool worker
(like the rule pass in `deskapp.gui.workers`).

The SMTP settings are read from the database and the password from the OS keyring
on the pool thread (either may block), on that thread's own database connection,
which is closed when done; the result comes back through queued signals.
"""

from __future__ import annotations

from typing import Any

import peewee as pw
from PySide6.QtCore import QObject, QRunnable, Signal

from deskapp.domain.clock import Clock

NO_SERVER = "no mail server is set: an administrator sets it under Mail server…"


class SendSignals(QObject):
    finished = Signal(object)  # deskapp.mail.sender.DrainReport
    failed = Signal(str)


class MailSend(QRunnable):
    def __init__(self, db: pw.Database, clock: Clock, signals: SendSignals, transport: Any = None) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._db = db
        self._clock = clock
        self._transport = transport  # tests hand in a fake; None: SMTP
        self.signals = signals

    def run(self) -> None:
        from deskapp.mail.sender import drain, load_settings
        from deskapp.mail.smtp_transport import password_from_keyring

        try:
            settings = load_settings(self._db)
            if settings is None:
                self.signals.failed.emit(NO_SERVER)
                return
            try:
                password = password_from_keyring(settings)
            except Exception as exc:  # keyring backends raise their own types
                self.signals.failed.emit(f"the mail password could not be read from the keyring: {exc}")
                return
            extra = {} if self._transport is None else {"transport": self._transport}
            report = drain(self._db, self._clock, settings, password, **extra)
        except Exception as exc:  # reported to the view, never lost in a thread
            self.signals.failed.emit(f"sending failed: {exc}")
        else:
            self.signals.finished.emit(report)
        finally:
            if not self._db.is_closed():
                self._db.close()  # this thread's connection only


class CheckSignals(QObject):
    answered = Signal(str)  # what the server said
    failed = Signal(str)


class ConnectionCheck(QRunnable):
    """Try the mail server as typed in the dialog (not yet saved): connect, secure, log in.
    The password comes from the dialog, else from the keyring, read on the pool thread."""

    def __init__(self, settings: Any, password: str | None, signals: CheckSignals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._settings = settings
        self._password = password
        self.signals = signals

    def run(self) -> None:
        from deskapp.mail.smtp_transport import SendError, check_connection, password_from_keyring

        try:
            password = self._password
            if password is None and self._settings.login:
                password = password_from_keyring(self._settings)
            self.signals.answered.emit(check_connection(self._settings, password))
        except SendError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # a keyring backend's own errors
            self.signals.failed.emit(f"the test could not run: {exc}")
