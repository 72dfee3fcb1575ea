"""One step of a ticket's history, as the services hand it out (no store, no Qt)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    actor: str
    kind: str
    from_status: str | None
    to_status: str | None
    from_tier: int | None
    to_tier: int | None
    note: str
