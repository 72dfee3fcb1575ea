"""Change my password (anyone, for themselves): the current one, then the new one twice."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit

from deskapp.domain.lifecycle import DeskError
from deskapp.gui.desk import Desk
from deskapp.gui.forms import child, load_form


class PasswordDialog(QDialog):
    def __init__(self, desk: Desk, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("passwordDialog")
        self.setWindowTitle(f"deskapp: change the password of {desk.session.login}")
        self.desk = desk
        form = load_form("password_dialog.ui", self)
        self.current_edit = child(form, QLineEdit, "currentPasswordEdit")
        self.new_edit = child(form, QLineEdit, "newPasswordEdit")
        self.again_edit = child(form, QLineEdit, "againPasswordEdit")
        self.error_label = child(form, QLabel, "passwordErrorLabel")
        self.error_label.setProperty("role", "error")
        buttons = child(form, QDialogButtonBox, "passwordButtonBox")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

    def save(self) -> bool:
        new = self.new_edit.text()
        if new != self.again_edit.text():
            self.error_label.setText("the two new passwords differ; type the same one twice")
            return False
        try:
            self.desk.change_own_password(self.current_edit.text(), new)
        except DeskError as exc:
            self.error_label.setText(str(exc))
            return False
        self.error_label.clear()
        return True

    def accept(self) -> None:
        if self.save():
            super().accept()
