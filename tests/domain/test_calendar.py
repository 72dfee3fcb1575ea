"""The business calendar: hours, holidays, DST, closing time, bugs of other desks."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from deskapp import sla
from deskapp.domain.business_calendar import BusinessCalendar
from deskapp.domain.policy import default_policy
from tests.london import local

H = dt.timedelta(hours=1)


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return sla.engine().calendar


def test_business_time_edges(cal: BusinessCalendar) -> None:
    assert cal.is_business_time(local(2026, 3, 16, 8))
    assert not cal.is_business_time(local(2026, 3, 16, 7, 59, 59, 999999))
    assert cal.is_business_time(local(2026, 3, 16, 17, 59, 59, 999999))
    assert not cal.is_business_time(local(2026, 3, 16, 18))
    assert not cal.is_business_time(local(2026, 3, 17, 12)), "St Patrick's Day (IE)"
    assert not cal.is_business_time(local(2026, 3, 14, 12)), "Saturday"


def test_next_opening(cal: BusinessCalendar) -> None:
    assert cal.next_opening(local(2026, 3, 13, 18)) == local(2026, 3, 16, 8)
    inside = local(2026, 3, 16, 9, 30)
    assert cal.next_opening(inside) == inside
    assert cal.next_opening(local(2026, 3, 16, 18, 0, 0, 1)) == local(2026, 3, 18, 8)


def test_closing_time_rule(cal: BusinessCalendar) -> None:
    # A clock that runs out at 18:00 is due at 18:00, never at the next opening.
    assert cal.add_business_time(local(2026, 3, 16, 8), 10 * H) == local(2026, 3, 16, 18)
    assert cal.add_business_time(local(2026, 3, 13, 14), 4 * H) == local(2026, 3, 13, 18)
    assert sla.response_due("P2", local(2026, 3, 13, 14)) == local(2026, 3, 13, 18)
    # ...and one microsecond more moves into the next business day.
    later = cal.add_business_time(local(2026, 3, 13, 14), 4 * H + dt.timedelta(microseconds=1))
    assert later == local(2026, 3, 16, 8, 0, 0, 1)


def test_between_exact_to_the_microsecond(cal: BusinessCalendar) -> None:
    start = local(2026, 3, 16, 9, 15, 30, 123456)
    end = local(2026, 3, 18, 8, 0, 0, 1)  # Tuesday is a holiday
    assert cal.business_time_between(start, end) == dt.timedelta(
        hours=8, minutes=44, seconds=29, microseconds=876544 + 1
    )
    assert cal.business_time_between(end, start) == -cal.business_time_between(start, end)


def test_between_closed_span_is_zero(cal: BusinessCalendar) -> None:
    assert cal.business_time_between(local(2026, 3, 13, 18), local(2026, 3, 16, 8)) == dt.timedelta(0)


def test_dst_weekends_keep_ten_hour_days(cal: BusinessCalendar) -> None:
    # Spring forward 29 Mar 2026, fall back 25 Oct 2026: business days either side are 10 h.
    assert cal.business_time_between(local(2026, 3, 27, 8), local(2026, 3, 31, 8)) == 20 * H
    assert cal.business_time_between(local(2026, 10, 23, 8), local(2026, 10, 28, 8)) == 20 * H
    # Monday 26 Oct 2026 is the Irish October bank holiday, so only Fri and Tue count.


def test_minutes_use_the_dates_own_utc_offset(cal: BusinessCalendar) -> None:
    # A summer date opens at 07:00 UTC, a winter date at 08:00 UTC; using today's
    # offset for another date is a classic bug of other desks.
    summer = dt.datetime(2026, 7, 1, 7, 0, tzinfo=dt.UTC)
    winter = dt.datetime(2026, 1, 7, 8, 0, tzinfo=dt.UTC)
    assert cal.is_business_time(summer)
    assert not cal.is_business_time(summer - dt.timedelta(microseconds=1))
    assert cal.is_business_time(winter)
    assert not cal.is_business_time(winter - dt.timedelta(microseconds=1))
    assert sla.response_due("P2", summer) == dt.datetime(2026, 7, 1, 11, tzinfo=dt.UTC)


def test_holidays_are_not_shifted_by_a_timezone_conversion(cal: BusinessCalendar) -> None:
    # 00:30 BST on Easter Monday is 23:30 UTC on Sunday: still Easter Monday locally.
    just_after_midnight = dt.datetime(2026, 4, 5, 23, 30, tzinfo=dt.UTC)
    assert not cal.is_business_day(cal.local_date(just_after_midnight))
    # Logged then, a P3 is due Tuesday (the day after Easter Monday's *local* date).
    assert sla.response_due("P3", just_after_midnight) == local(2026, 4, 7, 18)
    # And 23:30 local on the Tuesday after Easter (22:30 UTC) is Tuesday, not Wednesday.
    assert sla.response_due("P3", local(2026, 4, 7, 23, 30)) == local(2026, 4, 8, 18)


def test_holiday_on_weekend_and_substitute_day(cal: BusinessCalendar) -> None:
    # Boxing Day 2026 is a Saturday; Monday 28 Dec is its substitute.
    assert not cal.is_business_day(dt.date(2026, 12, 28))
    assert cal.is_business_day(dt.date(2026, 12, 29))
    # 2027: Christmas (Sat) and Boxing Day (Sun) both move: 27 and 28 Dec shut.
    assert not cal.is_business_day(dt.date(2027, 12, 27))
    assert not cal.is_business_day(dt.date(2027, 12, 28))
    closed = cal.closed_day(dt.date(2026, 12, 28))
    assert closed is not None
    assert "Boxing Day (observed)" in closed.label


def test_input_in_another_time_zone(cal: BusinessCalendar) -> None:
    new_york = ZoneInfo("America/New_York")
    logged = dt.datetime(2026, 3, 13, 12, 0, tzinfo=new_york)  # 16:00 London (US already on DST)
    assert sla.response_due("P2", logged) == local(2026, 3, 16, 10)
    tokyo = dt.datetime(2026, 3, 17, 2, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # Mon 16 Mar 17:00 London
    assert sla.response_due("P3", tokyo) == local(2026, 3, 18, 18)


def test_business_days_between(cal: BusinessCalendar) -> None:
    assert cal.business_days_between(dt.date(2026, 3, 16), dt.date(2026, 3, 23)) == 4
    assert cal.business_days_between(dt.date(2026, 3, 23), dt.date(2026, 3, 16)) == -4
    assert cal.business_days_between(dt.date(2026, 12, 21), dt.date(2027, 1, 4)) == 7  # 21-24, 29-31 Dec


def test_far_years_extend_the_tables() -> None:
    cal = BusinessCalendar(default_policy(), 2026, 2026)
    assert cal.add_business_time(local(2045, 12, 22, 17), 2 * H) == local(2045, 12, 27, 9)
    assert cal.add_business_time(local(2001, 12, 24, 17), 2 * H) == local(2001, 12, 27, 9)
    long_way = cal.add_business_time(local(2026, 1, 5, 8), 10 * H * 2000)
    assert cal.business_time_between(local(2026, 1, 5, 8), long_way) == 10 * H * 2000


def test_subtracting_business_time(cal: BusinessCalendar) -> None:
    assert cal.add_business_time(local(2026, 3, 16, 9), -2 * H) == local(2026, 3, 13, 17)


def test_closed_days_name_the_holidays(cal: BusinessCalendar) -> None:
    names = {d.date: d.label for d in cal.closed_days(dt.date(2026, 3, 14), dt.date(2026, 3, 17))}
    assert names[dt.date(2026, 3, 14)] == "Saturday"
    assert "Saint Patrick" in names[dt.date(2026, 3, 17)]
    assert dt.date(2026, 3, 16) not in names
