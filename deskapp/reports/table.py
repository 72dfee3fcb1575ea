"""A report's result: a title, column names and rows of plain values.

An instant is a cell of its own (an aware datetime in the desk's local time):
`as_dicts` (JSON) gives it in UTC with a Z; the text and CSV a person reads give
it in local time with its offset.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from deskapp.domain.local_time import iso_utc, short_text

Plain = str | int | float | None
Cell = Plain | dt.datetime


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    note: str = ""

    def column(self, name: str) -> list[Cell]:
        k = self.columns.index(name)
        return [row[k] for row in self.rows]

    def as_dicts(self) -> list[dict[str, Plain]]:
        """Rows for machines (JSON): instants in UTC."""
        return [
            dict(
                zip(self.columns, (iso_utc(c) if isinstance(c, dt.datetime) else c for c in row), strict=True)
            )
            for row in self.rows
        ]

    def to_csv(self) -> str:
        """CSV for a person's spreadsheet: instants in local time, ISO 8601 with the offset."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(
            tuple(c.isoformat() if isinstance(c, dt.datetime) else c for c in r) for r in self.rows
        )
        return out.getvalue()

    def to_text(self) -> str:
        """Aligned columns for a terminal."""
        cells = [self.columns, *[tuple("" if c is None else _fmt(c) for c in r) for r in self.rows]]
        widths = [max(len(str(row[k])) for row in cells) for k in range(len(self.columns))]
        lines = [self.title, ""]
        for i, row in enumerate(cells):
            lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
            if i == 0:
                lines.append("  ".join("-" * w for w in widths))
        if not self.rows:
            lines.append("(nothing to report)")
        if self.note:
            lines += ["", self.note]
        return "\n".join(lines)


def _fmt(value: Cell) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, dt.datetime):
        return short_text(value, value.tzinfo or dt.UTC)
    return str(value)


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def hours(span: dt.timedelta) -> float:
    return round(span.total_seconds() / 3600, 2)


def month_of(moment: dt.datetime, tz: dt.tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m")


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def in_period(logged_at: object, since: dt.datetime | None, until: dt.datetime | None) -> list[object]:
    """Conditions on a ticket's logging instant for a report's period [since, until):
    every report counts the tickets logged in its period."""
    conditions: list[object] = []
    if since is not None:
        conditions.append(logged_at >= since)  # type: ignore[operator]
    if until is not None:
        conditions.append(logged_at < until)  # type: ignore[operator]
    return conditions
