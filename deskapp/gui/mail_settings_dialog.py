"""The desk's mail server: host, port, security, login and sender (administrators, through
`deskapp.services.mail_settings`), and the SMTP password, which goes to this
workstation's OS keyring and never into a file or the database.

Anyone may keep the password on their own workstation (so its "Send now" can log
in); only an administrator changes the server itself.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QLineEdit, QPushButton, QSpinBox

from deskapp.domain.lifecycle import DeskError, Role
from deskapp.gui.desk import Desk
from deskapp.gui.forms import child, load_form
from deskapp.gui.mail_worker import CheckSignals, ConnectionCheck
from deskapp.mail.smtp_transport import KEYRING_SERVICE, SECURITY, SmtpSettings
from deskapp.services import mail_settings

SECURITY_LABELS = {"starttls": "STARTTLS (usually port 587)", "tls": "TLS (usually port 465)",
                   "none": "None (a relay on a trusted network)"}  # fmt: skip


def keyring_user(login: str, host: str) -> str:
    return f"{login}@{host}"


class MailSettingsDialog(QDialog):
    def __init__(self, desk: Desk, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("mailSettingsDialog")
        self.setWindowTitle("deskapp: mail server")
        self.desk = desk
        form = load_form("mail_settings_dialog.ui", self)
        self.host_edit = child(form, QLineEdit, "hostEdit")
        self.port_spin = child(form, QSpinBox, "portSpin")
        self.security_combo = child(form, QComboBox, "securityCombo")
        self.login_edit = child(form, QLineEdit, "smtpLoginEdit")
        self.password_edit = child(form, QLineEdit, "smtpPasswordEdit")
        self.sender_edit = child(form, QLineEdit, "senderEdit")
        self.note_label = child(form, QLabel, "mailSettingsNoteLabel")
        self.error_label = child(form, QLabel, "mailSettingsErrorLabel")
        self.error_label.setProperty("role", "error")
        self.test_button = child(form, QPushButton, "testConnectionButton")
        self.result_label = child(form, QLabel, "connectionResultLabel")
        self.test_button.clicked.connect(self.test_connection)
        self._checks = QThreadPool(self)
        self._check_signals = CheckSignals(self)
        self._check_signals.answered.connect(self._answered)
        self._check_signals.failed.connect(self._failed)
        buttons = child(form, QDialogButtonBox, "mailButtonBox")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        for value in SECURITY:
            self.security_combo.addItem(SECURITY_LABELS.get(value, value), value)
        self.is_admin = desk.session.role is Role.ADMIN
        server = (self.host_edit, self.port_spin, self.security_combo, self.login_edit, self.sender_edit)
        for widget in server:
            widget.setEnabled(self.is_admin)
        if not self.is_admin:
            self.note_label.setText(
                "Only an administrator changes the server; you can keep its password on this computer."
            )
        self._load()

    def _load(self) -> None:
        current = mail_settings.smtp_settings(self.desk.db)
        if current is None:
            self.security_combo.setCurrentIndex(self.security_combo.findData("starttls"))
            if not self.is_admin:
                self.note_label.setText("No mail server is set yet: ask an administrator.")
            return
        self.host_edit.setText(current.host)
        self.port_spin.setValue(current.port)
        self.security_combo.setCurrentIndex(self.security_combo.findData(current.security))
        self.login_edit.setText(current.login or "")
        self.sender_edit.setText(current.sender)

    def save(self) -> bool:
        """Keep the password in the keyring, then (administrators) the server; errors in words."""
        host, login = self.host_edit.text().strip(), self.login_edit.text().strip()
        password = self.password_edit.text()
        if password and not login:
            self.error_label.setText("a password needs a login")
            return False
        if password and not host:
            self.error_label.setText("a password needs the server's host name")
            return False
        if self.is_admin:
            try:
                mail_settings.set_smtp_settings(
                    self.desk.db, self.desk.session.login, host=host, port=self.port_spin.value(),
                    security=str(self.security_combo.currentData()), login=login,
                    sender=self.sender_edit.text(),
                )  # fmt: skip
            except DeskError as exc:
                self.error_label.setText(str(exc))
                return False
        if password:
            try:
                import keyring

                keyring.set_password(KEYRING_SERVICE, keyring_user(login, host), password)
            except Exception as exc:  # keyring backends raise their own types
                self.error_label.setText(f"the password could not be kept in the system keyring: {exc}")
                return False
            self.password_edit.clear()
        self.error_label.clear()
        return True

    def test_connection(self) -> bool:
        """Try the server as typed, off the GUI thread; the answer appears beside the button."""
        host = self.host_edit.text().strip()
        if not host:
            self._checked("Failed: the server's host name is empty", error=True)
            return False
        try:
            settings = SmtpSettings(
                host=host, port=self.port_spin.value(), security=str(self.security_combo.currentData()),
                login=self.login_edit.text().strip() or None, timeout=10.0,
            )  # fmt: skip
        except ValueError as exc:
            self._checked(f"Failed: {exc}", error=True)
            return False
        self.test_button.setEnabled(False)
        self.result_label.setProperty("role", "")
        self.result_label.setText(f"Testing {host}:{settings.port}…")
        self._checks.start(ConnectionCheck(settings, self.password_edit.text() or None, self._check_signals))
        return True

    def _answered(self, text: str) -> None:
        self._checked(f"OK: {text}", error=False)

    def _failed(self, text: str) -> None:
        self._checked(f"Failed: {text}", error=True)

    def _checked(self, text: str, *, error: bool) -> None:
        self.test_button.setEnabled(True)
        self.result_label.setProperty("role", "error" if error else "")
        self.result_label.style().unpolish(self.result_label)
        self.result_label.style().polish(self.result_label)
        self.result_label.setText(text)

    def done(self, result: int) -> None:
        # A test still running reports to this dialog: let it finish (its timeout bounds this).
        self._checks.waitForDone()
        super().done(result)

    def accept(self) -> None:
        if self.save():
            super().accept()
