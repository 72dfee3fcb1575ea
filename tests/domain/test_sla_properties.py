"""Properties of the SLA engine over random instants (hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from deskapp import sla
from deskapp.domain.business_calendar import from_us, to_us

ENGINE = sla.engine()
CAL = ENGINE.calendar
LO = to_us(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
HI = to_us(dt.datetime(2029, 1, 1, tzinfo=dt.UTC))
instants = st.integers(min_value=LO, max_value=HI).map(from_us)
priorities = st.sampled_from(["P1", "P2", "P3"])
durations = st.integers(min_value=0, max_value=200 * 3_600_000_000).map(
    lambda us: dt.timedelta(microseconds=us)
)
common = settings(max_examples=300, deadline=None)


@common
@given(priorities, instants, st.integers(min_value=0, max_value=10 * 86_400_000_000))
def test_a_later_log_is_never_due_earlier(priority: str, logged: dt.datetime, later_us: int) -> None:
    later = logged + dt.timedelta(microseconds=later_us)
    assert sla.response_due(priority, later) >= sla.response_due(priority, logged)


@common
@given(instants)
def test_p2_gets_exactly_four_business_hours(logged: dt.datetime) -> None:
    due = sla.response_due("P2", logged)
    assert sla.business_time_between(logged, due) == dt.timedelta(hours=4)
    # ...and is the earliest such instant: a microsecond earlier is short.
    assert sla.business_time_between(logged, due - dt.timedelta(microseconds=1)) < dt.timedelta(hours=4)


@common
@given(instants, durations)
def test_add_then_between_round_trips(start: dt.datetime, amount: dt.timedelta) -> None:
    end = CAL.add_business_time(start, amount)
    assert CAL.business_time_between(start, end) == amount
    assert end >= start


@common
@given(instants, instants)
def test_between_is_antisymmetric_and_bounded(a: dt.datetime, b: dt.datetime) -> None:
    forward = CAL.business_time_between(a, b)
    assert forward == -CAL.business_time_between(b, a)
    assert abs(forward) <= abs(b - a)


@common
@given(priorities, instants)
def test_nothing_is_due_inside_a_closed_day(priority: str, logged: dt.datetime) -> None:
    due = sla.response_due(priority, logged)
    if priority == "P1":
        return  # 24x7: may fall on any day
    local = due.astimezone(CAL.tz)
    assert CAL.is_business_day(local.date()), f"due {local} on a closed day"
    opening = dt.datetime.combine(local.date(), ENGINE.policy.open_time, tzinfo=CAL.tz)
    closing = dt.datetime.combine(local.date(), ENGINE.policy.close_time, tzinfo=CAL.tz)
    assert opening < due <= closing


@common
@given(instants)
def test_p3_is_due_at_close_of_the_next_business_day(logged: dt.datetime) -> None:
    due_local = sla.response_due("P3", logged).astimezone(CAL.tz)
    logged_day = logged.astimezone(CAL.tz).date()
    assert due_local.time() == ENGINE.policy.close_time
    assert due_local.date() > logged_day
    assert CAL.business_days_between(logged_day + dt.timedelta(days=1), due_local.date()) == 0
