"""Sign-in with a staff login and password; on an empty database, the first administrator."""

from __future__ import annotations

from typing import Any

import peewee as pw
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit

from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import DeskError, Role
from deskapp.gui.forms import child, load_form
from deskapp.gui.session import Session
from deskapp.services import directory


def _error_style(label: QLabel) -> None:
    label.setObjectName("errorLabel")
    label.setProperty("role", "error")


class SignInDialog(QDialog):
    def __init__(self, db: pw.Database, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("deskapp: sign in")
        self._db = db
        self.session: Session | None = None
        form = load_form("signin_dialog.ui", self)
        self.login_edit = child(form, QLineEdit, "loginEdit")
        self.password_edit = child(form, QLineEdit, "passwordEdit")
        self.error_label = child(form, QLabel, "errorLabel")
        _error_style(self.error_label)
        buttons = child(form, QDialogButtonBox, "buttonBox")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

    def accept(self) -> None:
        try:
            staff = directory.authenticate(self._db, self.login_edit.text(), self.password_edit.text())
        except DeskError as exc:
            self.error_label.setText(str(exc))
            self.password_edit.selectAll()
            self.password_edit.setFocus()
            return
        self.session = Session(staff.login, staff.name, Role(staff.role))
        super().accept()


class FirstAdminDialog(QDialog):
    def __init__(self, db: pw.Database, clock: Clock, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("deskapp: first administrator")
        self._db = db
        self._clock = clock
        self.session: Session | None = None
        form = load_form("first_admin_dialog.ui", self)
        self.login_edit = child(form, QLineEdit, "loginEdit")
        self.name_edit = child(form, QLineEdit, "nameEdit")
        self.password_edit = child(form, QLineEdit, "passwordEdit")
        self.confirm_edit = child(form, QLineEdit, "confirmEdit")
        self.error_label = child(form, QLabel, "errorLabel")
        _error_style(self.error_label)
        buttons = child(form, QDialogButtonBox, "buttonBox")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        # A live PostgreSQL desk gets its first administrator from the owner's `init`
        # (a login role, no hash in a table): this dialog says how, and makes none.
        self.refusal = directory.owner_makes_first_admin(db)
        if self.refusal:
            self.error_label.setText(self.refusal[0].upper() + self.refusal[1:] + ".")
            self.error_label.setWordWrap(True)
            for edit in (self.login_edit, self.name_edit, self.password_edit, self.confirm_edit):
                edit.setEnabled(False)
            ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
            if ok is not None:
                ok.setEnabled(False)

    def accept(self) -> None:
        if self.refusal:
            return
        password = self.password_edit.text()
        if len(password) < directory.MIN_PASSWORD:
            self.error_label.setText(f"the password needs at least {directory.MIN_PASSWORD} characters")
            return
        if password != self.confirm_edit.text():
            self.error_label.setText("the two passwords differ; type the same one twice")
            return
        try:
            staff = directory.add_staff(
                self._db, self._clock, None, self.login_edit.text(),
                name=self.name_edit.text(), role=Role.ADMIN.value, password=password,
            )  # fmt: skip
        except DeskError as exc:
            self.error_label.setText(str(exc))
            return
        self.session = Session(staff.login, staff.name, Role(staff.role))
        super().accept()
