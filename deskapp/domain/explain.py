"""How a due time came about: the business intervals counted and the days skipped."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field

from deskapp.domain.business_calendar import ClosedDay, from_us, to_us
from deskapp.domain.sla import SlaEngine


@dataclass(frozen=True)
class Interval:
    start: dt.datetime
    end: dt.datetime

    @property
    def length(self) -> dt.timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Explanation:
    priority: str
    logged_at: dt.datetime
    due: dt.datetime
    rule: str
    counted: tuple[Interval, ...]
    skipped: tuple[ClosedDay, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def counted_total(self) -> dt.timedelta:
        return sum((i.length for i in self.counted), dt.timedelta(0))


def explain(engine: SlaEngine, priority: str, logged_at: dt.datetime) -> Explanation:
    prio = engine.priority(priority)
    cal = engine.calendar
    tz = cal.tz
    due = engine.response_due(prio.code, logged_at)
    logged_local, due_local = logged_at.astimezone(tz), due.astimezone(tz)
    notes: list[str] = []

    if prio.wall_clock:
        assert prio.target is not None
        rule = f"{_hours(prio.target)} of real elapsed time, any day, any hour (24x7)"
        offset_before, offset_after = logged_local.utcoffset(), due_local.utcoffset()
        if offset_before != offset_after:
            notes.append(
                f"the clocks change in between (UTC offset {_offset(offset_before)} -> "
                f"{_offset(offset_after)}): still {_hours(prio.target)} of real time"
            )
        return Explanation(prio.code, logged_at, due, rule, (Interval(logged_at, due),), (), tuple(notes))

    counted = tuple(_business_intervals(engine, logged_at, due))
    if prio.next_business_day:
        rule = (
            f"closing time ({engine.policy.close_time:%H:%M}) on the first business day "
            f"strictly after the day of logging ({logged_local:%a %d %b %Y})"
        )
        first_skipped = logged_local.date() + dt.timedelta(days=1)
    else:
        assert prio.target is not None
        rule = f"{_hours(prio.target)} of business time"
        first_skipped = logged_local.date()
        if not cal.is_business_time(logged_at):
            opening = cal.next_opening(logged_at).astimezone(tz)
            notes.append(
                f"logged while the desk was shut: the clock started at the next opening, "
                f"{opening:%a %d %b %Y %H:%M}"
            )
        if due_local.time() == engine.policy.close_time:
            notes.append("the clock ran out exactly at closing time, so it is due at the close")
    skipped = tuple(cal.closed_days(first_skipped, due_local.date() - dt.timedelta(days=1)))
    return Explanation(prio.code, logged_at, due, rule, counted, skipped, tuple(notes))


def _business_intervals(engine: SlaEngine, start: dt.datetime, end: dt.datetime) -> list[Interval]:
    lo, hi = to_us(start), to_us(end)
    tab = engine.calendar.tables(lo, hi)
    out = []
    i = max(0, bisect_right(tab.starts, lo) - 1)
    while i < len(tab.starts) and tab.starts[i] < hi:
        a, b = max(lo, tab.starts[i]), min(hi, tab.ends[i])
        if a < b:
            out.append(Interval(from_us(a), from_us(b)))
        i += 1
    return out


def render(expl: Explanation, tz: dt.tzinfo) -> str:
    """The explanation as text for a person, in the desk's local time: each instant with
    its zone (GMT/BST), and an interval's end date whenever it is not the start's day
    or the clocks changed in between."""

    def local(moment: dt.datetime) -> str:
        here = moment.astimezone(tz)
        return f"{here:%a %d %b %Y %H:%M} {here.tzname()} ({moment.astimezone(dt.UTC):%H:%M} UTC)"

    lines = [
        f"{expl.priority} logged {local(expl.logged_at)}",
        f"rule: {expl.rule}",
        f"due:  {local(expl.due)}",
        "",
        "business time counted:" if len(expl.counted) != 1 or expl.skipped else "time counted:",
    ]
    for interval in expl.counted:
        lines.append(f"  {interval_text(interval, tz)}  {_clock(interval.length)}")
    lines.append(f"  total {_clock(expl.counted_total)}")
    if expl.skipped:
        lines.append("skipped (desk shut):")
        for day in expl.skipped:
            lines.append(f"  {day.date:%a %d %b %Y}  {day.label}")
    for note in expl.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)


def interval_text(interval: Interval, tz: dt.tzinfo) -> str:
    """`Mon 16 Mar 2026 16:00 - 18:00 GMT`, or with the end's date and zone when the
    interval crosses midnight or a clock change:
    `Sat 28 Mar 2026 23:30 GMT - Sun 29 Mar 2026 02:30 BST`."""
    start, end = interval.start.astimezone(tz), interval.end.astimezone(tz)
    if start.date() == end.date() and start.utcoffset() == end.utcoffset():
        return f"{start:%a %d %b %Y %H:%M} - {end:%H:%M} {end.tzname()}"
    return f"{start:%a %d %b %Y %H:%M} {start.tzname()} - {end:%a %d %b %Y %H:%M} {end.tzname()}"


def _hours(span: dt.timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    unit = "hour" if hours == 1 else "hours"
    return f"{hours} {unit}" + (f" {minutes} min" if minutes else "")


def _clock(span: dt.timedelta) -> str:
    total = int(span.total_seconds())
    return f"{total // 3600}h{total % 3600 // 60:02d}m"


def _offset(offset: dt.timedelta | None) -> str:
    minutes = int((offset or dt.timedelta(0)).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
