"""What the queue is filtered by, as plain data (Qt-free), and the counts per filter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Protocol

from deskapp.gui.models.countdowns import AT_RISK, BREACHED

STATUSES = ("logged", "assigned", "in_progress", "awaiting_info", "resolved", "closed")
PRIORITIES = ("P1", "P2", "P3")
TIERS = (1, 2, 3)


class Filterable(Protocol):
    @property
    def number(self) -> str: ...
    @property
    def priority(self) -> str: ...
    @property
    def reseller(self) -> str: ...
    @property
    def contact(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def tier(self) -> int: ...
    @property
    def engineer(self) -> str | None: ...


@dataclass(frozen=True)
class QueueFilter:
    """Every filter the queue offers; empty values mean "any"."""

    mine: bool = False
    unassigned: bool = False
    at_risk: bool = False  # at risk or breached
    awaiting_info: bool = False
    priority: str = ""
    status: str = ""
    tier: int = 0
    search: str = ""

    def accepts(self, t: Filterable, band: int, me: str | None) -> bool:
        if self.mine and (me is None or t.engineer != me):
            return False
        if self.unassigned and t.engineer is not None:
            return False
        if self.at_risk and band not in (AT_RISK, BREACHED):
            return False
        if self.awaiting_info and t.status != "awaiting_info":
            return False
        if self.priority and t.priority != self.priority:
            return False
        if self.status and t.status != self.status:
            return False
        if self.tier and t.tier != self.tier:
            return False
        if self.search:
            needle = self.search.casefold()
            return any(needle in field.casefold() for field in (t.number, t.reseller, t.contact, t.summary))
        return True

    def with_(self, **changes: Any) -> QueueFilter:
        return replace(self, **changes)

    def to_settings(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_settings(cls, values: Mapping[str, Any]) -> QueueFilter:
        """Tolerant of missing or mistyped values (QSettings returns strings on some platforms)."""
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in values or values[f.name] is None:
                continue
            raw = values[f.name]
            if f.type == "bool":
                kwargs[f.name] = raw in (True, "true", "True", "1", 1)
            elif f.type == "int":
                try:
                    kwargs[f.name] = int(raw)
                except (TypeError, ValueError):
                    continue
            else:
                kwargs[f.name] = str(raw)
        return cls(**kwargs)


@dataclass(frozen=True)
class FilterCounts:
    """How many loaded tickets each filter would show on its own."""

    total: int = 0
    mine: int = 0
    unassigned: int = 0
    at_risk: int = 0
    awaiting_info: int = 0
    priority: Mapping[str, int] | None = None
    status: Mapping[str, int] | None = None
    tier: Mapping[int, int] | None = None


def count(rows: Sequence[Filterable], bands: Sequence[int], me: str | None) -> FilterCounts:
    priority: dict[str, int] = {}
    status: dict[str, int] = {}
    tier: dict[int, int] = {}
    mine = unassigned = risky = awaiting = 0
    for t, band in zip(rows, bands, strict=True):
        priority[t.priority] = priority.get(t.priority, 0) + 1
        status[t.status] = status.get(t.status, 0) + 1
        tier[t.tier] = tier.get(t.tier, 0) + 1
        if t.engineer is None:
            unassigned += 1
        elif t.engineer == me:
            mine += 1
        if band in (AT_RISK, BREACHED):
            risky += 1
        if t.status == "awaiting_info":
            awaiting += 1
    return FilterCounts(len(rows), mine, unassigned, risky, awaiting, priority, status, tier)
