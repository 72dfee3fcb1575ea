"""Business time: when the desk is open, and how much open time lies between instants.

The calendar turns the policy's local rules (Europe/London hours, weekends,
bank holidays, closures) into sorted tables of UTC instants, in integer
microseconds since the Unix epoch. Every question is then a binary search:

    B(t) = business microseconds elapsed from the table's start to instant t

is a monotone, piecewise-linear function, so business time between a and b
is B(b) - B(a), and adding d business microseconds to t is the inverse of B at
B(t) + d. Local dates are resolved once, when the tables are built, with the
UTC offset *of that date*; nothing here ever applies today's offset to
another day. Tables cover a span of years and grow on demand, so any year the
`holidays` package knows works.
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from deskapp.domain.holiday_source import holiday_names
from deskapp.domain.policy import Policy
from deskapp.domain.time_range import ARITHMETIC_SLACK_YEARS, END, FIRST, SPAN, OutOfRange

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
US = dt.timedelta(microseconds=1)
_ZERO = dt.timedelta(0)
_DATETIME, _TIMEDELTA = dt.datetime, dt.timedelta  # exact-type checks on the fast path
US_PER_SECOND = 1_000_000
_INITIAL_MARGIN_YEARS = 4
# B(t) is counted from local midnight starting this year, whatever span the
# tables cover, so elapsed values stored by a caller stay valid when they grow.
ANCHOR_YEAR = 2020
_SAFE_MARGIN_US = 400 * 86_400 * US_PER_SECOND  # keep a year of table ahead of any answer


_FIRST_US = (FIRST - EPOCH) // US
_END_US = (END.replace(year=END.year + ARITHMETIC_SLACK_YEARS) - EPOCH) // US


def _describe(micros: int) -> str:
    try:
        return from_us(micros).isoformat()
    except OutOfRange:
        return f"{micros} microseconds from 1970"


class NaiveDatetimeError(ValueError):
    """A datetime without a UTC offset: its instant is unknown, so it is refused."""


def to_us(moment: dt.datetime) -> int:
    """Microseconds since the epoch of an aware datetime."""
    try:
        # Subtracting an aware epoch refuses a naive datetime by itself.
        return (moment - EPOCH) // US
    except TypeError:
        if not isinstance(moment, dt.datetime):
            raise TypeError(f"expected a datetime, not {type(moment).__name__}") from None
        raise NaiveDatetimeError(
            f"{moment.isoformat()} has no time zone; give an aware datetime "
            "(for example with tzinfo=datetime.UTC or an offset like +00:00)"
        ) from None


def from_us(micros: int) -> dt.datetime:
    """The aware UTC datetime of microseconds since the epoch."""
    seconds, micro = divmod(micros, US_PER_SECOND)
    try:
        return EPOCH + dt.timedelta(0, seconds, micro)
    except OverflowError:
        raise OutOfRange(
            f"{micros} microseconds from 1970 is beyond any date ({SPAN} are supported)"
        ) from None


@dataclass(frozen=True)
class ClosedDay:
    """A day the desk is shut, and why (weekend, the holidays' names, closure)."""

    date: dt.date
    reasons: tuple[str, ...]
    weekend: bool

    @property
    def label(self) -> str:
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class _Tables:
    first_year: int
    last_year: int
    day0: int  # proleptic ordinal of the first day covered
    midnights: list[int]  # UTC us of local midnight, day k; one extra at the end
    business_day: list[bool]
    business_days_before: list[int]  # prefix count of business days before day k
    next_close_after: list[int]  # close of the first business day strictly after day k
    starts: list[int]  # business interval starts (UTC us), sorted
    ends: list[int]
    cum: list[int]  # business us elapsed at each interval start
    cum_end: list[int]  # business us elapsed at each interval end
    lengths: list[int]  # each interval's length (cum_end - cum)

    lo: int  # first instant covered
    safe_hi: int  # instants before this have a year of table ahead of them


@dataclass(frozen=True)
class _Instants:
    """`_Tables` again, as UTC datetimes and timedeltas: the datetime API's fast path.

    A UTC datetime subtracts and compares in C, and datetime and timedelta
    arithmetic is exact to the microsecond, so a UTC datetime is answered
    without converting it to microseconds and the answer back. The interval
    holding an instant is found from its UTC date (`toordinal`, an index, a
    step or two forward) rather than by bisection, whose scattered
    comparisons cost more than the rest of the call. Same tables, same answers.
    """

    day0: int  # ordinal of the first UTC day covered
    # Per UTC day from day0: the first interval starting at or after its
    # midnight, and the local day holding its midnight. Only days wholly
    # after the first opening and before the tables' safe end are covered,
    # so an interval always starts before a covered instant and one after.
    first_start: list[int]
    local_day: list[int]
    starts: list[dt.datetime]
    cum: list[dt.timedelta]
    cum_end: list[dt.timedelta]
    lengths: list[dt.timedelta]
    midnights: list[dt.datetime]
    next_close_after: list[dt.datetime]

    @classmethod
    def of(cls, tab: _Tables) -> _Instants:
        def spans(values: list[int]) -> list[dt.timedelta]:
            return [dt.timedelta(microseconds=v) for v in values]

        def moments(values: list[int]) -> list[dt.datetime]:
            return [from_us(v) for v in values]

        day0 = from_us(tab.starts[0]).toordinal() + 1
        day_end = from_us(tab.safe_hi).toordinal()  # that day reaches safe_hi: not covered
        utc_midnights = [to_us(dt.datetime.fromordinal(o).replace(tzinfo=UTC)) for o in range(day0, day_end)]
        return cls(
            day0,
            [bisect_left(tab.starts, m) for m in utc_midnights],
            [bisect_right(tab.midnights, m) - 1 for m in utc_midnights],
            moments(tab.starts), spans(tab.cum), spans(tab.cum_end), spans(tab.lengths),
            moments(tab.midnights), moments(tab.next_close_after),
        )  # fmt: skip


class BusinessCalendar:
    """Business hours of one policy. Thread-safe; tables grow when asked beyond them."""

    def __init__(self, policy: Policy, first_year: int | None = None, last_year: int | None = None):
        self.policy = policy
        self.tz = policy.tz
        self.day_length_us = policy.business_day_length // US
        this_year = dt.date.today().year
        self._lock = threading.Lock()
        self._names: dict[dt.date, tuple[str, ...]] = {}
        self._named_years: set[int] = set()
        first = first_year if first_year is not None else this_year - _INITIAL_MARGIN_YEARS
        last = last_year if last_year is not None else this_year + _INITIAL_MARGIN_YEARS
        self._t = self._build(min(first, ANCHOR_YEAR), max(last, ANCHOR_YEAR))
        self._i: _Instants | None = None

    # --- the tables -------------------------------------------------------

    def _holiday_names(self, years: range) -> None:
        wanted = [y for y in years if y not in self._named_years]
        if not wanted:
            return
        for cal in self.policy.calendars:
            found = holiday_names(cal.country, cal.subdiv, wanted)
            for day, name in found.items():
                for one in str(name).split("; "):
                    label = f"{one} ({cal.label})"
                    self._names[day] = (*self._names.get(day, ()), label)
        self._named_years.update(wanted)

    def _build(self, first_year: int, last_year: int) -> _Tables:
        policy = self.policy
        self._holiday_names(range(first_year, last_year + 2))
        day0 = dt.date(first_year, 1, 1).toordinal()
        day_end = dt.date(last_year + 1, 1, 1).toordinal()
        tz = self.tz

        def local_us(day: dt.date, at: dt.time) -> int:
            return to_us(dt.datetime.combine(day, at, tzinfo=tz))

        midnights, business, prefix = [], [], [0]
        starts, ends, cum, cum_end = [], [], [], []
        elapsed = 0
        for ordinal in range(day0, day_end + 1):
            day = dt.date.fromordinal(ordinal)
            midnights.append(local_us(day, dt.time(0)))
            if ordinal == day_end:
                break
            is_open = self._is_business_date(day)
            business.append(is_open)
            prefix.append(prefix[-1] + is_open)
            if is_open:
                start, end = local_us(day, policy.open_time), local_us(day, policy.close_time)
                starts.append(start)
                ends.append(end)
                cum.append(elapsed)
                elapsed += end - start
                cum_end.append(elapsed)
        anchor = local_us(dt.date(ANCHOR_YEAR, 1, 1), dt.time(0))
        k = bisect_left(starts, anchor)
        offset = cum[k] if k < len(cum) else elapsed
        cum = [c - offset for c in cum]
        cum_end = [c - offset for c in cum_end]
        # next_close_after[k]: scan backwards so each day points at the next open day's close.
        ndays = day_end - day0
        next_close = [0] * ndays
        upcoming = self._first_close_on_or_after(dt.date.fromordinal(day_end))
        for k in range(ndays - 1, -1, -1):
            next_close[k] = upcoming
            if business[k]:
                upcoming = ends[prefix[k]]
        return _Tables(
            first_year, last_year, day0, midnights, business, prefix, next_close,
            starts, ends, cum, cum_end,
            [e - s for s, e in zip(starts, ends, strict=True)], midnights[0], midnights[-1] - _SAFE_MARGIN_US,
        )  # fmt: skip

    def _first_close_on_or_after(self, day: dt.date) -> int:
        self._holiday_names(range(day.year, day.year + 2))
        while not self._is_business_date(day):
            day += dt.timedelta(days=1)
        return to_us(dt.datetime.combine(day, self.policy.close_time, tzinfo=self.tz))

    def _is_business_date(self, day: dt.date) -> bool:
        policy = self.policy
        if day.weekday() not in policy.business_weekdays:
            return False
        if day in policy.closures:
            return False
        return not (day in self._names and day not in policy.removed)

    def _tables_for(self, *micros: int) -> _Tables:
        """The tables, grown until every instant given lies well inside them."""
        t = self._t
        lo, hi = min(micros), max(micros)
        if t.lo <= lo and hi < t.safe_hi:
            return t
        if lo < _FIRST_US or hi >= _END_US:
            bad = lo if lo < _FIRST_US else hi
            raise OutOfRange(f"{_describe(bad)} is outside the times deskapp works with ({SPAN})")
        with self._lock:
            t = self._t
            first, last = t.first_year, t.last_year
            while not (self._year_start(first) <= lo):
                first -= 4
            while not (hi + _SAFE_MARGIN_US < self._year_start(last + 1)):
                last += 4
            if (first, last) != (t.first_year, t.last_year):
                self._t = t = self._build(first, last)
                self._i = None  # the fast path's copy is rebuilt from the new tables
            return t

    def _tab(self, t: int) -> _Tables:
        # The hot path's one-instant check; grows the tables only when needed.
        tab = self._t
        if tab.lo <= t < tab.safe_hi:
            return tab
        return self._tables_for(t)

    def _year_start(self, year: int) -> int:
        return to_us(dt.datetime(year, 1, 1, tzinfo=self.tz))

    def tables(self, *micros: int) -> _Tables:
        """Read-only tables covering the given instants (for the batch path)."""
        return self._tables_for(*micros)

    # --- the arithmetic on microseconds (the hot path) --------------------

    def elapsed_us(self, t: int) -> int:
        """B(t): business microseconds from the table's start to t."""
        tab = self._t
        if not (tab.lo <= t < tab.safe_hi):
            tab = self._tables_for(t)
        i = bisect_right(tab.starts, t) - 1
        if i < 0:
            return tab.cum[0]
        return tab.cum[i] + min(t - tab.starts[i], tab.lengths[i])

    def between_us(self, start: int, end: int) -> int:
        tab = self._t
        if not (tab.lo <= start < tab.safe_hi and tab.lo <= end < tab.safe_hi):
            tab = self._tables_for(start, end)
        starts, cum, lengths = tab.starts, tab.cum, tab.lengths
        i = bisect_right(starts, start) - 1
        j = bisect_right(starts, end) - 1
        b_start = cum[0] if i < 0 else cum[i] + min(start - starts[i], lengths[i])
        b_end = cum[0] if j < 0 else cum[j] + min(end - starts[j], lengths[j])
        return b_end - b_start

    def add_us(self, t: int, amount: int) -> int:
        """The instant `amount` business microseconds after t.

        A clock that runs out exactly at a closing time is due at that close,
        never at the next opening; a clock started outside hours starts at
        the next opening.
        """
        if amount == 0:
            return t
        tab = self._t
        if not (tab.lo <= t < tab.safe_hi):
            tab = self._tables_for(t)
        cum = tab.cum
        i = bisect_right(tab.starts, t) - 1
        target = amount + (cum[0] if i < 0 else cum[i] + min(t - tab.starts[i], tab.lengths[i]))
        if amount > 0:
            if target >= tab.cum_end[-1]:
                return self._add_far(t, amount)
            j = bisect_left(tab.cum_end, target)
        else:
            if target < cum[0]:
                days = -amount // max(1, self.day_length_us) * 7 + 30
                self._tables_for(t - days * 86_400 * US_PER_SECOND, t)
                return self.add_us(t, amount)
            j = bisect_right(cum, target) - 1
        return tab.starts[j] + (target - cum[j])

    def _add_far(self, t: int, amount: int) -> int:
        # Rare: the answer lies beyond the tables. Grow them by the calendar
        # time the amount could need (a business week is at least 1/7 of a
        # calendar week) and retry.
        days = amount // max(1, self.day_length_us) * 7 + 30
        self._tables_for(t, t + days * 86_400 * US_PER_SECOND)
        return self.add_us(t, amount)

    def is_open_us(self, t: int) -> bool:
        tab = self._tab(t)
        i = bisect_right(tab.starts, t) - 1
        return i >= 0 and t < tab.ends[i]

    def next_opening_us(self, t: int) -> int:
        """t itself if the desk is open at t, else the next opening."""
        tab = self._tab(t)
        i = bisect_right(tab.starts, t) - 1
        if i >= 0 and t < tab.ends[i]:
            return t
        return tab.starts[i + 1]

    def local_day_index(self, t: int) -> int:
        """Index (from the table's first day) of the local date containing t."""
        tab = self._tab(t)
        return bisect_right(tab.midnights, t) - 1

    def next_business_day_close_us(self, t: int) -> int:
        """Closing time of the first business day strictly after t's local date."""
        tab = self._tab(t)
        return tab.next_close_after[bisect_right(tab.midnights, t) - 1]

    # --- the same on datetimes (the public face) --------------------------
    #
    # A plain datetime in UTC (what the store and the engine hand around)
    # takes the fast path on `_Instants`; anything else, and anything the
    # fast path does not cover (outside the tables, before the first
    # opening, past the tables' end), takes the microsecond path, which
    # also refuses naive datetimes and grows the tables.

    def _instants(self) -> _Instants:
        # An out-of-date copy would still answer rightly within its span (the
        # tables only grow, anchored at ANCHOR_YEAR), so a race here is harmless.
        inst = self._i = _Instants.of(self._t)
        return inst

    def is_business_time(self, moment: dt.datetime) -> bool:
        return self.is_open_us(to_us(moment))

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        return from_us(self.next_opening_us(to_us(moment)))

    def add_business_time(self, moment: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        if (
            type(moment) is _DATETIME and moment.tzinfo is UTC
            and type(amount) is _TIMEDELTA and amount > _ZERO
        ):  # fmt: skip
            inst = self._i or self._instants()
            k = moment.toordinal() - inst.day0
            if 0 <= k < len(inst.first_start):
                starts, cum, cum_end = inst.starts, inst.cum, inst.cum_end
                i = inst.first_start[k]
                while starts[i] <= moment:
                    i += 1
                i -= 1  # the last interval starting at or before the moment
                into, length = moment - starts[i], inst.lengths[i]
                target = cum[i] + (into if into < length else length) + amount
                # The first interval ending at or after the target (the
                # closing-time rule), as bisect_left(cum_end, target) would
                # find it: it is never before i, and most often i or i + 1.
                if target <= cum_end[i]:
                    return starts[i] + (target - cum[i])
                if target <= cum_end[i + 1]:
                    return starts[i + 1] + (target - cum[i + 1])
                if target < cum_end[-1]:
                    j = bisect_left(cum_end, target, i + 2)
                    return starts[j] + (target - cum[j])
        return from_us(self.add_us(to_us(moment), amount // US))

    def business_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        if (
            type(start) is _DATETIME and start.tzinfo is UTC
            and type(end) is _DATETIME and end.tzinfo is UTC
        ):  # fmt: skip
            inst = self._i or self._instants()
            first_start, n = inst.first_start, len(inst.first_start)
            k, m = start.toordinal() - inst.day0, end.toordinal() - inst.day0
            if 0 <= k < n and 0 <= m < n:
                starts, cum, lengths = inst.starts, inst.cum, inst.lengths
                i, j = first_start[k], first_start[m]
                while starts[i] <= start:
                    i += 1
                while starts[j] <= end:
                    j += 1
                i, j = i - 1, j - 1
                a, a_len = start - starts[i], lengths[i]
                b, b_len = end - starts[j], lengths[j]
                b_start = cum[i] + (a if a < a_len else a_len)
                return cum[j] + (b if b < b_len else b_len) - b_start
        return dt.timedelta(microseconds=self.between_us(to_us(start), to_us(end)))

    def next_business_day_close(self, moment: dt.datetime) -> dt.datetime:
        if type(moment) is _DATETIME and moment.tzinfo is UTC:
            inst = self._i or self._instants()
            k = moment.toordinal() - inst.day0
            if 0 <= k < len(inst.local_day):
                midnights, day = inst.midnights, inst.local_day[k]
                while midnights[day + 1] <= moment:
                    day += 1
                return inst.next_close_after[day]
        return from_us(self.next_business_day_close_us(to_us(moment)))

    def add_business_days(self, moment: dt.datetime, days: int) -> dt.datetime:
        """`days` whole business days of business time after moment."""
        return from_us(self.add_us(to_us(moment), days * self.day_length_us))

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()

    def local_midnight_after(self, day: dt.date, days: int) -> dt.datetime:
        """UTC instant of local midnight starting the day `days` after `day`."""
        later = day + dt.timedelta(days=days)
        return dt.datetime.combine(later, dt.time(0), tzinfo=self.tz).astimezone(UTC)

    def is_business_day(self, day: dt.date) -> bool:
        self._holiday_names(range(day.year, day.year + 1))
        return self._is_business_date(day)

    def business_days_between(self, first: dt.date, last: dt.date) -> int:
        """Business days d with first <= d < last (negative if last < first)."""
        if last < first:
            return -self.business_days_between(last, first)
        tab = self._tables_for(
            to_us(dt.datetime.combine(first, dt.time(12), tzinfo=self.tz)),
            to_us(dt.datetime.combine(last, dt.time(12), tzinfo=self.tz)),
        )
        prefix = tab.business_days_before
        return prefix[last.toordinal() - tab.day0] - prefix[first.toordinal() - tab.day0]

    def closed_day(self, day: dt.date) -> ClosedDay | None:
        """Why the desk is shut on `day`, or None if it is a business day."""
        self._holiday_names(range(day.year, day.year + 1))
        policy = self.policy
        reasons: list[str] = []
        weekend = day.weekday() not in policy.business_weekdays
        if weekend:
            reasons.append(day.strftime("%A"))
        if day in self._names and day not in policy.removed:
            reasons.extend(self._names[day])
        if day in policy.closures:
            reasons.append(f"{policy.closures[day]} (closure)")
        if not reasons:
            return None
        return ClosedDay(day, tuple(reasons), weekend)

    def closed_days(self, first: dt.date, last: dt.date) -> Iterator[ClosedDay]:
        """Every non-business day d with first <= d <= last."""
        day = first
        while day <= last:
            closed = self.closed_day(day)
            if closed is not None:
                yield closed
            day += dt.timedelta(days=1)
