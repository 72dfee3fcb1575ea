"""The Inbox tab: inbound messages on no ticket yet, and what a person does with them.

Rows come from `deskapp.services.inbox.inbox_rows`, read off the GUI thread (a
`Read` worker); each waiting incident shows its response countdown, counted
from when the message reached the desk's mailbox. The actions go through the
services: Log as ticket (Enter: the parsed fields in a form, confirmed in one
step), Attach to a ticket (the message then does what a reply there does), and
Discard (Delete, after a question; the message is kept, marked discarded).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt, QThreadPool, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from deskapp.domain.lifecycle import DeskError
from deskapp.gui.desk import Desk, Logged
from deskapp.gui.forms import child, load_form
from deskapp.gui.inbox_log_dialog import InboxLogDialog, message_text
from deskapp.gui.models.inbox_model import FIELDS, FROM, RECEIVED, RESPONSE, ROW_ROLE, SUBJECT, InboxModel
from deskapp.gui.workers import Read
from deskapp.services.inbox import InboxRow

WIDTHS = {FROM: 220, SUBJECT: 300, RECEIVED: 120, RESPONSE: 200}


def ask_ticket_number(parent: QWidget, row: InboxRow) -> str | None:
    """Which ticket the message belongs to (None: cancelled). Tests replace this."""
    number, ok = QInputDialog.getText(
        parent, "Attach to a ticket", f"The message from {row.from_addr or 'an unknown sender'} "
        f"({row.subject!r}) belongs to ticket number:", QLineEdit.EchoMode.Normal, "INC-",
    )  # fmt: skip
    return number.strip() if ok else None


def ask_discard(parent: QWidget, row: InboxRow) -> str | None:
    """The question before a discard: None when the person says no, else why (may be '').
    Tests replace this."""
    reason, ok = QInputDialog.getText(
        parent, "Discard the message?", f"Discard the message from {row.from_addr or 'an unknown sender'} "
        f"({row.subject!r})? It is kept, marked discarded, with your name.\nWhy (optional):",
    )  # fmt: skip
    return reason.strip() if ok else None


class _Signals(QObject):
    read = Signal(object)  # (generation, rows, read at)
    failed = Signal(str)


class InboxView(QWidget):
    loaded = Signal(int)  # rows shown after a read
    ticket_logged = Signal(str)  # a message became this ticket: open it
    tickets_changed = Signal()  # a message joined or became a ticket

    def __init__(self, desk: Desk, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("inboxView")
        self.desk = desk
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._generation = 0
        self._signals = _Signals(self)
        self._signals.read.connect(self._read_done)
        self._signals.failed.connect(self._read_failed)
        self.model = InboxModel(desk.engine, desk.policy.tz, desk.clock.now(), self)
        form = load_form("inbox_view.ui", self)
        self.summary_label = child(form, QLabel, "inboxSummaryLabel")
        self.table = child(form, QTableView, "inboxTable")
        self.preview = child(form, QPlainTextEdit, "inboxPreview")
        self.log_button = child(form, QPushButton, "logMessageButton")
        self.attach_button = child(form, QPushButton, "attachMessageButton")
        self.discard_button = child(form, QPushButton, "discardMessageButton")
        self.refresh_button = child(form, QPushButton, "refreshInboxButton")
        self.status_label = child(form, QLabel, "inboxStatusLabel")
        self.error_label = child(form, QLabel, "inboxErrorLabel")
        self.error_label.setProperty("role", "error")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        for col, width in WIDTHS.items():
            self.table.setColumnWidth(col, width)
        self.table.horizontalHeader().setSectionResizeMode(FIELDS, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.table.activated.connect(self._activated)  # Enter, or a double click
        self.discard_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table)
        self.discard_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.discard_shortcut.activated.connect(lambda: self.discard_selected())
        self.log_button.clicked.connect(lambda: self.open_log_dialog())
        self.attach_button.clicked.connect(lambda: self.attach_selected())
        self.discard_button.clicked.connect(lambda: self.discard_selected())
        self.refresh_button.clicked.connect(self.reload)
        self._selection_changed()

    # --- reading, off the GUI thread ---------------------------------------------------

    def reload(self) -> None:
        """Read the Inbox again (a late answer to an earlier read is ignored)."""
        self._generation += 1
        generation, desk = self._generation, self.desk
        self.pool.start(Read(
            desk.db, "the Inbox", lambda: (generation, desk.inbox_rows(), desk.clock.now()),
            self._signals.read, self._signals.failed,
        ))  # fmt: skip

    def _read_done(self, result: tuple[int, list[InboxRow], dt.datetime]) -> None:
        generation, rows, now = result
        if generation != self._generation:
            return
        chosen = self.selected()
        self.model.set_rows(rows, now)
        incidents = sum(1 for r in rows if r.kind == "incident")
        self.summary_label.setText(
            "The Inbox is empty: every message is on a ticket." if not rows else
            f"{len(rows)} message{'s' if len(rows) != 1 else ''} on no ticket yet, oldest first "
            f"({incidents} new incident{'s' if incidents != 1 else ''}, their response clocks running "
            f"since they reached the mailbox)"
        )  # fmt: skip
        if chosen is not None:
            self.select_message(chosen.id)
        self._selection_changed()
        self.loaded.emit(len(rows))

    def _read_failed(self, message: str) -> None:
        self.error_label.setText(message)

    def on_tick(self, now: dt.datetime) -> None:
        self.model.tick(now)

    def stop(self) -> None:
        """Wait for a read in progress (the app and tests call this when closing)."""
        self.pool.waitForDone(10_000)

    # --- selection -------------------------------------------------------------------------

    def selected(self) -> InboxRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].data(ROW_ROLE)
        return row if isinstance(row, InboxRow) else None

    def select_message(self, message_id: int) -> bool:
        at = self.model.row_of(message_id)
        if at is None:
            return False
        self.table.selectRow(at)
        return True

    def _selection_changed(self) -> None:
        row = self.selected()
        for button in (self.log_button, self.attach_button, self.discard_button):
            button.setEnabled(row is not None)
        self.preview.setPlainText("" if row is None else message_text(row, self.desk.policy.tz))

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.table.selectRow(index.row())
            self.open_log_dialog()

    # --- the actions, through the services --------------------------------------------------

    def open_log_dialog(self) -> InboxLogDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = InboxLogDialog(self.desk, row, self)
        dialog.logged.connect(self._logged)
        dialog.open()
        return dialog

    def _logged(self, logged: Logged) -> None:
        self.error_label.clear()
        self.status_label.setText(
            f"logged as {logged.number} ({logged.priority}), response due "
            f"{logged.response_due.astimezone(self.desk.policy.tz):%a %H:%M}; the acknowledgement is queued"
        )
        self.reload()
        self.tickets_changed.emit()
        self.ticket_logged.emit(logged.number)

    def attach_selected(self, number: str | None = None) -> str | None:
        row = self.selected()
        if row is None:
            return None
        number = number if number is not None else ask_ticket_number(self, row)
        if not number:
            return None
        try:
            joined = self.desk.attach_message(row.id, number)
        except DeskError as exc:
            self.error_label.setText(str(exc))
            return None
        self.error_label.clear()
        self.status_label.setText(f"the message from {row.from_addr} is now on {joined}")
        self.reload()
        self.tickets_changed.emit()
        return joined

    def discard_selected(self) -> bool:
        row = self.selected()
        if row is None:
            return False
        reason = ask_discard(self, row)
        if reason is None:
            return False
        try:
            self.desk.discard_message(row.id, reason)
        except DeskError as exc:
            self.error_label.setText(str(exc))
            return False
        self.error_label.clear()
        self.status_label.setText(f"discarded the message from {row.from_addr} (kept, marked discarded)")
        self.reload()
        return True
