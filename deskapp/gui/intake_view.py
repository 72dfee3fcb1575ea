"""New incident: the contract's step-1 form.

The impact suggests the priority; a P1 is offered only for a phone call and
the form says why; the services refuse a reseller outside the Territory (in
words, inline). On save the ticket number is shown large and copyable, with
a button to record that the reseller was told it (the response).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
)

from deskapp.domain.lifecycle import Action, DeskError
from deskapp.domain.policy import CHANNELS
from deskapp.gui import form_keys
from deskapp.gui.desk import Desk, Logged
from deskapp.gui.forms import child, load_form
from deskapp.gui.writes import refusal_text, save
from deskapp.services.priority import expected_priority

IMPACT_WORDS = {
    "all": "all end users on a tenant (business critical)",
    "some": "one or more end users",
    "howto": "a how-to or general question",
}


class IntakeDialog(QDialog):
    logged = Signal(str)  # the new ticket's number
    notified = Signal(str)

    def __init__(self, desk: Desk, *, linked_to: str | None = None, resellers: list[str] | None = None,
                 parent: Any = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("intakeDialog")
        self.desk = desk
        self.linked_to = linked_to
        self.result_ticket: Logged | None = None
        self.saving = False  # the incident (or "told") being saved on the write thread
        self._saved_ok: bool | None = None  # how the last save ended (None: not yet)
        self._idle_text = ""
        policy = desk.policy
        self._top = next(iter(policy.priorities))
        title = f"Follow-up of {linked_to}" if linked_to else "New incident"
        self.setWindowTitle(f"deskapp: {title}")
        form = load_form("intake_dialog.ui", self)
        self.intake_stack = child(form, QStackedWidget, "intakeStack")
        self.linked_label = child(form, QLabel, "linkedLabel")
        self.reseller_edit = child(form, QLineEdit, "resellerEdit")
        self.contact_edit = child(form, QLineEdit, "contactEdit")
        self.phone_edit = child(form, QLineEdit, "phoneEdit")
        self.email_edit = child(form, QLineEdit, "emailEdit")
        self.tenant_edit = child(form, QLineEdit, "tenantEdit")
        self.end_users_edit = child(form, QLineEdit, "endUsersEdit")
        self.channel_combo = child(form, QComboBox, "channelCombo")
        self.impact_combo = child(form, QComboBox, "impactCombo")
        self.priority_combo = child(form, QComboBox, "priorityCombo")
        self.priority_hint_label = child(form, QLabel, "priorityHintLabel")
        self.tier_two_check = child(form, QCheckBox, "tierTwoCheck")
        self.summary_edit = child(form, QLineEdit, "summaryEdit")
        self.description_edit = child(form, QPlainTextEdit, "descriptionEdit")
        self.priority_reason_edit = child(form, QLineEdit, "priorityReasonEdit")
        self._warned_for: tuple[str, str, str] | None = None  # a possible duplicate was shown
        self._form_layout = child(form, QFormLayout, "entryFieldsLayout")
        self.error_label = child(form, QLabel, "errorLabel")
        self.error_label.setProperty("role", "error")
        self.save_button = child(form, QPushButton, "saveButton")
        self.cancel_button = child(form, QPushButton, "cancelButton")
        self.number_label = child(form, QLabel, "numberLabel")
        self.number_label.setProperty("role", "ticketNumber")
        self.due_label = child(form, QLabel, "dueLabel")
        self.copy_number_button = child(form, QPushButton, "copyNumberButton")
        self.told_reseller_button = child(form, QPushButton, "toldResellerButton")
        self.told_label = child(form, QLabel, "toldLabel")
        self.done_button = child(form, QPushButton, "doneButton")

        if linked_to:
            self.linked_label.setText(f"A new incident linked to the closed ticket {linked_to}.")
        else:
            self.linked_label.hide()
        if resellers:
            completer = QCompleter(sorted(set(resellers)), self)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            self.reseller_edit.setCompleter(completer)
        for channel in CHANNELS:
            self.channel_combo.addItem(channel.title() if channel != "helpcentre" else "Helpcentre", channel)
        for impact in policy.impacts:
            self.impact_combo.addItem(IMPACT_WORDS.get(impact, impact), impact)
        for code, prio in policy.priorities.items():
            self.priority_combo.addItem(f"{code} {prio.name}", code)
        self.impact_combo.setCurrentIndex(self.impact_combo.findData("some"))

        self.channel_combo.currentIndexChanged.connect(self._channel_changed)
        self.impact_combo.currentIndexChanged.connect(self._suggest_priority)
        self.priority_combo.currentIndexChanged.connect(self._priority_changed)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.copy_number_button.clicked.connect(self.copy_number)
        self.told_reseller_button.clicked.connect(self.record_told)
        self.done_button.clicked.connect(self.accept)
        self._channel_changed()
        self._suggest_priority()
        form_keys.install(self, self._save_key)
        self.confirm_discard: Callable[[], bool] = lambda: form_keys.confirm_discard(
            self, "this new incident"
        )

    def _save_key(self) -> None:
        if self.intake_stack.currentIndex() == 0:
            self.save()

    def typed_something(self) -> bool:
        edits = (self.reseller_edit, self.contact_edit, self.phone_edit, self.email_edit, self.tenant_edit,
                 self.end_users_edit, self.summary_edit)  # fmt: skip
        return any(e.text().strip() for e in edits) or bool(self.description_edit.toPlainText().strip())

    def reject(self) -> None:
        """Escape or Cancel: a half-typed incident is discarded only when the person says so;
        not while it is being saved (its number is on its way)."""
        if self.saving:
            return
        if self.intake_stack.currentIndex() == 0 and self.typed_something() and not self.confirm_discard():
            return
        super().reject()

    # --- the priority rules the form shows --------------------------------------------

    def _allowed(self, code: str) -> bool:
        channel = str(self.channel_combo.currentData())
        return channel in self.desk.policy.priority(code).channels

    def _channel_changed(self) -> None:
        model = self.priority_combo.model()
        assert isinstance(model, QStandardItemModel)
        for row in range(self.priority_combo.count()):
            code = str(self.priority_combo.itemData(row))
            item = model.item(row)
            item.setEnabled(self._allowed(code))
        self._suggest_priority()

    def _suggest_priority(self) -> None:
        impact = str(self.impact_combo.currentData())
        suggested = self.desk.policy.suggested_priority(impact)
        if not self._allowed(suggested):
            # e.g. everyone down, but by email: the best the channel allows
            allowed = [c for c in self.desk.policy.priorities if self._allowed(c)]
            suggested = allowed[0] if allowed else suggested
        self.priority_combo.setCurrentIndex(self.priority_combo.findData(suggested))
        self._priority_changed()

    def _priority_changed(self) -> None:
        code = str(self.priority_combo.currentData())
        top = self.desk.policy.priority(self._top)
        channel = str(self.channel_combo.currentData())
        hints = []
        if channel not in top.channels:
            hints.append(
                f"{top.code} ({top.name}) is offered only for a phone call: the contract lets a "
                f"business-critical outage be raised by {' or '.join(top.channels)} only. If all end "
                "users are down, ask the reseller to phone the desk."
            )
        prio = self.desk.policy.priority(code)
        clock = "24x7 wall clock" if prio.wall_clock else "business hours"
        target = "the next business day" if prio.next_business_day else _hours(prio.target)
        hints.append(f"{prio.code}: response within {target} ({clock}).")
        self.priority_hint_label.setText(" ".join(hints))
        # A priority other than the impact's (as the channel allows) needs a reason.
        expected = expected_priority(
            self.desk.policy, str(self.impact_combo.currentData()), str(self.channel_combo.currentData())
        )
        self._form_layout.setRowVisible(self.priority_reason_edit, code != expected)
        is_top = code == self._top
        self.tier_two_check.setVisible(is_top)
        if not is_top:
            self.tier_two_check.setChecked(False)

    # --- saving --------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        return {
            "reseller": self.reseller_edit.text().strip(),
            "contact": self.contact_edit.text().strip(),
            "phone": self.phone_edit.text().strip() or None,
            "email": self.email_edit.text().strip() or None,
            "tenant": self.tenant_edit.text().strip(),
            "end_users": self.end_users_edit.text().strip(),
            "channel": str(self.channel_combo.currentData()),
            "impact": str(self.impact_combo.currentData()),
            "priority": str(self.priority_combo.currentData()),
            "tier": 2 if self.tier_two_check.isChecked() else 1,
            "summary": self.summary_edit.text().strip(),
            "description": self.description_edit.toPlainText().strip(),
            "priority_reason": self.priority_reason_edit.text().strip() or None,
        }

    def save(self) -> bool:
        """Log the incident on the write thread (`writes.save`), after the look for a likely
        duplicate: the form greys, its button saying "Saving…", the window goes on; then the
        number is shown, or the form stays filled with the refusal or the warning said.
        Returns False when it could not start (or, settled in tests, when it did not log)."""
        if self.saving:
            return False
        values = self.values()
        key = (values["reseller"], values["tenant"], values["summary"])
        look = key != self._warned_for and not self.linked_to
        desk, linked_to = self.desk, self.linked_to

        def write() -> tuple[str, Any]:
            if look:
                try:
                    alike = desk.similar(*key)
                except DeskError:
                    alike = []
                if alike:
                    return "alike", alike
            return "logged", desk.log(linked_to=linked_to, **values)

        self._busy(True, self.save_button, "Saving…")
        save(desk, write, lambda result: self._save_done(key, result), self._save_refused, owner=self)
        return self._saved_ok is not False

    def _busy(self, busy: bool, button: QPushButton, text: str) -> None:
        """While a save runs the page waits, greyed, with what was typed in it."""
        self.saving = busy
        if busy:
            self._saved_ok = None
            self._idle_text = button.text()
        self.intake_stack.setEnabled(not busy)
        button.setText(text if busy else self._idle_text)

    def _save_done(self, key: tuple[str, str, str], result: tuple[str, Any]) -> None:
        self._busy(False, self.save_button, "")
        kind, found = result
        if kind == "alike":
            # Warned once for what is typed; saving again logs it anyway.
            self._warned_for = key
            self._saved_ok = False
            self.error_label.setText(
                "Possibly a duplicate: the same reseller and tenant has "
                + "; ".join(found)
                + ". If it is the same incident, cancel and add to that ticket; "
                "otherwise save again to log it."
            )
            return
        logged: Logged = found
        self._saved_ok = True
        self.error_label.clear()
        self.result_ticket = logged
        self.number_label.setText(logged.number)
        due = logged.response_due.astimezone(self.desk.policy.tz)
        self.due_label.setText(f"{logged.priority}: response due {due:%a %d %b %Y %H:%M}")
        self.intake_stack.setCurrentIndex(1)
        self.told_reseller_button.setFocus()
        self.logged.emit(logged.number)

    def _save_refused(self, exc: Exception) -> None:
        self._busy(False, self.save_button, "")
        self._saved_ok = False
        self.error_label.setText(refusal_text(exc))  # what was typed stays in the form

    def copy_number(self) -> None:
        if self.result_ticket is not None:
            QGuiApplication.clipboard().setText(self.result_ticket.number)
            self.told_label.setText(f"{self.result_ticket.number} copied to the clipboard")

    def record_told(self) -> bool:
        """Contract step 2: the reseller has the number (the response), saved on the write
        thread like the incident."""
        if self.result_ticket is None or self.saving:
            return False
        number, desk = self.result_ticket.number, self.desk
        self._busy(True, self.told_reseller_button, "Saving…")
        save(
            desk, lambda: desk.perform(Action.NOTIFY, number, {}, None),
            lambda _result: self._told(number), self._told_refused, owner=self,
        )  # fmt: skip
        return self._saved_ok is not False

    def _told(self, number: str) -> None:
        self._busy(False, self.told_reseller_button, "")
        self._saved_ok = True
        now = self.desk.clock.now().astimezone(self.desk.policy.tz)
        self.told_label.setText(f"Recorded: the reseller was told {number} at {now:%H:%M}")
        self.told_reseller_button.setEnabled(False)
        self.notified.emit(number)

    def _told_refused(self, exc: Exception) -> None:
        self._busy(False, self.told_reseller_button, "")
        self._saved_ok = False
        self.told_label.setText(refusal_text(exc))


def _hours(span: dt.timedelta | None) -> str:
    if span is None:
        return "the target"
    minutes = int(span.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    return f"{hours} hour{'s' if hours != 1 else ''}" + (f" {rest} min" if rest else "")
