"""Escalated tickets grouped by tier (a header row per tier, then its tickets)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from deskapp.gui.models.countdowns import age_text
from deskapp.gui.models.flat_table import AnyIndex, FlatTableModel
from deskapp.services.escalation_review import EscalationRow

NUMBER, PRIORITY, RESELLER, SUMMARY, AT_TIER, NOTE, THIRD_PARTY, FLAG = range(8)
HEADERS = ("Number", "Priority", "Reseller", "Summary", "Time at tier", "Escalation note",
           "Third party", "Flag")  # fmt: skip
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1  # the Escalation, None on a tier header row


class Escalation:
    """How a lead's table shows one EscalationRow."""

    def __init__(self, row: EscalationRow) -> None:
        self.row = row
        third = ""
        if row.provider:
            third = f"{row.provider} ref {row.provider_ref or '?'}"
            if row.last_provider_update is not None:
                at, note = row.last_provider_update
                third += f"; last update {at:%d %b %H:%M} UTC: {note}"
        self.third_party = third


class EscalationsModel(FlatTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[int | Escalation] = []  # an int is a tier header
        self._now = dt.datetime.now(dt.UTC)
        self._bold = QFont()
        self._bold.setBold(True)

    def set_escalations(self, items: Sequence[Escalation], now: dt.datetime) -> None:
        self.beginResetModel()
        self._now = now
        rows: list[int | Escalation] = []
        for tier in sorted({e.row.tier for e in items}, reverse=True):
            group = sorted((e for e in items if e.row.tier == tier), key=lambda e: e.row.at_tier_since)
            rows.append(tier)
            rows.extend(group)
        self._rows = rows
        self.endResetModel()

    def is_header(self, row: int) -> bool:
        return isinstance(self._rows[row], int)

    def escalation(self, row: int) -> Escalation | None:
        item = self._rows[row]
        return None if isinstance(item, int) else item

    def headers(self) -> tuple[str, ...]:
        return HEADERS

    def row_count(self) -> int:
        return len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        item, col = self._rows[index.row()], index.column()
        if isinstance(item, int):
            if role == Qt.ItemDataRole.DisplayRole and col == 0:
                count = sum(1 for e in self._rows if isinstance(e, Escalation) and e.row.tier == item)
                what = "Third Party Provider engaged" if item == 3 else "escalated"
                return f"Tier {item}: {count} {what}"
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            return None
        if role == ENTRY_ROLE:
            return item
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        d = item.row
        values = {
            NUMBER: d.number, PRIORITY: d.priority, RESELLER: d.reseller, SUMMARY: d.summary,
            AT_TIER: age_text(int((self._now - d.at_tier_since).total_seconds() * 1_000_000)),
            NOTE: d.escalation_note, THIRD_PARTY: item.third_party or "—",
            FLAG: "REFUSED RESOLUTION" if d.refused else "",
        }  # fmt: skip
        return values.get(col)
