"""Search results, a page at a time: the view asks for more as it scrolls (`fetchMore`).

The model never reads the database itself: `request_more(offset)` is called when
the view wants the next page, and whoever reads it (off the GUI thread) hands the
rows to `append_page`. Rows are the services' `QueueRow`s, open or closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from deskapp.gui.models.flat_table import AnyIndex, FlatTableModel
from deskapp.services.queue import QueueRow

NUMBER, PRIORITY, STATUS, RESELLER, CONTACT, SUMMARY, LOGGED = range(7)
HEADERS = ("Number", "Priority", "Status", "Reseller", "Contact", "Summary", "Logged")
ROW_ROLE = Qt.ItemDataRole.UserRole + 1


class SearchModel(FlatTableModel):
    def __init__(self, tz: dt.tzinfo, page_size: int = 100, parent: Any = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self.page_size = page_size
        self._rows: list[QueueRow] = []
        self._more = False
        self._asking = False
        self.request_more: Callable[[int], None] | None = None

    def headers(self) -> tuple[str, ...]:
        return HEADERS

    def row_count(self) -> int:
        return len(self._rows)

    def row(self, at: int) -> QueueRow:
        return self._rows[at]

    def rows(self) -> Sequence[QueueRow]:
        return self._rows

    def reset(self, rows: Sequence[QueueRow]) -> None:
        """The first page of a new search."""
        self.beginResetModel()
        self._rows = list(rows)
        self._more = len(rows) >= self.page_size
        self._asking = False
        self.endResetModel()

    def append_page(self, rows: Sequence[QueueRow]) -> None:
        self._asking = False
        self._more = len(rows) >= self.page_size
        seen = {r.id for r in self._rows}
        fresh = [r for r in rows if r.id not in seen]
        if not fresh:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self._rows.extend(fresh)
        self.endInsertRows()

    @property
    def has_more(self) -> bool:
        return self._more

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008 (Qt's default)
        return not parent.isValid() and self._more and not self._asking and self.request_more is not None

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent) and self.request_more is not None:
            self._asking = True
            self.request_more(len(self._rows))

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.has_row(index):
            return None
        item = self._rows[index.row()]
        if role == ROW_ROLE:
            return item
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == SUMMARY:
            return item.summary
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        col = index.column()
        if col == LOGGED:
            return f"{item.logged_at.astimezone(self._tz):%d %b %Y %H:%M}"
        if col == STATUS:
            return item.status.replace("_", " ")
        values = {NUMBER: item.number, PRIORITY: item.priority, RESELLER: item.reseller,
                  CONTACT: item.contact, SUMMARY: item.summary}  # fmt: skip
        return values.get(col, "")
