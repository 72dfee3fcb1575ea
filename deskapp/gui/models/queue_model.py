"""The queue: one row a ticket, over the services' `QueueRow`s.

The response countdown comes from `QueueClocks` (arrays computed on load);
`tick(now, rows)` recomputes only the rows it is given (the visible ones) and
emits `dataChanged` for their countdown cells, so a tick never queries the
database and costs the same for a hundred tickets or a hundred thousand.
Sorting is done here on Python values (`sort`), the proxy forwards to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import (
    QModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from deskapp.domain.business_calendar import from_us
from deskapp.domain.sla import SlaEngine
from deskapp.gui.models.countdowns import (
    AT_RISK,
    BAND_NAMES,
    BREACHED,
    MET,
    MISSED,
    NOT_RESPONDED,
    ON_TRACK,
    QueueClocks,
    Tick,
    age_text,
)
from deskapp.gui.models.flat_table import AnyIndex, FlatTableModel
from deskapp.services.queue import QueueRow

# Columns, in display order.
NUMBER, PRIORITY, RESELLER, SUMMARY, STATUS, TIER, ENGINEER, COUNTDOWN, AGE = range(9)
HEADERS = ("Number", "Priority", "Reseller", "Summary", "Status", "Tier", "Engineer", "Response SLA", "Age")

# Custom roles.
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the QueueRow itself
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # a Python value the column sorts by
BAND_ROLE = Qt.ItemDataRole.UserRole + 3  # the Band (str) of the response clock
DUE_ROLE = Qt.ItemDataRole.UserRole + 4  # the response due instant (aware UTC)
UPDATED_ROLE = Qt.ItemDataRole.UserRole + 5  # True: changed by someone else since you looked
UPDATED_MARK = "● "  # before the number of a ticket updated since you looked

BAND_COLOURS = {
    ON_TRACK: "#d9f2dd",
    AT_RISK: "#ffe3a3",
    BREACHED: "#f7b4b4",
    MET: "#e6e6e6",
    MISSED: "#e8cccc",
}
_BAND_BRUSHES = {code: QBrush(QColor(colour)) for code, colour in BAND_COLOURS.items()}
_DARK_TEXT = QBrush(QColor("#1a1a1a"))
_BOLD = QFont()
_BOLD.setBold(True)


class QueueModel(FlatTableModel):
    # ids of tickets whose band turned at risk or breached since the last full refresh
    bands_turned = Signal(list)

    def __init__(self, engine: SlaEngine, now: dt.datetime, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[QueueRow] = []
        self._index_of: dict[int, int] = {}
        self._row_of_number: dict[str, int] | None = None  # made when first asked (`row_of_number`)
        self._clocks = QueueClocks(engine)
        self._tick = self._clocks.tick(now)
        self._remaining = np.empty(0, dtype=np.int64)
        self._bands = np.empty(0, dtype=np.int8)
        self._sorted: tuple[int, Qt.SortOrder] | None = None
        self._seen: dict[int, int] = {}  # ticket id -> the version this person last looked at

    # --- reading ----------------------------------------------------------------

    def headers(self) -> tuple[str, ...]:
        return HEADERS

    def row_count(self) -> int:
        return len(self._rows)

    def row(self, row: int) -> QueueRow:
        return self._rows[row]

    def rows(self) -> Sequence[QueueRow]:
        return self._rows

    def row_of(self, ticket_id: int) -> int | None:
        return self._index_of.get(ticket_id)

    def row_of_number(self, number: str) -> int | None:
        # A dict made on the first look after the rows changed: opening a ticket asks for
        # its row, and a closed one (not in the queue) would walk all 100k rows each time.
        if self._row_of_number is None:
            self._row_of_number = {t.number: i for i, t in enumerate(self._rows)}
        return self._row_of_number.get(number)

    # --- updated since you looked ----------------------------------------------

    def set_seen(self, seen: dict[int, int]) -> None:
        """The versions this person last looked at (`deskapp.services.views.seen_versions`)."""
        self._seen = dict(seen)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(HEADERS) - 1))

    def mark_seen(self, ticket_id: int, version: int) -> None:
        self._seen[ticket_id] = max(version, self._seen.get(ticket_id, 0))
        at = self._index_of.get(ticket_id)
        if at is not None:
            self.dataChanged.emit(self.index(at, 0), self.index(at, len(HEADERS) - 1))

    def is_updated(self, row: int) -> bool:
        """Changed since this person last looked (never-opened tickets are not marked)."""
        item = self._rows[row]
        seen = self._seen.get(item.id)
        return seen is not None and item.version > seen

    def updated_count(self) -> int:
        rows, at_of = self._rows, self._index_of
        return sum(
            1 for i, v in self._seen.items() if (at := at_of.get(i)) is not None and rows[at].version > v
        )

    def band(self, row: int) -> int:
        return int(self._bands[row])

    def bands(self) -> npt.NDArray[np.int8]:
        return self._bands

    @property
    def now(self) -> dt.datetime:
        return from_us(self._tick.now_us)

    def countdown_text(self, row: int) -> str:
        return self._clocks.text(self._tick, row, int(self._remaining[row]), int(self._bands[row]))

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, col = index.row(), index.column()
        if not (0 <= r < len(self._rows)):
            return None
        item = self._rows[r]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, r, col)
        if role == SORT_ROLE:
            return self._sort_key(col)(r)
        if role == ROW_ROLE:
            return item
        if role == BAND_ROLE:
            return str(BAND_NAMES[int(self._bands[r])])
        if role == DUE_ROLE:
            return item.response_due
        if role == UPDATED_ROLE:
            return self.is_updated(r)
        if role == Qt.ItemDataRole.FontRole and self.is_updated(r):
            return _BOLD
        if role == Qt.ItemDataRole.ToolTipRole and col == NUMBER and self.is_updated(r):
            return "Updated by someone else since you last looked"
        if role == Qt.ItemDataRole.BackgroundRole and col == COUNTDOWN:
            return _BAND_BRUSHES[int(self._bands[r])]
        if role == Qt.ItemDataRole.ForegroundRole and col == COUNTDOWN:
            return _DARK_TEXT
        if role == Qt.ItemDataRole.ToolTipRole and col == COUNTDOWN:
            return f"{BAND_NAMES[int(self._bands[r])]}; response due {self._local(item.response_due)}"
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (TIER, PRIORITY):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _local(self, moment: dt.datetime) -> str:
        return f"{moment.astimezone(self._clocks.engine.calendar.tz):%a %d %b %H:%M}"

    def _display(self, item: QueueRow, r: int, col: int) -> str:
        if col == NUMBER:
            return UPDATED_MARK + item.number if self.is_updated(r) else item.number
        if col == PRIORITY:
            return item.priority
        if col == RESELLER:
            return item.reseller
        if col == SUMMARY:
            return item.summary
        if col == STATUS:
            return item.status.replace("_", " ")
        if col == TIER:
            return str(item.tier)
        if col == ENGINEER:
            return item.engineer_name or item.engineer or "unassigned"
        if col == COUNTDOWN:
            return self.countdown_text(r)
        if col == AGE:
            return age_text(self._tick.now_us - int(self._clocks.logged[r]))
        return ""

    def _sort_key(self, col: int) -> Callable[[int], Any]:
        rows = self._rows
        if col == COUNTDOWN:
            group, due = self._urgency()
            return lambda r: (int(group[r]), int(due[r]))
        if col == AGE:
            logged = self._clocks.logged
            return lambda r: -int(logged[r])
        if col == TIER:
            return lambda r: rows[r].tier
        if col == ENGINEER:
            return lambda r: (rows[r].engineer_name or rows[r].engineer or "").lower()
        attribute = {PRIORITY: "priority", RESELLER: "reseller", SUMMARY: "summary", STATUS: "status"}
        name = attribute.get(col, "number")

        def key(r: int) -> str:
            return str(getattr(rows[r], name)).lower()

        return key

    # --- loading ----------------------------------------------------------------

    def set_rows(self, rows: Iterable[QueueRow], now: dt.datetime) -> None:
        """Replace everything (the first load): arrays computed once, here."""
        self.beginResetModel()
        self._rows = list(rows)
        self._reindex()
        self._clocks.load(
            [t.priority for t in self._rows],
            [t.logged_at for t in self._rows],
            [t.response_due for t in self._rows],
            [t.responded_at for t in self._rows],
        )
        self._tick = self._clocks.tick(now)
        self._remaining, self._bands = self._clocks.compute(self._tick, np.arange(len(self._rows)))
        if self._sorted is not None and len(self._rows) > 1:
            self._reorder(self._permutation(*self._sorted))  # inside the reset: one re-filter, not two
        self.endResetModel()

    def upsert(self, rows: Iterable[QueueRow], now: dt.datetime, *, keep: Callable[[QueueRow], bool]
               = lambda _t: True) -> None:  # fmt: skip
        """Apply changed rows (an incremental refresh): update, add, or drop if not `keep`."""
        fresh: list[QueueRow] = []
        for item in rows:
            at = self._index_of.get(item.id)
            if at is None:
                if keep(item):
                    fresh.append(item)
                continue
            if not keep(item):
                self.beginRemoveRows(QModelIndex(), at, at)
                del self._rows[at]
                self._clocks.remove(at)
                self._remaining = np.delete(self._remaining, at)
                self._bands = np.delete(self._bands, at)
                self._reindex()
                self.endRemoveRows()
                continue
            self._rows[at] = item
            self._clocks.replace(at, item.priority, item.logged_at, item.response_due, item.responded_at)
            rem, band = self._clocks.compute(self._tick, np.array([at]))
            self._remaining[at], self._bands[at] = rem[0], band[0]
            self.dataChanged.emit(self.index(at, 0), self.index(at, len(HEADERS) - 1))
        if fresh:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._rows.extend(fresh)
            self._reindex()
            self._clocks.append(
                [t.priority for t in fresh], [t.logged_at for t in fresh],
                [t.response_due for t in fresh], [t.responded_at for t in fresh],
            )  # fmt: skip
            rem, band = self._clocks.compute(self._tick, np.arange(first, len(self._rows)))
            self._remaining = np.concatenate([self._remaining, rem])
            self._bands = np.concatenate([self._bands, band])
            self.endInsertRows()
            if self._sorted is not None:
                self.sort(*self._sorted)  # new rows take their place in the order shown

    def _reindex(self) -> None:
        self._index_of = {t.id: i for i, t in enumerate(self._rows)}
        self._row_of_number = None

    # --- time ---------------------------------------------------------------------

    def tick(self, now: dt.datetime, rows: npt.NDArray[np.intp] | Sequence[int]) -> None:
        """The 1-second countdown tick over the given (visible) source rows."""
        self._tick = self._clocks.tick(now)
        rows_arr = np.unique(np.asarray(rows, dtype=np.intp))
        if not rows_arr.size:
            return
        rem, band = self._clocks.compute(self._tick, rows_arr)
        self._remaining[rows_arr] = rem
        self._bands[rows_arr] = band
        # one dataChanged per contiguous run of rows, countdown column only
        breaks = np.flatnonzero(np.diff(rows_arr) != 1) + 1
        for run in np.split(rows_arr, breaks):
            first, last = int(run[0]), int(run[-1])
            self.dataChanged.emit(self.index(first, COUNTDOWN), self.index(last, COUNTDOWN))

    def refresh_all_bands(self, now: dt.datetime) -> list[int]:
        """Every row's band at `now` (rule-pass cadence, for filters and notifications).

        Returns (and signals) the ids of tickets that turned at risk or breached."""
        self._tick = self._clocks.tick(now)
        if not self._rows:
            return []
        before = self._bands
        self._remaining, self._bands = self._clocks.compute(self._tick, np.arange(len(self._rows)))
        worse = np.flatnonzero(
            ((self._bands == AT_RISK) & (before == ON_TRACK))
            | ((self._bands == BREACHED) & (before != BREACHED))
        )
        turned = [self._rows[int(i)].id for i in worse]
        self.dataChanged.emit(self.index(0, COUNTDOWN), self.index(len(self._rows) - 1, AGE))
        if turned:
            self.bands_turned.emit(turned)
        return turned

    def now_us(self) -> int:
        return self._tick.now_us

    def tick_state(self) -> Tick:
        return self._tick

    # --- sorting (on Python values) ----------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not (0 <= column < len(HEADERS)):
            return
        self._sorted = (column, order)
        if len(self._rows) < 2:
            return
        n = len(self._rows)
        perm = self._permutation(column, order)
        self.layoutAboutToBeChanged.emit()
        old_persistent = self.persistentIndexList()
        new_row_of_old = np.empty(n, dtype=np.intp)
        new_row_of_old[perm] = np.arange(n)
        self._reorder(perm)
        self.changePersistentIndexList(
            old_persistent,
            [self.index(int(new_row_of_old[i.row()]), i.column()) for i in old_persistent],
        )
        self.layoutChanged.emit()

    def _permutation(self, column: int, order: Qt.SortOrder) -> npt.NDArray[np.intp]:
        if column == COUNTDOWN:  # what needs action first (see `_urgency`)
            group, due = self._urgency()
            perm: npt.NDArray[np.intp] = np.lexsort((due, group))
        elif column == AGE:
            perm = np.argsort(-self._clocks.logged, kind="stable")
        else:
            key = self._sort_key(column)
            perm = np.asarray(sorted(range(len(self._rows)), key=key), dtype=np.intp)
        return perm[::-1] if order == Qt.SortOrder.DescendingOrder else perm

    def urgency_order(self) -> npt.NDArray[np.intp]:
        """Source rows, most urgent first (what needs action first: see `_urgency`)."""
        group, due = self._urgency()
        order: npt.NDArray[np.intp] = np.lexsort((due, group))
        return order

    def _urgency(self) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64]]:
        """Urgency is what needs action first: at risk (soonest due first), then breached
        (the freshest breach first: one breached weeks ago is past saving and must not sit
        above a P1 with minutes left), then on track (soonest due first), then answered."""
        answered = self._clocks.responded != NOT_RESPONDED
        bands = self._bands
        group = np.full(len(bands), 2, dtype=np.int8)
        group[bands == AT_RISK] = 0
        group[bands == BREACHED] = 1
        group[answered] = 3
        due = np.where(group == 1, -self._clocks.due, self._clocks.due)
        return group, due

    def _reorder(self, perm: npt.NDArray[np.intp]) -> None:
        self._rows = [self._rows[int(i)] for i in perm]
        for name in QueueClocks.names():
            setattr(self._clocks, name, getattr(self._clocks, name)[perm])
        self._remaining = self._remaining[perm]
        self._bands = self._bands[perm]
        self._reindex()
