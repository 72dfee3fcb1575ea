"""The outbox, for everyone: messages to resellers newest first, failures with their
error, a retry for a failed message, "Send now" off the GUI thread, and the import of
survey answers from a CSV file.

Every change goes through a service (`deskapp.services.outbox.retry`,
`deskapp.mail.sender.drain`, `deskapp.services.surveys.import_csv`); errors are
shown in words under the table.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QWidget,
)

from deskapp.domain.lifecycle import DeskError
from deskapp.gui.desk import Desk
from deskapp.gui.forms import child, load_form
from deskapp.gui.mail_worker import MailSend, SendSignals
from deskapp.gui.models.outbox_model import (
    ATTEMPTS,
    KIND,
    LAST_ERROR,
    NEXT_ATTEMPT,
    RECIPIENT,
    ROW_ROLE,
    STATUS,
    TICKET,
    OutboxModel,
    OutboxProxy,
)
from deskapp.services import outbox, surveys
from deskapp.services.outbox import OutboxRow
from deskapp.services.surveys import SurveyImport

WIDTHS = {STATUS: 80, TICKET: 110, KIND: 130, RECIPIENT: 220, ATTEMPTS: 70, NEXT_ATTEMPT: 150}


class OutboxView(QWidget):
    tickets_changed = Signal()  # messages went out or survey answers were saved
    ticket_activated = Signal(str)  # a message's ticket number, to open it
    send_finished = Signal(str)  # what the send did, in words

    def __init__(self, desk: Desk, parent: Any = None, *, transport: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("outboxView")
        self.desk = desk
        self._transport = transport  # tests hand in a fake SMTP transport
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # one send at a time from this workstation
        self.sending = False
        self.model = OutboxModel(desk.policy.tz, self)
        self.proxy = OutboxProxy(self)
        self.proxy.setSourceModel(self.model)
        form = load_form("outbox_view.ui", self)
        self.summary_label = child(form, QLabel, "outboxSummaryLabel")
        self.failed_only_check = child(form, QCheckBox, "failedOnlyCheck")
        self.refresh_button = child(form, QPushButton, "refreshOutboxButton")
        self.retry_button = child(form, QPushButton, "retryButton")
        self.send_now_button = child(form, QPushButton, "sendNowButton")
        self.import_surveys_button = child(form, QPushButton, "importSurveysButton")
        self.mail_server_button = child(form, QPushButton, "mailServerButton")
        self.table = child(form, QTableView, "outboxTable")
        self.send_status_label = child(form, QLabel, "sendStatusLabel")
        self.error_label = child(form, QLabel, "outboxErrorLabel")
        self.error_label.setProperty("role", "error")
        self.table.setModel(self.proxy)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        for col, width in WIDTHS.items():
            self.table.setColumnWidth(col, width)
        self.table.horizontalHeader().setSectionResizeMode(LAST_ERROR, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.proxy.sort(-1)  # as the service reads them: newest first
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.table.activated.connect(self._activated)
        self.failed_only_check.toggled.connect(self.proxy.set_failed_only)
        self.refresh_button.clicked.connect(self.reload)
        self.retry_button.clicked.connect(self.retry_selected)
        self.send_now_button.clicked.connect(self.send_now)
        self.import_surveys_button.clicked.connect(lambda: self.import_surveys())
        self.mail_server_button.clicked.connect(self.open_mail_settings)
        self._signals = SendSignals(self)
        self._signals.finished.connect(self._sent)
        self._signals.failed.connect(self._send_failed)

    # --- reading --------------------------------------------------------------------

    def reload(self) -> None:
        try:
            rows = outbox.outbox_rows(self.desk.db)
        except DeskError as exc:
            self.error_label.setText(str(exc))
            return
        self.model.set_rows(rows)
        failed = sum(1 for r in rows if r.status == "failed")
        pending = sum(1 for r in rows if r.status in ("pending", "sending"))
        self.summary_label.setText(f"{len(rows)} messages: {pending} waiting to go, {failed} failed")
        self._selection_changed()

    def selected(self) -> OutboxRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        message = rows[0].data(ROW_ROLE)
        return message if isinstance(message, OutboxRow) else None

    def select_message(self, message_id: int) -> bool:
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(ROW_ROLE).id == message_id:
                self.table.selectRow(row)
                return True
        return False

    def _activated(self, index: QModelIndex) -> None:
        message = index.data(ROW_ROLE)
        if isinstance(message, OutboxRow) and message.number:
            self.ticket_activated.emit(message.number)

    def _selection_changed(self) -> None:
        m = self.selected()
        self.retry_button.setEnabled(m is not None and m.status == "failed")

    # --- changes through the services ------------------------------------------------

    def retry_selected(self) -> bool:
        m = self.selected()
        if m is None or m.status != "failed":
            self.error_label.setText("select a failed message to retry")
            return False
        try:
            outbox.retry(self.desk.db, self.desk.clock, self.desk.session.login, m.id)
        except DeskError as exc:
            self.error_label.setText(str(exc))
            return False
        self.error_label.clear()
        self.send_status_label.setText(f"message {m.id} to {m.recipient} will go at the next send")
        self.reload()
        self.select_message(m.id)
        return True

    def send_now(self) -> bool:
        """Send what is due, off the GUI thread; the result arrives as `send_finished`."""
        if self.sending:
            return False
        self.sending = True
        self.send_now_button.setEnabled(False)
        self.error_label.clear()
        self.send_status_label.setText("sending…")
        self.pool.start(MailSend(self.desk.db, self.desk.clock, self._signals, self._transport))
        return True

    def _sent(self, report: Any) -> None:
        self._send_done()
        text = "; ".join(report.lines())
        if report.failed:
            text += ": the failed messages show their error below; fix it and retry"
        self.send_status_label.setText(text)
        self.reload()
        self.tickets_changed.emit()
        self.send_finished.emit(text)

    def _send_failed(self, message: str) -> None:
        self._send_done()
        self.send_status_label.clear()
        self.error_label.setText(message)
        self.send_finished.emit(message)

    def _send_done(self) -> None:
        self.sending = False
        self.send_now_button.setEnabled(True)

    def stop(self) -> None:
        """Wait for a send in progress (the app and tests call this when closing)."""
        self.pool.waitForDone(30_000)

    def import_surveys(self, path: str | None = None) -> SurveyImport | None:
        """Survey answers from a CSV file (reference, score, comment): every good row is
        saved; the bad ones are listed by line."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Import survey answers", "", "CSV files (*.csv);;All files (*)"
            )
            if not path:
                return None
        try:
            result = surveys.import_csv(self.desk.db, self.desk.clock, self.desk.session.login, path)
        except DeskError as exc:
            self.error_label.setText(str(exc))
            return None
        lines = result.lines()
        self.send_status_label.setText(lines[0])
        self.error_label.setText("\n".join(lines[1:]))
        if result.saved:
            self.tickets_changed.emit()
        return result

    def open_mail_settings(self) -> Any:
        from deskapp.gui.mail_settings_dialog import MailSettingsDialog

        dialog = MailSettingsDialog(self.desk, self)
        dialog.show()
        return dialog
