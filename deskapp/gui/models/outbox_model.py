"""The outbox: messages to resellers, newest first, with their sending state.

One row per `deskapp.services.outbox.OutboxRow`; the proxy keeps the failed
ones only when asked and sorts on Python values (SORT_ROLE).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from deskapp.gui.models.flat_table import AnyIndex, FlatTableModel
from deskapp.services.outbox import OutboxRow

STATUS, TICKET, KIND, RECIPIENT, ATTEMPTS, NEXT_ATTEMPT, LAST_ERROR = range(7)
HEADERS = ("Status", "Ticket", "Kind", "Recipient", "Attempts", "Next attempt", "Last error")
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the OutboxRow
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # a Python value to compare
FAILED_COLOUR = QColor("#b3261e")


class OutboxModel(FlatTableModel):
    def __init__(self, tz: ZoneInfo, parent: Any = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._rows: list[OutboxRow] = []

    def set_rows(self, rows: Sequence[OutboxRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def message(self, row: int) -> OutboxRow:
        return self._rows[row]

    def headers(self) -> tuple[str, ...]:
        return HEADERS

    def row_count(self) -> int:
        return len(self._rows)

    def _when(self, moment: dt.datetime | None) -> str:
        return "—" if moment is None else f"{moment.astimezone(self._tz):%a %d %b %H:%M}"

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        m, col = self._rows[index.row()], index.column()
        if role == ROW_ROLE:
            return m
        if role == SORT_ROLE:
            sort_values: dict[int, Any] = {
                STATUS: m.status, TICKET: m.number or "", KIND: m.kind, RECIPIENT: m.recipient,
                ATTEMPTS: m.attempts, NEXT_ATTEMPT: m.next_attempt_at, LAST_ERROR: m.last_error or "",
            }  # fmt: skip
            return sort_values.get(col)
        if role == Qt.ItemDataRole.ForegroundRole and m.status == "failed" and col in (STATUS, LAST_ERROR):
            return QBrush(FAILED_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{m.subject}\n{m.last_error}" if m.last_error else m.subject
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == NEXT_ATTEMPT:
            due = m.sent_at if m.status == "sent" else m.next_attempt_at
            prefix = "sent " if m.status == "sent" else ""
            return "—" if m.status == "failed" else prefix + self._when(due)
        values: dict[int, Any] = {
            STATUS: m.status, TICKET: m.number or "—", KIND: m.kind.replace("_", " "),
            RECIPIENT: m.recipient, ATTEMPTS: str(m.attempts), LAST_ERROR: m.last_error or "",
        }  # fmt: skip
        return values.get(col)


class OutboxProxy(QSortFilterProxyModel):
    """Newest first by default; `failed_only` keeps the messages that need a person."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._failed_only = False
        self.setSortRole(SORT_ROLE)

    @property
    def failed_only(self) -> bool:
        return self._failed_only

    def set_failed_only(self, on: bool) -> None:
        self.beginFilterChange()
        self._failed_only = on
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if not self._failed_only:
            return True
        model = self.sourceModel()
        assert isinstance(model, OutboxModel)
        return model.message(source_row).status == "failed"

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if a is None or b is None:
            return a is None and b is not None
        return bool(a < b)
