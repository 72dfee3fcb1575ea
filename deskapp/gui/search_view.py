"""Find any ticket, open or closed, over the whole history (the "Find" page).

The database's full-text index does the work (`deskapp.services.search`); pages
are read off the GUI thread, the first as soon as the words are given, the next
ones as the list is scrolled. Enter (or a double click) opens a ticket.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QTimer, Signal
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
from deskapp.gui.models.search_model import (
    CONTACT,
    LOGGED,
    NUMBER,
    PRIORITY,
    RESELLER,
    ROW_ROLE,
    STATUS,
    SUMMARY,
    SearchModel,
)
from deskapp.gui.workers import Read, close_pool, keeping_pool

WIDTHS = {NUMBER: 100, PRIORITY: 60, STATUS: 100, RESELLER: 160, CONTACT: 140, SUMMARY: 320, LOGGED: 130}
TYPING_PAUSE_MS = 300


class _Signals(QObject):
    page = Signal(object)  # (generation, offset, rows)
    failed = Signal(str)


class SearchView(QWidget):
    ticket_activated = Signal(str)
    results_shown = Signal(int)  # rows shown after a page arrived

    def __init__(self, desk: Desk, parent: Any = None, page_size: int = 100) -> None:
        super().__init__(parent)
        self.setObjectName("searchView")
        self.desk = desk
        self.model = SearchModel(desk.policy.tz, page_size, self)
        self.model.request_more = self._more
        # one kept thread whose connection stays open between searches: a new PostgreSQL
        # connection per search was most of the first page's time on a busy server
        self.pool = keeping_pool(self)
        self._generation = 0
        self._query = ""
        self._signals = _Signals(self)
        self._signals.page.connect(self._page_read)
        self._signals.failed.connect(self._failed)
        form = load_form("search_view.ui", self)
        self.find_edit = child(form, QLineEdit, "findEdit")
        self.find_button = child(form, QPushButton, "findButton")
        self.table = child(form, QTableView, "findTable")
        self.status_label = child(form, QLabel, "findStatusLabel")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        for col, width in WIDTHS.items():
            self.table.setColumnWidth(col, width)
        self.table.horizontalHeader().setSectionResizeMode(SUMMARY, QHeaderView.ResizeMode.Stretch)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_PAUSE_MS)
        self._typing.timeout.connect(lambda: self.search(self.find_edit.text()))
        self.find_edit.textEdited.connect(lambda _t: self._typing.start())
        self.find_edit.returnPressed.connect(self._enter)
        self.find_button.clicked.connect(lambda: self.search(self.find_edit.text()))
        self.table.activated.connect(self._activated)

    def focus_find(self, text: str | None = None) -> None:
        if text is not None and text != self.find_edit.text():
            self.find_edit.setText(text)
            self.search(text)
        self.find_edit.setFocus()
        self.find_edit.selectAll()

    def search(self, query: str) -> None:
        """Start a search (the previous one's late pages are ignored)."""
        self._typing.stop()
        self._generation += 1
        self._query = query.strip()
        if not self._query:
            self.model.reset([])
            self.status_label.setText("Type words, a number, a name or an email address, then Enter.")
            return
        self.status_label.setText(f"Searching every ticket for “{self._query}”…")
        self._read(0)

    def _enter(self) -> None:
        if self.find_edit.text().strip() != self._query:
            self.search(self.find_edit.text())
        if self.model.rowCount():
            self.table.selectRow(0)
        self.table.setFocus()

    def _more(self, offset: int) -> None:
        self._read(offset)

    def _read(self, offset: int) -> None:
        generation, query, size, desk = self._generation, self._query, self.model.page_size, self.desk
        done = self._signals.page
        self.pool.start(Read(
            desk.db, "the search",
            lambda: (generation, offset, desk.search(query, limit=size, offset=offset)),
            done, self._signals.failed, keep_open=True,
        ))  # fmt: skip

    def _page_read(self, result: tuple[int, int, list[Any]]) -> None:
        generation, offset, rows = result
        if generation != self._generation:
            return  # a newer search was started meanwhile
        if offset == 0:
            self.model.reset(rows)
            if rows and self.table.hasFocus():
                self.table.selectRow(0)
        else:
            self.model.append_page(rows)
        n = self.model.rowCount()
        if not n:
            self.status_label.setText(f"No ticket, open or closed, matches “{self._query}”.")
        else:
            more = "; scroll for more" if self.model.has_more else ""
            noun = "ticket" if n == 1 else "tickets"
            self.status_label.setText(
                f"{n} {noun} match “{self._query}”, best first, closed ones included{more}."
            )
        self.results_shown.emit(n)

    def _failed(self, message: str) -> None:
        self.status_label.setText(message)

    def _activated(self, index: QModelIndex) -> None:
        item = index.data(ROW_ROLE)
        if item is not None:
            self.ticket_activated.emit(item.number)

    def select_number(self, number: str) -> bool:
        for r in range(self.model.rowCount()):
            if self.model.row(r).number == number:
                self.table.selectRow(r)
                return True
        self.table.clearSelection()
        return False

    def stop(self) -> None:
        self._generation += 1
        close_pool(self.pool, self.desk.db)
