"""Log an Inbox message as a ticket: its parsed fields in a form, confirmed in one step.

The form is filled from what the message says (the desk's incident format, else
its subject, sender and text); a person corrects what needs it and presses Log.
The priority follows the impact as the email channel allows: an emailed incident
is never a P1 (the contract: a P1 is raised by phone). The response clock was
started when the message reached the desk's mailbox, and the form says when it
is due. The service (`deskapp.services.inbox.log_from_message`) checks
everything again and its error is shown in the form, which stays open.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from deskapp.domain import time_rules
from deskapp.gui.desk import Desk, Logged
from deskapp.gui.forms import child, load_form
from deskapp.gui.intake_view import IMPACT_WORDS
from deskapp.gui.writes import refusal_text, save
from deskapp.services.inbox import InboxRow, email_priority


def message_text(row: InboxRow, tz: Any) -> str:
    """The message as a person reads it before deciding: who, when, why it waits, notes, text."""
    head = [
        f"From: {row.from_addr or '(no sender)'}",
        f"Subject: {row.subject or '(no subject)'}",
        f"Received: {row.received_at.astimezone(tz):%a %d %b %Y %H:%M}",
        f"Waiting because: {row.reason}",
    ]
    if row.notes:
        head.append(f"Notes: {row.notes}")
    return "\n".join(head) + "\n\n" + row.text


class InboxLogDialog(QDialog):
    logged = Signal(object)  # Logged

    def __init__(self, desk: Desk, row: InboxRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inboxLogDialog")
        self.setWindowTitle(f"deskapp — log the message from {row.from_addr or 'an unknown sender'}")
        self.desk = desk
        self.row = row
        self.result_logged: Logged | None = None
        form = load_form("inbox_log_dialog.ui", self)
        self.head_label = child(form, QLabel, "inboxLogHeadLabel")
        self.reseller_edit = child(form, QLineEdit, "logResellerEdit")
        self.contact_edit = child(form, QLineEdit, "logContactEdit")
        self.phone_edit = child(form, QLineEdit, "logPhoneEdit")
        self.email_edit = child(form, QLineEdit, "logEmailEdit")
        self.tenant_edit = child(form, QLineEdit, "logTenantEdit")
        self.end_users_edit = child(form, QLineEdit, "logEndUsersEdit")
        self.impact_combo = child(form, QComboBox, "logImpactCombo")
        self.priority_label = child(form, QLabel, "logPriorityLabel")
        self.summary_edit = child(form, QLineEdit, "logSummaryEdit")
        self.description_edit = child(form, QPlainTextEdit, "logDescriptionEdit")
        self.message_view = child(form, QPlainTextEdit, "logMessageText")
        self.error_label = child(form, QLabel, "logErrorLabel")
        self.error_label.setProperty("role", "error")
        self._form = form
        self.saving = False  # the ticket being logged on the write thread
        self._saved_ok: bool | None = None  # how the last save ended (None: not yet)
        buttons = child(form, QDialogButtonBox, "logButtonBox")
        self.log_button: QPushButton = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.log_button.setText("&Log ticket")
        self.log_button.setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        f = row.fields
        self.reseller_edit.setText(f.get("reseller", ""))
        self.contact_edit.setText(f.get("contact", ""))
        self.phone_edit.setText(f.get("phone", ""))
        self.email_edit.setText(f.get("email") or row.from_addr)
        self.tenant_edit.setText(f.get("tenant", ""))
        self.end_users_edit.setText(f.get("end_users", ""))
        self.summary_edit.setText(f.get("summary") or row.subject)
        self.description_edit.setPlainText(f.get("description") or ("" if f else row.text))
        for impact in desk.policy.impacts:
            self.impact_combo.addItem(IMPACT_WORDS.get(impact, impact), impact)
        at = self.impact_combo.findData(f.get("impact") or "some")
        self.impact_combo.setCurrentIndex(max(at, 0))
        self.impact_combo.currentIndexChanged.connect(lambda _i: self._show_priority())
        self.message_view.setPlainText(message_text(row, desk.policy.tz))
        local = row.received_at.astimezone(desk.policy.tz)
        self.head_label.setText(
            f"Reached the desk's mailbox {local:%a %d %b %H:%M}: the response clock runs from then. "
            f"Check the fields the message gave, then Log ticket (Enter)."
        )
        self._show_priority()
        (self.reseller_edit if not self.reseller_edit.text() else self.summary_edit).setFocus()
        self.resize(1000, 560)

    def priority(self) -> str:
        return email_priority(self.desk.policy, str(self.impact_combo.currentData()))

    def _show_priority(self) -> None:
        code = self.priority()
        due = time_rules.response_due(self.desk.engine, code, self.row.received_at)
        name = self.desk.policy.priorities[code].name
        self.priority_label.setText(
            f"{code} {name}, response due {due.astimezone(self.desk.policy.tz):%a %d %b %H:%M} "
            f"(an emailed incident is never P1: a P1 is raised by phone, {self.desk.policy.p1_phone})"
        )

    def values(self) -> dict[str, Any]:
        return {
            "reseller": self.reseller_edit.text().strip(), "contact": self.contact_edit.text().strip(),
            "phone": self.phone_edit.text().strip(), "email": self.email_edit.text().strip(),
            "tenant": self.tenant_edit.text().strip(), "end_users": self.end_users_edit.text().strip(),
            "impact": str(self.impact_combo.currentData()), "summary": self.summary_edit.text().strip(),
            "description": self.description_edit.toPlainText().strip(),
        }  # fmt: skip

    def save(self) -> bool:
        """Log the message as a ticket on the write thread (`writes.save`): the form greys,
        its button saying "Saving…"; then the dialog closes, or stays filled with the refusal
        said. Returns False when it could not start (or, settled in tests, when refused)."""
        if self.saving:
            return False
        desk, message_id, values = self.desk, self.row.id, self.values()
        self.saving, self._saved_ok = True, None
        self._form.setEnabled(False)
        self.log_button.setText("Saving…")
        save(
            desk, lambda: desk.log_from_message(message_id, **values), self._logged, self._refused, owner=self
        )
        return self._saved_ok is not False

    def _done(self) -> None:
        self.saving = False
        self._form.setEnabled(True)
        self.log_button.setText("&Log ticket")

    def _logged(self, logged: Logged) -> None:
        self._done()
        self._saved_ok = True
        self.result_logged = logged
        self.logged.emit(logged)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self._done()
        self._saved_ok = False
        self.error_label.setText(refusal_text(exc))  # what was typed stays in the form

    def reject(self) -> None:
        """Cancel or Escape: not while the ticket is being logged (its number is on its way)."""
        if not self.saving:
            super().reject()
