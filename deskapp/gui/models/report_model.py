"""Any report's Table in a QTableView: its columns as headers, its rows as cells.

Numbers are right-aligned and sorted as numbers (SORT_ROLE gives the plain value);
a missing value (a percentage of nothing) shows as a dash.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt

from deskapp.gui.models.flat_table import AnyIndex, FlatTableModel
from deskapp.reports.table import Cell, Table

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def cell_text(value: Cell) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, dt.datetime):  # in the desk's local time, with its zone
        return f"{value:%a %d %b %Y %H:%M} {value.tzname()}"
    return str(value)


class ReportModel(FlatTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._table = Table("", ())

    @property
    def table(self) -> Table:
        return self._table

    def set_table(self, table: Table) -> None:
        self.beginResetModel()
        self._table = table
        self.endResetModel()

    def headers(self) -> tuple[str, ...]:
        return self._table.columns

    def row_count(self) -> int:
        return len(self._table.rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        rows = self._table.rows
        if not index.isValid() or not (0 <= index.row() < len(rows)):
            return None
        row = rows[index.row()]
        if not 0 <= index.column() < len(row):
            return None
        value = row[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(value)
        if role == SORT_ROLE:  # an instant sorts by its UTC text (a Python datetime would become a QDateTime)
            return value.astimezone(dt.UTC).isoformat() if isinstance(value, dt.datetime) else value
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int | float):
            return int(RIGHT.value)
        return None


class ReportProxy(QSortFilterProxyModel):
    """Sorts on the plain values: numbers as numbers, a missing value first."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if a is None or b is None:
            return a is None and b is not None
        if isinstance(a, int | float) and isinstance(b, int | float):
            return a < b
        return str(a) < str(b)
