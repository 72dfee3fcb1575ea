"""A ticket's history as a timeline table (oldest first)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt

from deskapp.gui.models.flat_table import AnyIndex, FlatTableModel
from deskapp.services.history_entry import HistoryEntry

WHEN, WHO, WHAT, NOTE = range(4)
HEADERS = ("When", "Who", "What", "Note")
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1


def describe(entry: HistoryEntry) -> str:
    words = entry.kind.replace("_", " ")
    if entry.from_status and entry.to_status and entry.from_status != entry.to_status:
        words += f" ({entry.from_status.replace('_', ' ')} → {entry.to_status.replace('_', ' ')})"
    if entry.from_tier and entry.to_tier and entry.from_tier != entry.to_tier:
        words += f", Tier {entry.from_tier} → {entry.to_tier}"
    return words


class HistoryModel(FlatTableModel):
    def __init__(self, tz: dt.tzinfo, parent: Any = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._entries: list[HistoryEntry] = []

    def set_entries(self, entries: Sequence[HistoryEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def headers(self) -> tuple[str, ...]:
        return HEADERS

    def row_count(self) -> int:
        return len(self._entries)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._entries)):
            return None
        entry = self._entries[index.row()]
        if role == ENTRY_ROLE:
            return entry
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        col = index.column()
        if col == WHEN:
            return f"{entry.at.astimezone(self._tz):%a %d %b %Y %H:%M}"
        if col == WHO:
            return entry.actor
        if col == WHAT:
            return describe(entry)
        if col == NOTE:
            return entry.note
        return None
