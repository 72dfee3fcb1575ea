"""The directory (administrators): who works the desk and which resellers it serves.

Add a staff member or a reseller; correct a member's name or change their role;
correct a reseller's name, email or phone; stop or restore someone's sign-in (a
member retired), retire or restore a reseller; set a password. Every change goes
through `deskapp.services.directory` (via `Desk`), which checks the role again;
errors appear in words beside the form and what was typed is kept. A fresh desk
needs this before its first ticket: a ticket's reseller must be in the directory.
"""

from __future__ import annotations

from typing import Any

import peewee as pw
from PySide6.QtWidgets import QComboBox, QHeaderView, QLabel, QLineEdit, QPushButton, QTableView, QWidget

from deskapp.domain.lifecycle import DeskError, Role
from deskapp.gui import form_keys
from deskapp.gui.desk import Desk
from deskapp.gui.forms import child, load_form
from deskapp.gui.models.directory_models import ResellerModel, StaffModel

COUNTRIES = (("GB", "United Kingdom (GB)"), ("IE", "Republic of Ireland (IE)"))  # the Territory


class DirectoryView(QWidget):
    def __init__(self, desk: Desk, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("directoryView")
        self.desk = desk
        self.staff_model = StaffModel(self)
        self.reseller_model = ResellerModel(self)
        form = load_form("directory_view.ui", self)
        self.staff_table = child(form, QTableView, "staffTable")
        self.reseller_table = child(form, QTableView, "resellerTable")
        self.toggle_active_button = child(form, QPushButton, "toggleActiveButton")
        self.new_password_edit = child(form, QLineEdit, "newPasswordEdit")
        self.set_password_button = child(form, QPushButton, "setPasswordButton")
        self.login_edit = child(form, QLineEdit, "staffLoginEdit")
        self.name_edit = child(form, QLineEdit, "staffNameEdit")
        self.role_combo = child(form, QComboBox, "staffRoleCombo")
        self.password_edit = child(form, QLineEdit, "staffPasswordEdit")
        self.add_staff_button = child(form, QPushButton, "addStaffButton")
        self.staff_message = child(form, QLabel, "staffMessageLabel")
        self.reseller_name_edit = child(form, QLineEdit, "resellerNameEdit")
        self.country_combo = child(form, QComboBox, "resellerCountryCombo")
        self.reseller_email_edit = child(form, QLineEdit, "resellerEmailEdit")
        self.reseller_phone_edit = child(form, QLineEdit, "resellerPhoneEdit")
        self.add_reseller_button = child(form, QPushButton, "addResellerButton")
        self.reseller_message = child(form, QLabel, "resellerMessageLabel")
        self.edit_staff_group = child(form, QWidget, "editStaffGroup")
        self.edit_name_edit = child(form, QLineEdit, "editStaffNameEdit")
        self.edit_role_combo = child(form, QComboBox, "editStaffRoleCombo")
        self.save_staff_button = child(form, QPushButton, "saveStaffButton")
        self.edit_reseller_group = child(form, QWidget, "editResellerGroup")
        self.edit_reseller_name_edit = child(form, QLineEdit, "editResellerNameEdit")
        self.edit_reseller_email_edit = child(form, QLineEdit, "editResellerEmailEdit")
        self.edit_reseller_phone_edit = child(form, QLineEdit, "editResellerPhoneEdit")
        self.save_reseller_button = child(form, QPushButton, "saveResellerButton")
        self.toggle_reseller_button = child(form, QPushButton, "toggleResellerButton")
        self.toggle_active_button.setToolTip(
            "Retire a member: they can no longer sign in; tickets and history stay"
        )
        for role in Role:
            self.role_combo.addItem(role.label, role.value)
            self.edit_role_combo.addItem(role.label, role.value)
        self.role_combo.setCurrentIndex(self.role_combo.findData(Role.TIER1.value))
        for code, label in COUNTRIES:
            self.country_combo.addItem(label, code)
        tables = ((self.staff_table, self.staff_model), (self.reseller_table, self.reseller_model))
        for table, model in tables:
            table.setModel(model)
            table.verticalHeader().setVisible(False)
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            table.horizontalHeader().setStretchLastSection(True)
        self.staff_table.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())
        self.reseller_table.selectionModel().currentRowChanged.connect(lambda *_: self._reseller_changed())
        self.save_staff_button.clicked.connect(lambda: self.save_staff())
        self.save_reseller_button.clicked.connect(lambda: self.save_reseller())
        self.toggle_reseller_button.clicked.connect(lambda: self.toggle_reseller())
        form_keys.enter_saves((self.edit_name_edit,), self.save_staff)
        form_keys.enter_saves((self.edit_reseller_name_edit, self.edit_reseller_email_edit,
                               self.edit_reseller_phone_edit), self.save_reseller)  # fmt: skip
        self.toggle_active_button.clicked.connect(lambda: self.toggle_active())
        self.set_password_button.clicked.connect(lambda: self.set_password())
        self.new_password_edit.returnPressed.connect(lambda: self.set_password())
        self.add_staff_button.clicked.connect(lambda: self.add_staff())
        self.add_reseller_button.clicked.connect(lambda: self.add_reseller())
        form_keys.enter_saves((self.login_edit, self.name_edit, self.password_edit), self.add_staff)
        form_keys.enter_saves((self.reseller_name_edit, self.reseller_email_edit, self.reseller_phone_edit),
                              self.add_reseller)  # fmt: skip
        form_keys.enter_saves((self.new_password_edit,), self.set_password)
        self._selection_changed()
        self._reseller_changed()

    def reload(self) -> None:
        selected, seller = self.selected_login(), self.selected_reseller()
        try:
            staff, resellers = self.desk.staff(), self.desk.resellers()
        except (DeskError, pw.PeeweeException) as exc:  # the database went away: said, kept
            self._say(self.staff_message, f"the directory could not be read: {exc}", error=True)
            return
        self.staff_model.set_rows(staff)
        self.reseller_model.set_rows(resellers)
        if selected is not None:
            self.select_login(selected)
        if seller is not None:
            self.select_reseller(seller)
        self._selection_changed()
        self._reseller_changed()

    # --- staff ----------------------------------------------------------------------------

    def selected_login(self) -> str | None:
        row = self.staff_table.currentIndex().row()
        return self.staff_model.member(row).login if 0 <= row < self.staff_model.row_count() else None

    def select_login(self, login: str) -> None:
        row = self.staff_model.row_of(login)
        if row is not None:
            self.staff_table.setCurrentIndex(self.staff_model.index(row, 0))

    def _selection_changed(self) -> None:
        login = self.selected_login()
        chosen = login is not None
        for widget in (self.toggle_active_button, self.new_password_edit, self.set_password_button,
                       self.edit_staff_group):  # fmt: skip
            widget.setEnabled(chosen)
        row = None if login is None else self.staff_model.row_of(login)
        if row is not None:
            member = self.staff_model.member(row)
            self.toggle_active_button.setText("&Stop sign-in" if member.active else "Re&store sign-in")
            self.edit_name_edit.setText(member.name)
            self.edit_role_combo.setCurrentIndex(self.edit_role_combo.findData(member.role.value))
        else:
            self.edit_name_edit.clear()

    def save_staff(self) -> bool:
        """The selected member's name and role as the edit fields say."""
        login = self.selected_login()
        if login is None:
            return False
        try:
            self.desk.edit_staff(login, self.edit_name_edit.text(), str(self.edit_role_combo.currentData()))
        except DeskError as exc:
            self._say(self.staff_message, str(exc), error=True)
            return False
        self.reload()
        self._say(self.staff_message, f"{login} saved: {self.edit_name_edit.text().strip()}, "
                                      f"{self.edit_role_combo.currentText()}", error=False)  # fmt: skip
        return True

    def add_staff(self) -> bool:
        login = self.login_edit.text().strip().lower()
        try:
            self.desk.add_staff(login, self.name_edit.text(), str(self.role_combo.currentData()),
                                self.password_edit.text())  # fmt: skip
        except DeskError as exc:
            self._say(self.staff_message, str(exc), error=True)
            return False
        for edit in (self.login_edit, self.name_edit, self.password_edit):
            edit.clear()
        self.reload()
        self.select_login(login)
        self._say(self.staff_message, f"{login} added; they can sign in now", error=False)
        return True

    def toggle_active(self) -> bool:
        login = self.selected_login()
        row = None if login is None else self.staff_model.row_of(login)
        if login is None or row is None:
            return False
        active = not self.staff_model.member(row).active
        try:
            self.desk.set_staff_active(login, active)
        except DeskError as exc:
            self._say(self.staff_message, str(exc), error=True)
            return False
        self.reload()
        what = "can sign in again" if active else "can no longer sign in; their tickets and history stay"
        self._say(self.staff_message, f"{login} {what}", error=False)
        return True

    def set_password(self) -> bool:
        login = self.selected_login()
        if login is None:
            return False
        try:
            self.desk.set_password(login, self.new_password_edit.text())
        except DeskError as exc:
            self._say(self.staff_message, str(exc), error=True)
            return False
        self.new_password_edit.clear()
        self.reload()
        self._say(self.staff_message, f"{login}'s password is set; tell them it in person", error=False)
        return True

    # --- resellers -------------------------------------------------------------------------

    def add_reseller(self) -> bool:
        name = self.reseller_name_edit.text().strip()
        try:
            self.desk.add_reseller(name, str(self.country_combo.currentData()),
                                   self.reseller_email_edit.text().strip(),
                                   self.reseller_phone_edit.text().strip())  # fmt: skip
        except DeskError as exc:
            self._say(self.reseller_message, str(exc), error=True)
            return False
        for edit in (self.reseller_name_edit, self.reseller_email_edit, self.reseller_phone_edit):
            edit.clear()
        self.reload()
        self._say(self.reseller_message, f"{name} added: tickets can be logged for it now", error=False)
        return True

    def selected_reseller(self) -> str | None:
        row = self.reseller_table.currentIndex().row()
        return self.reseller_model.reseller(row).name if 0 <= row < self.reseller_model.row_count() else None

    def select_reseller(self, name: str) -> None:
        row = self.reseller_model.row_of(name)
        if row is not None:
            self.reseller_table.setCurrentIndex(self.reseller_model.index(row, 0))

    def _reseller_changed(self) -> None:
        name = self.selected_reseller()
        self.edit_reseller_group.setEnabled(name is not None)
        row = None if name is None else self.reseller_model.row_of(name)
        if row is None:
            for edit in (
                self.edit_reseller_name_edit,
                self.edit_reseller_email_edit,
                self.edit_reseller_phone_edit,
            ):
                edit.clear()
            return
        seller = self.reseller_model.reseller(row)
        self.edit_reseller_name_edit.setText(seller.name)
        self.edit_reseller_email_edit.setText(seller.email or "")
        self.edit_reseller_phone_edit.setText(seller.phone or "")
        self.toggle_reseller_button.setText("Re&tire reseller" if seller.active else "Res&tore reseller")

    def save_reseller(self) -> bool:
        """The selected reseller's name, email and phone as the edit fields say (empty: none)."""
        name = self.selected_reseller()
        if name is None:
            return False
        new_name = self.edit_reseller_name_edit.text().strip()
        try:
            self.desk.edit_reseller(name, new_name, self.edit_reseller_email_edit.text().strip(),
                                    self.edit_reseller_phone_edit.text().strip())  # fmt: skip
        except DeskError as exc:
            self._say(self.reseller_message, str(exc), error=True)
            return False
        self.reload()
        self.select_reseller(new_name)
        self._say(self.reseller_message, f"{new_name} saved", error=False)
        return True

    def toggle_reseller(self) -> bool:
        name = self.selected_reseller()
        row = None if name is None else self.reseller_model.row_of(name)
        if name is None or row is None:
            return False
        active = not self.reseller_model.reseller(row).active
        try:
            self.desk.set_reseller_active(name, active)
        except DeskError as exc:
            self._say(self.reseller_message, str(exc), error=True)
            return False
        self.reload()
        what = ("restored: tickets can be logged for it again" if active
                else "retired: its tickets and history stay; no new incident is logged for it")  # fmt: skip
        self._say(self.reseller_message, f"{name} {what}", error=False)
        return True

    @staticmethod
    def _say(label: QLabel, text: str, *, error: bool) -> None:
        label.setProperty("role", "error" if error else "")
        label.style().unpolish(label)
        label.style().polish(label)
        label.setText(text)
