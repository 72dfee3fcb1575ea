"""The queue's response clocks as arrays, and their text for a person.

Qt-free. On load each ticket's due instant, `elapsed_us(due)`, target, clock
kind and response instant are turned into int64 arrays once; a countdown tick
then asks the calendar one question (`elapsed_us(now)`) and computes the
remaining time and band of the rows it is given with numpy, so its cost
depends on how many rows are shown, never on how many are loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from deskapp.domain.business_calendar import from_us, to_us
from deskapp.domain.sla import SlaEngine
from deskapp.domain.sla_batch import (
    AT_RISK,
    BAND_NAMES,
    BREACHED,
    MET,
    MISSED,
    NOT_RESPONDED,
    ON_TRACK,
    BatchSla,
    to_us_array,
)

I64 = npt.NDArray[np.int64]
HOUR_US = 3_600_000_000
MINUTE_US = 60_000_000

__all__ = [
    "AT_RISK",
    "BAND_NAMES",
    "BREACHED",
    "MET",
    "MISSED",
    "NOT_RESPONDED",
    "ON_TRACK",
    "QueueClocks",
    "Tick",
]


@dataclass(frozen=True)
class Tick:
    """One instant of the desk's clock, with the calendar questions answered once."""

    now_us: int
    now_elapsed: int
    desk_open: bool
    resumes_us: int  # next opening when the desk is shut (== now_us when open)


class QueueClocks:
    """Per-row arrays of the response clock, aligned with a model's rows."""

    def __init__(self, engine: SlaEngine) -> None:
        self.engine = engine
        self.batch = BatchSla(engine)
        self._wall_by_code: dict[str, bool] = {}
        self.clear()

    def clear(self) -> None:
        empty = np.empty(0, dtype=np.int64)
        self.due = empty
        self.due_elapsed = empty
        self.targets = empty
        self.responded = empty
        self.logged = empty
        self.wall = np.empty(0, dtype=np.bool_)

    def __len__(self) -> int:
        return int(self.due.size)

    def _wall(self, code: str) -> bool:
        wall = self._wall_by_code.get(code)
        if wall is None:
            wall = self._wall_by_code[code] = self.engine.priority(code).wall_clock
        return wall

    def arrays_for(
        self,
        priorities: Sequence[str],
        logged: Sequence[dt.datetime],
        due: Sequence[dt.datetime],
        responded: Sequence[dt.datetime | None],
    ) -> tuple[I64, I64, I64, I64, I64, npt.NDArray[np.bool_]]:
        logged_us = to_us_array(logged)
        due_us = to_us_array(due)
        responded_us = to_us_array(responded)
        wall = np.fromiter((self._wall(p) for p in priorities), dtype=np.bool_, count=len(priorities))
        if not due_us.size:
            return due_us, due_us, due_us, responded_us, logged_us, wall
        due_elapsed = self.batch.elapsed_us(due_us)
        targets = self.batch.targets_us(wall, logged_us, due_us)
        return due_us, due_elapsed, targets, responded_us, logged_us, wall

    def load(
        self,
        priorities: Sequence[str],
        logged: Sequence[dt.datetime],
        due: Sequence[dt.datetime],
        responded: Sequence[dt.datetime | None],
    ) -> None:
        (self.due, self.due_elapsed, self.targets, self.responded, self.logged, self.wall) = self.arrays_for(
            priorities, logged, due, responded
        )

    def replace(self, index: int, priority: str, logged: dt.datetime, due: dt.datetime,
                responded: dt.datetime | None) -> None:  # fmt: skip
        arrays = self.arrays_for([priority], [logged], [due], [responded])
        for name, values in zip(self._names, arrays, strict=True):
            getattr(self, name)[index] = values[0]

    def append(self, priorities: Sequence[str], logged: Sequence[dt.datetime], due: Sequence[dt.datetime],
               responded: Sequence[dt.datetime | None]) -> None:  # fmt: skip
        arrays = self.arrays_for(priorities, logged, due, responded)
        for name, values in zip(self._names, arrays, strict=True):
            setattr(self, name, np.concatenate([getattr(self, name), values]))

    def remove(self, index: int) -> None:
        for name in self._names:
            setattr(self, name, np.delete(getattr(self, name), index))

    _names = ("due", "due_elapsed", "targets", "responded", "logged", "wall")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The per-row arrays, for reordering them together."""
        return cls._names

    # --- per tick ---------------------------------------------------------------

    def tick(self, now: dt.datetime) -> Tick:
        now_us = to_us(now)
        calendar = self.engine.calendar
        desk_open = calendar.is_open_us(now_us)
        resumes = now_us if desk_open else calendar.next_opening_us(now_us)
        return Tick(now_us, calendar.elapsed_us(now_us), desk_open, resumes)

    def compute(self, tick: Tick, rows: npt.NDArray[np.intp]) -> tuple[I64, npt.NDArray[np.int8]]:
        """Remaining time (own clock) and band code of the given rows at the tick."""
        wall, due = self.wall[rows], self.due[rows]
        remaining: I64 = np.where(wall, due - tick.now_us, self.due_elapsed[rows] - tick.now_elapsed)
        fraction = self.engine.policy.at_risk_fraction
        responded = self.responded[rows]
        bands = np.where(
            responded != NOT_RESPONDED,
            np.where(responded <= due, MET, MISSED),
            np.where(
                tick.now_us > due,
                BREACHED,
                np.where(remaining < fraction * self.targets[rows], AT_RISK, ON_TRACK),
            ),
        ).astype(np.int8)
        return remaining, bands

    def text(self, tick: Tick, row: int, remaining: int, band: int) -> str:
        """The countdown as words, readable without colour."""
        if band == MET:
            return "met"
        if band == MISSED:
            return "missed"
        if band == BREACHED:
            return f"BREACHED +{span(tick.now_us - int(self.due[row]))}"
        words = f"AT RISK {span(remaining)}" if band == AT_RISK else f"{span(remaining)} left"
        if not tick.desk_open and not bool(self.wall[row]):
            resumes = from_us(tick.resumes_us).astimezone(self.engine.calendar.tz)
            words += f", paused until {resumes:%a %H:%M}"
        return words


def span(micros: int) -> str:
    """A duration as hours and minutes ("2h 05m"), or days and hours past a day ("3d 04h")."""
    minutes = max(0, micros) // MINUTE_US
    hours = minutes // 60
    if hours >= 24:
        return f"{hours // 24}d {hours % 24:02d}h"
    return f"{hours}h {minutes % 60:02d}m"


def age_text(micros: int) -> str:
    minutes = max(0, micros) // MINUTE_US
    days, rest = divmod(minutes, 24 * 60)
    if days:
        return f"{days}d {rest // 60}h"
    return f"{rest // 60}h {rest % 60:02d}m"
