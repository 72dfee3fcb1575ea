"""A ticket's conversation as one timeline: messages in and out, internal notes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt

from deskapp.gui.models.flat_table import AnyIndex, FlatTableModel
from deskapp.services.conversation import ConversationEntry

WHEN, WAY, WHO, SUBJECT, STATE = range(5)
HEADERS = ("When", "Way", "Who", "Subject / text", "Delivery")
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
WAYS = {"in": "← from reseller", "out": "→ to reseller", "note": "internal note"}
STATES = {
    "pending": "waiting to send", "sending": "sending", "sent": "sent", "failed": "FAILED",
    "received": "received", "note": "—",
}  # fmt: skip


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


class ConversationModel(FlatTableModel):
    def __init__(self, tz: dt.tzinfo, parent: Any = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._entries: list[ConversationEntry] = []

    def set_entries(self, entries: Sequence[ConversationEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entry(self, row: int) -> ConversationEntry:
        return self._entries[row]

    def headers(self) -> tuple[str, ...]:
        return HEADERS

    def row_count(self) -> int:
        return len(self._entries)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.has_row(index):
            return None
        e = self._entries[index.row()]
        if role == ENTRY_ROLE:
            return e
        col = index.column()
        if role == Qt.ItemDataRole.ToolTipRole and col == STATE and e.error:
            return e.error
        if role == Qt.ItemDataRole.ForegroundRole and col == STATE and e.status == "failed":
            return Qt.GlobalColor.red
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if col == WHEN:
            return f"{e.at.astimezone(self._tz):%a %d %b %H:%M}"
        if col == WAY:
            return WAYS.get(e.direction, e.direction) + ("" if e.direction == "note" else f" ({e.kind})")
        if col == WHO:
            return (e.author or e.sender) if e.direction != "out" else f"to {e.to}"
        if col == SUBJECT:
            text = e.subject if e.direction != "note" else first_line(e.text)
            clip = f" [{len(e.attachments)} attached]" if e.attachments else ""
            return f"{text}{clip}"
        if col == STATE:
            state = STATES.get(e.status, e.status)
            return f"{state}: {e.error}" if e.error and e.status == "failed" else state
        return None
