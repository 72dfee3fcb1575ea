"""The SLA arithmetic for many tickets at once (the queue's path).

Same tables and same answers as `BusinessCalendar`/`SlaEngine`, but each
question is a few numpy array operations over an array of instants (int64
microseconds since the epoch, UTC), so the per-ticket cost is tens of
nanoseconds instead of a Python call. The queue keeps its tickets' instants
in such arrays; `to_us_array` converts datetimes once, on load.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from deskapp.domain.business_calendar import to_us
from deskapp.domain.sla import Band, SlaEngine

I64 = npt.NDArray[np.int64]

# Band codes in arrays; BAND_NAMES[code] is the Band.
BAND_NAMES: tuple[Band, ...] = (Band.ON_TRACK, Band.AT_RISK, Band.BREACHED, Band.MET, Band.MISSED)
ON_TRACK, AT_RISK, BREACHED, MET, MISSED = range(5)
NOT_RESPONDED = np.iinfo(np.int64).min
_DAY_US = 86_400_000_000  # marks "no response yet" in a responded array


def to_us_array(moments: Iterable[dt.datetime | None]) -> I64:
    """int64 microseconds of aware datetimes; None becomes NOT_RESPONDED."""
    return np.fromiter((NOT_RESPONDED if m is None else to_us(m) for m in moments), dtype=np.int64)


class _Arrays:
    def __init__(self, engine: SlaEngine, lo: int, hi: int) -> None:
        tab = engine.calendar.tables(lo, hi)
        self.lo, self.safe_hi = tab.lo, tab.safe_hi
        self.starts = np.asarray(tab.starts, dtype=np.int64)
        self.cum = np.asarray(tab.cum, dtype=np.int64)
        self.cum_end = np.asarray(tab.cum_end, dtype=np.int64)
        self.lengths = np.asarray(tab.lengths, dtype=np.int64)
        self.midnights = np.asarray(tab.midnights, dtype=np.int64)
        self.next_close_after = np.asarray(tab.next_close_after, dtype=np.int64)
        # A per-UTC-day index into the tables: searchsorted over unsorted
        # instants jumps around memory, while "the first interval starting at
        # or after this UTC midnight" plus a step or two forward does not.
        self.day0 = self.lo - self.lo % _DAY_US  # UTC midnight on or before the tables' start
        utc_midnights = np.arange(self.day0, self.safe_hi + 2 * _DAY_US, _DAY_US, dtype=np.int64)
        self.first_start = np.searchsorted(self.starts, utc_midnights, side="left")
        self.first_midnight = np.searchsorted(self.midnights, utc_midnights, side="right") - 1
        # Sentinels so a step forward never runs off the end.
        self.starts_x = np.append(self.starts, np.iinfo(np.int64).max)
        self.midnights_x = np.append(self.midnights, np.iinfo(np.int64).max)

    def covers(self, lo: int, hi: int) -> bool:
        return self.lo <= lo and hi < self.safe_hi

    def interval_at(self, t: I64) -> npt.NDArray[np.intp]:
        """Index of the last interval starting at or before each instant (-1 if none)."""
        i = self.first_start[(t - self.day0) // _DAY_US]
        while True:  # at most one or two steps: a UTC day holds few openings
            step = self.starts_x[i] <= t
            if not step.any():
                return i - 1
            i = i + step

    def local_day_at(self, t: I64) -> npt.NDArray[np.intp]:
        """Index of the local day holding each instant."""
        d = self.first_midnight[(t - self.day0) // _DAY_US]
        while True:
            step = self.midnights_x[d + 1] <= t
            if not step.any():
                return d
            d = d + step


class BatchSla:
    """Vectorised due times, remaining times and bands for one engine."""

    def __init__(self, engine: SlaEngine) -> None:
        self.engine = engine
        self._arrays: _Arrays | None = None

    def _tables(self, *arrays: I64) -> _Arrays:
        lo = min(int(a.min()) for a in arrays if a.size)
        hi = max(int(a.max()) for a in arrays if a.size)
        if self._arrays is None or not self._arrays.covers(lo, hi):
            self._arrays = _Arrays(self.engine, lo, hi)
        return self._arrays

    # --- the calendar, vectorised --------------------------------------

    def elapsed_us(self, t: I64) -> I64:
        """B(t) for every instant: business microseconds since the tables' start."""
        if not t.size:
            return np.empty(0, dtype=np.int64)
        return self._elapsed(self._tables(t), t)[0]

    @staticmethod
    def _elapsed(a: _Arrays, t: I64) -> tuple[I64, npt.NDArray[np.intp]]:
        i = a.interval_at(t)
        ic = np.maximum(i, 0)
        b = a.cum[ic] + np.minimum(t - a.starts[ic], a.lengths[ic])
        result: I64 = np.where(i < 0, a.cum[0], b)
        return result, ic

    def between_us(self, start: I64, end: I64) -> I64:
        return self.elapsed_us(end) - self.elapsed_us(start)

    def add_us(self, t: I64, amount: int) -> I64:
        """Each instant plus `amount` (> 0) business microseconds; closing-time rule kept."""
        if amount <= 0:
            raise ValueError("the batch path adds positive business time only")
        if not t.size:
            return np.empty(0, dtype=np.int64)
        a = self._tables(t)
        elapsed, j = self._elapsed(a, t)
        target = elapsed + amount
        if int(target.max()) >= int(a.cum_end[-1]):  # beyond the tables: grow them
            far = self.engine.calendar.add_us(int(t.max()), amount)
            self._arrays = _Arrays(self.engine, int(t.min()), far)
            return self.add_us(t, amount)
        # The first interval ending at or after the target (closing-time rule):
        # a few steps forward from the start's own interval for a short
        # amount, one search for a long one.
        for _ in range(3):
            step = a.cum_end[j] < target
            if not step.any():
                break
            j = j + step
        else:
            j = np.searchsorted(a.cum_end, target, side="left")
        result: I64 = a.starts[j] + (target - a.cum[j])
        return result

    def next_business_day_close_us(self, t: I64) -> I64:
        if not t.size:
            return np.empty(0, dtype=np.int64)
        a = self._tables(t)
        result: I64 = a.next_close_after[a.local_day_at(t)]
        return result

    # --- the SLA, vectorised --------------------------------------------

    def response_due_us(self, priority: str, logged: I64) -> I64:
        prio = self.engine.priority(priority)
        if prio.next_business_day:
            return self.next_business_day_close_us(logged)
        assert prio.target is not None
        target = prio.target // dt.timedelta(microseconds=1)
        if prio.wall_clock:
            return logged + target
        return self.add_us(logged, target)

    def response_due_mixed(self, priorities: Sequence[str], logged: I64) -> I64:
        """Due instants for tickets of mixed priorities, in input order."""
        codes = np.asarray(priorities)
        due = np.empty_like(logged)
        for code in np.unique(codes):
            mask = codes == code
            due[mask] = self.response_due_us(str(code), logged[mask])
        return due

    def targets_us(self, wall_clock: npt.NDArray[np.bool_], logged: I64, due: I64) -> I64:
        """The whole target of each ticket in its own clock (as SlaEngine.target_us)."""
        business = self.between_us(logged, due)
        result: I64 = np.where(wall_clock, due - logged, business)
        return result

    def remaining_us(self, wall_clock: npt.NDArray[np.bool_], due: I64, due_elapsed: I64, now_us: int) -> I64:
        """Remaining time in each ticket's own clock at now.

        `due_elapsed` is `elapsed_us(due)`, computed once per ticket when the
        queue loads it, so a countdown tick is two subtractions per row.
        """
        now_elapsed = self.engine.calendar.elapsed_us(now_us)
        result: I64 = np.where(wall_clock, due - now_us, due_elapsed - now_elapsed)
        return result

    def bands(
        self, remaining: I64, targets: I64, due: I64, responded: I64, now_us: int
    ) -> npt.NDArray[np.int8]:
        """Band codes (indexes into BAND_NAMES); responded NOT_RESPONDED means no response."""
        fraction = self.engine.policy.at_risk_fraction
        answered = responded != NOT_RESPONDED
        result = np.where(
            answered,
            np.where(responded <= due, MET, MISSED),
            np.where(now_us > due, BREACHED, np.where(remaining < fraction * targets, AT_RISK, ON_TRACK)),
        )
        return result.astype(np.int8)
