"""The queue's sort/filter proxy: filters on Python values; sorting forwarded to the model.

`QSortFilterProxyModel`'s own sort calls `lessThan` n·log n times through
Python (about 9 s for 100,000 rows), so `sort` asks the source model to sort
itself on Python sort keys (`SORT_ROLE`'s values) and this proxy keeps the
source order. `lessThan` compares the same keys, for any caller that sorts
through Qt anyway.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from deskapp.gui.models.queue_filter import QueueFilter
from deskapp.gui.models.queue_model import SORT_ROLE, QueueModel

AnyIndex = QModelIndex | QPersistentModelIndex


class QueueProxy(QSortFilterProxyModel):
    def __init__(self, source: QueueModel, parent: Any = None) -> None:
        super().__init__(parent)
        self._source = source
        self._filter = QueueFilter()
        self._me: str | None = None
        self._sorted = (-1, Qt.SortOrder.AscendingOrder)
        self.setSourceModel(source)

    @property
    def queue_filter(self) -> QueueFilter:
        return self._filter

    def set_filter(self, value: QueueFilter) -> None:
        if value == self._filter:
            return
        self.beginFilterChange()
        self._filter = value
        self.endFilterChange()

    def set_me(self, login: str | None) -> None:
        self.beginFilterChange()
        self._me = login
        self.endFilterChange()

    def refilter(self) -> None:
        """Re-apply the filter after the bands moved (at risk / breached)."""
        self.beginFilterChange()
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        f = self._filter
        if f == _NO_FILTER:
            return True
        return f.accepts(self._source.row(source_row), self._source.band(source_row), self._me)

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:
        return bool(left.data(SORT_ROLE) < right.data(SORT_ROLE))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sorted = (column, order)
        self._source.sort(column, order)

    @property
    def sorted_by(self) -> tuple[int, Qt.SortOrder]:
        return self._sorted


_NO_FILTER = QueueFilter()
