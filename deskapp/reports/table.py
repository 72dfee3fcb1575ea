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
from pathlib import Path

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
        writer.writerow([csv_safe(c) for c in self.columns])
        writer.writerows(
            tuple(c.isoformat() if isinstance(c, dt.datetime) else csv_safe(c) for c in r) for r in self.rows
        )
        return out.getvalue()

    def write_csv(self, path: str | Path) -> Path:
        """Write `to_csv()` to a file as UTF-8 with a byte order mark (so Excel reads the
        accents right); CsvFileError names the file when it cannot be written."""
        target = Path(path)
        if target.is_dir():
            raise CsvFileError(f"cannot write the CSV to {target}: it is a folder; name a file in it")
        if not target.parent.is_dir():
            raise CsvFileError(f"cannot write the CSV to {target}: the folder {target.parent} does not exist")
        try:
            target.write_text(self.to_csv(), encoding="utf-8-sig")
        except OSError as exc:
            raise CsvFileError(f"cannot write the CSV to {target}: {exc.strerror or exc}") from None
        return target

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


class CsvFileError(ValueError):
    """A CSV export that cannot be written where asked; the message names the file."""


_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Cell) -> Cell:
    """A text cell that starts like a formula (=HYPERLINK(...), +, -, @, tab, CR) gets a
    leading apostrophe, so a spreadsheet shows it instead of running it (OWASP's advice).
    Numbers are left alone: -3 is a number, not a formula. A carriage return inside a
    cell becomes a newline: the writer quotes a cell holding a newline, not one holding
    only a CR, which would split the row."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_LEAD):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


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
