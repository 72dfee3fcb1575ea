"""The administrator's directory: staff (active or not) and resellers, one row each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from deskapp.gui.models.flat_table import AnyIndex, FlatTableModel
from deskapp.services.directory import ResellerRow, StaffRow

STAFF_HEADERS = ("Login", "Name", "Role", "Sign-in")
RESELLER_HEADERS = ("Name", "Country", "Email", "Phone", "Status")
INACTIVE_COLOUR = QColor("#6b6b6b")


class StaffModel(FlatTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[StaffRow] = []

    def set_rows(self, rows: Sequence[StaffRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def member(self, row: int) -> StaffRow:
        return self._rows[row]

    def row_of(self, login: str) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.login == login), None)

    def headers(self) -> tuple[str, ...]:
        return STAFF_HEADERS

    def row_count(self) -> int:
        return len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.has_row(index):
            return None
        s = self._rows[index.row()]
        if role == Qt.ItemDataRole.ForegroundRole and not s.active:
            return QBrush(INACTIVE_COLOUR)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        sign_in = "stopped" if not s.active else ("allowed" if s.has_password else "no password set")
        return (s.login, s.name, s.role.label, sign_in)[index.column()]


class ResellerModel(FlatTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ResellerRow] = []

    def set_rows(self, rows: Sequence[ResellerRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def names(self) -> list[str]:
        return [r.name for r in self._rows]

    def reseller(self, row: int) -> ResellerRow:
        return self._rows[row]

    def row_of(self, name: str) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.name == name), None)

    def headers(self) -> tuple[str, ...]:
        return RESELLER_HEADERS

    def row_count(self) -> int:
        return len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.has_row(index):
            return None
        r = self._rows[index.row()]
        if role == Qt.ItemDataRole.ForegroundRole and not r.active:
            return QBrush(INACTIVE_COLOUR)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        status = "active" if r.active else "retired"
        return (r.name, r.country, r.email or "—", r.phone or "—", status)[index.column()]
