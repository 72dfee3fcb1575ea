"""The customer's other tickets (`deskapp.services.customer_history`), one row each;
the same contact's tickets in bold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from deskapp.gui.models.flat_table import AnyIndex, FlatTableModel
from deskapp.services.customer_history import PastTicket

NUMBER, LOGGED, OUTCOME, SUMMARY = range(4)
HEADERS = ("Number", "Logged", "Outcome", "Summary")
PAST_ROLE = Qt.ItemDataRole.UserRole + 1
_BOLD = QFont()
_BOLD.setBold(True)
_ROLES = frozenset(
    (PAST_ROLE, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.DisplayRole)
)


class CustomerHistoryModel(FlatTableModel):
    def __init__(self, tz: dt.tzinfo, parent: Any = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._rows: tuple[PastTicket, ...] = ()

    def headers(self) -> tuple[str, ...]:
        return HEADERS

    def row_count(self) -> int:
        return len(self._rows)

    def set_tickets(self, rows: Sequence[PastTicket]) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def ticket(self, row: int) -> PastTicket:
        return self._rows[row]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The view asks for a dozen roles per cell as it paints: the others cost one lookup.
        if role not in _ROLES or not self.has_row(index):
            return None
        t = self._rows[index.row()]
        col = index.column()
        if role == PAST_ROLE:
            return t
        if role == Qt.ItemDataRole.FontRole and t.same_contact:
            return _BOLD
        if role == Qt.ItemDataRole.ToolTipRole:
            who = "the same contact" if t.same_contact else t.contact
            return f"{t.number} · {t.priority} · {who}\n{t.summary}\n{t.outcome}"
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == NUMBER:
            return t.number
        if col == LOGGED:
            return f"{t.logged_at.astimezone(self._tz):%d %b %Y}"
        if col == OUTCOME:
            return t.outcome
        return t.summary
