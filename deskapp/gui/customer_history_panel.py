"""Beside the open ticket: the customer's history, the reseller's and the contact's other
tickets, open and closed, newest first, with their outcomes (the contact's own in bold).
Read off the GUI thread each time a ticket is opened; a double click or Enter opens one."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QThreadPool, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from deskapp.gui.desk import Desk
from deskapp.gui.models.customer_history_model import LOGGED, NUMBER, OUTCOME, CustomerHistoryModel
from deskapp.gui.workers import Read
from deskapp.services.customer_history import CustomerHistory


class _Signals(QObject):
    read = Signal(object)  # (the ticket number asked about, CustomerHistory)
    failed = Signal(str)


class CustomerHistoryPanel(QWidget):
    ticket_activated = Signal(str)
    shown = Signal(str)  # the ticket number whose customer's history is shown

    def __init__(self, desk: Desk, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("customerHistoryPanel")
        self.desk = desk
        self.number: str | None = None
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._signals = _Signals(self)
        self._signals.read.connect(self._read)
        self._signals.failed.connect(self._failed)
        self.title_label = QLabel("Customer history", self)
        self.title_label.setObjectName("customerHistoryTitle")
        self.title_label.setProperty("role", "panelTitle")
        self.summary_label = QLabel("Open a ticket to see the customer's other tickets.", self)
        self.summary_label.setObjectName("customerHistorySummary")
        self.summary_label.setWordWrap(True)
        self.model = CustomerHistoryModel(desk.policy.tz, self)
        self.table = QTableView(self)
        self.table.setObjectName("customerHistoryTable")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        # Widths from the font, once: ResizeToContents measured every row's cells at each
        # ticket opened (a third of the time to paint a ticket).
        bold = self.table.font()
        bold.setBold(True)  # the contact's own tickets
        metrics, pad = QFontMetrics(bold), 12
        self.table.setColumnWidth(
            NUMBER, max(metrics.horizontalAdvance(t) for t in ("INC-000000", "Number")) + pad
        )
        self.table.setColumnWidth(LOGGED, metrics.horizontalAdvance("30 Sep 2026") + pad)
        header.setSectionResizeMode(NUMBER, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(LOGGED, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(OUTCOME, 110)
        header.setStretchLastSection(True)
        self.table.activated.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table)
        self.setMinimumWidth(220)

    def show_for(self, number: str) -> None:
        self.number = number
        self.summary_label.setText(f"Reading the customer's history of {number}…")
        desk, signals = self.desk, self._signals
        read = lambda: (number, desk.customer_history(number))  # noqa: E731 (one line, one use)
        self.pool.start(Read(desk.db, "the customer's history", read, signals.read, signals.failed))

    def show_history(self, number: str, history: CustomerHistory) -> None:
        """Show a history already read (the ticket view reads it with the ticket)."""
        self.number = number
        self._read((number, history))

    def _read(self, result: tuple[str, CustomerHistory]) -> None:
        number, h = result
        if number != self.number:
            return  # another ticket was opened meanwhile
        self.model.set_tickets(h.tickets)
        self.title_label.setText(f"Customer history: {h.reseller}")
        more = f" (the newest {len(h.tickets)} below)" if h.total > len(h.tickets) else ""
        self.summary_label.setText(
            f"{h.total} other tickets of {h.reseller}, {h.open} not closed{more}; "
            f"{h.contact_total} of them from {h.contact} (bold)."
            if h.total else f"The first ticket from {h.reseller}."
        )  # fmt: skip
        self.shown.emit(number)

    def _failed(self, message: str) -> None:
        self.summary_label.setText(message)

    def _activated(self, index: QModelIndex) -> None:
        if self.model.has_row(index):
            self.ticket_activated.emit(self.model.ticket(index.row()).number)

    def stop(self) -> None:
        self.number = None
        self.pool.waitForDone(10_000)
