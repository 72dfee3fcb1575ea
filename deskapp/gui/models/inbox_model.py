"""The Inbox: inbound messages on no ticket yet, oldest first, with the response clock
of each waiting incident (counted from when the message reached the desk's mailbox).

One row per `deskapp.services.inbox.InboxRow`. The countdown column is the only one
that moves: `tick(now)` recomputes it and emits `dataChanged` for that column alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from deskapp.domain.sla import Band, SlaEngine
from deskapp.gui.models.countdowns import span
from deskapp.gui.models.flat_table import AnyIndex, FlatTableModel
from deskapp.services.inbox import InboxRow

FROM, SUBJECT, RECEIVED, FIELDS, RESPONSE = range(5)
HEADERS = ("From", "Subject", "Received", "Parsed fields", "Response")
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the InboxRow
LATE_COLOUR = QColor("#b3261e")
MICROSECOND = dt.timedelta(microseconds=1)
FIELD_ORDER = ("reseller", "contact", "tenant", "impact", "phone", "summary")


def fields_text(fields: dict[str, str]) -> str:
    """The parsed form in one line: the fields a person triages by first."""
    shown = [f"{key.replace('_', ' ').title()}: {fields[key]}" for key in FIELD_ORDER if fields.get(key)]
    return " · ".join(shown)


class InboxModel(FlatTableModel):
    def __init__(self, engine: SlaEngine, tz: ZoneInfo, now: dt.datetime, parent: Any = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._tz = tz
        self._now = now
        self._rows: list[InboxRow] = []

    def set_rows(self, rows: Sequence[InboxRow], now: dt.datetime) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._now = now
        self.endResetModel()

    def message(self, row: int) -> InboxRow:
        return self._rows[row]

    def row_of(self, message_id: int) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.id == message_id), None)

    def tick(self, now: dt.datetime) -> None:
        """The countdowns at `now`: only the Response column changes."""
        self._now = now
        if self._rows:
            self.dataChanged.emit(self.index(0, RESPONSE), self.index(len(self._rows) - 1, RESPONSE))

    def headers(self) -> tuple[str, ...]:
        return HEADERS

    def row_count(self) -> int:
        return len(self._rows)

    def countdown_text(self, row: int) -> str:
        """A waiting incident's response clock in words (readable without colour); a
        message that is not an incident in the desk's format has none yet."""
        m = self._rows[row]
        if m.kind != "incident":
            return "— (not an incident form)"
        c = self._engine.countdown(m.priority, m.received_at, self._now, due=m.response_due)
        if c.band is Band.BREACHED:
            return f"{m.priority} BREACHED +{span(c.overdue // MICROSECOND)}"
        words = f"{span(c.remaining // MICROSECOND)} left"
        if c.band is Band.AT_RISK:
            words = "AT RISK " + words
        if c.paused and c.resumes_at is not None:
            words += f", paused until {c.resumes_at.astimezone(self._tz):%a %H:%M}"
        return f"{m.priority} {words}"

    def _late(self, row: int) -> bool:
        m = self._rows[row]
        if m.kind != "incident":
            return False
        band = self._engine.countdown(m.priority, m.received_at, self._now, due=m.response_due).band
        return band in (Band.BREACHED, Band.AT_RISK)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.has_row(index):
            return None
        m, col = self._rows[index.row()], index.column()
        if role == ROW_ROLE:
            return m
        if role == Qt.ItemDataRole.ForegroundRole and col == RESPONSE and self._late(index.row()):
            return QBrush(LATE_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole:
            due = ""
            if m.kind == "incident":
                due = f"\nresponse due {m.response_due.astimezone(self._tz):%a %d %b %H:%M}"
            return f"{m.reason}{due}" + (f"\n{m.notes}" if m.notes else "")
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == FROM:
            return m.from_addr or "(no sender)"
        if col == SUBJECT:
            return m.subject or "(no subject)"
        if col == RECEIVED:
            return f"{m.received_at.astimezone(self._tz):%a %d %b %H:%M}"
        if col == FIELDS:
            return fields_text(m.fields) or m.reason
        if col == RESPONSE:
            return self.countdown_text(index.row())
        return None
