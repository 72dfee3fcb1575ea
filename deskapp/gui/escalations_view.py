"""Escalations, for team leads: grouped by tier, time at tier, notes, third-party
references with their last update, refused resolutions flagged; acknowledge or
return a ticket with a comment."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from deskapp.gui.desk import Desk
from deskapp.gui.forms import child, load_form
from deskapp.gui.models.escalations_model import (
    AT_TIER,
    FLAG,
    NOTE,
    NUMBER,
    PRIORITY,
    RESELLER,
    SUMMARY,
    THIRD_PARTY,
    Escalation,
    EscalationsModel,
)
from deskapp.gui.writes import refusal_text, save

WIDTHS = {NUMBER: 110, PRIORITY: 60, RESELLER: 160, SUMMARY: 240, AT_TIER: 90, NOTE: 260, THIRD_PARTY: 260,
          FLAG: 160}  # fmt: skip


class EscalationsView(QWidget):
    ticket_activated = Signal(str)
    changed = Signal(str)

    def __init__(self, desk: Desk, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("escalationsView")
        self.desk = desk
        self.model = EscalationsModel(self)
        self.saving = False  # a review being saved on the write thread
        self._saved_ok: bool | None = None
        form = load_form("escalations_view.ui", self)
        self.summary_label = child(form, QLabel, "escalationsSummaryLabel")
        self.table = child(form, QTableView, "escalationsTable")
        self.comment_edit = child(form, QLineEdit, "reviewCommentEdit")
        self.acknowledge_button = child(form, QPushButton, "acknowledgeButton")
        self.return_button = child(form, QPushButton, "returnButton")
        self.error_label = child(form, QLabel, "reviewErrorLabel")
        self.error_label.setProperty("role", "error")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        for col, width in WIDTHS.items():
            self.table.setColumnWidth(col, width)
        self.table.horizontalHeader().setSectionResizeMode(NOTE, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(self._activated)
        self.acknowledge_button.clicked.connect(self.acknowledge)
        self.return_button.clicked.connect(self.return_selected)
        self.model.modelReset.connect(self._spans)

    def reload(self) -> None:
        """Escalated open tickets from the services (tier 2 and 3)."""
        items = [Escalation(row) for row in self.desk.escalations()]
        self.model.set_escalations(items, self.desk.clock.now())
        refused = sum(1 for e in items if e.row.refused)
        self.summary_label.setText(f"{len(items)} escalated tickets; {refused} with a refused resolution")

    def _spans(self) -> None:
        self.table.clearSpans()
        for row in range(self.model.rowCount()):
            if self.model.is_header(row):
                self.table.setSpan(row, 0, 1, self.model.columnCount())

    def select_number(self, number: str) -> bool:
        for row in range(self.model.rowCount()):
            e = self.model.escalation(row)
            if e is not None and e.row.number == number:
                self.table.selectRow(row)
                return True
        return False

    def selected(self) -> Escalation | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.escalation(rows[0].row()) if rows else None

    def _activated(self, index: QModelIndex) -> None:
        e = self.model.escalation(index.row())
        if e is not None:
            self.ticket_activated.emit(e.row.number)

    def acknowledge(self) -> bool:
        return self._review("acknowledge")

    def return_selected(self) -> bool:
        return self._review("return")

    def _review(self, what: str) -> bool:
        """Acknowledge or return on the write thread (`writes.save`): the buttons grey while
        it saves; then the list is read again, or the refusal is said and the comment kept."""
        e = self.selected()
        if e is None:
            self.error_label.setText("select an escalated ticket first")
            return False
        if self.saving:
            return False
        desk, number, comment, version = self.desk, e.row.number, self.comment_edit.text(), e.row.version
        self.saving, self._saved_ok = True, None
        self._buttons(False)
        save(
            desk, lambda: desk.review_escalation(what, number, comment, version),
            lambda _result: self._reviewed(number), self._refused, owner=self,
        )  # fmt: skip
        return self._saved_ok is not False

    def _buttons(self, on: bool) -> None:
        for button in (self.acknowledge_button, self.return_button):
            button.setEnabled(on)
        self.comment_edit.setReadOnly(not on)

    def _reviewed(self, number: str) -> None:
        self.saving, self._saved_ok = False, True
        self._buttons(True)
        self.error_label.clear()
        self.comment_edit.clear()
        self.reload()
        self.changed.emit(number)

    def _refused(self, exc: Exception) -> None:
        self.saving, self._saved_ok = False, False
        self._buttons(True)
        self.error_label.setText(refusal_text(exc))
