"""Every worked example of SLA-RULES.md, through the public entry point."""

from __future__ import annotations

import datetime as dt

import pytest

from deskapp import sla
from tests.london import LONDON, local

WORKED_EXAMPLES = [
    (local(2026, 3, 13, 17), "P2", local(2026, 3, 16, 11)),
    (local(2026, 3, 9, 9), "P3", local(2026, 3, 10, 18)),
    (local(2026, 3, 14, 10), "P3", local(2026, 3, 16, 18)),
    (local(2026, 3, 16, 19), "P3", local(2026, 3, 18, 18)),
    (local(2026, 3, 16, 14), "P2", local(2026, 3, 16, 18)),
    (local(2026, 3, 16, 16), "P2", local(2026, 3, 18, 10)),
    (local(2026, 12, 24, 15), "P2", local(2026, 12, 29, 9)),
    (local(2026, 3, 28, 23, 30), "P1", local(2026, 3, 29, 2, 30)),
]


@pytest.mark.parametrize(("logged", "priority", "due"), WORKED_EXAMPLES)
def test_worked_example(logged: dt.datetime, priority: str, due: dt.datetime) -> None:
    got = sla.response_due(priority, logged)
    assert got == due
    assert got.utcoffset() == dt.timedelta(0), "response_due answers in UTC"


def test_p1_across_spring_forward_is_120_real_minutes() -> None:
    logged = local(2026, 3, 28, 23, 30)
    due = sla.response_due("P1", logged)
    assert due == dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)
    assert due - logged == dt.timedelta(hours=2)


def test_p1_across_autumn_fallback_is_120_real_minutes() -> None:
    logged = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)  # 01:30 BST
    due = sla.response_due("P1", logged)
    assert due - logged == dt.timedelta(hours=2)
    # 01:30 BST + 2 real hours: the clocks went back an hour, so the wall shows 02:30 GMT.
    assert due.astimezone(LONDON).replace(tzinfo=None) == dt.datetime(2026, 10, 25, 2, 30)


def test_naive_datetimes_are_refused_with_a_clear_error() -> None:
    with pytest.raises(sla.NaiveDatetimeError, match="no time zone"):
        sla.response_due("P2", dt.datetime(2026, 3, 16, 9))
    with pytest.raises(sla.NaiveDatetimeError):
        sla.business_time_between(dt.datetime(2026, 3, 16, 9), local(2026, 3, 16, 10))


def test_unknown_priority_is_named() -> None:
    with pytest.raises(ValueError, match="P9"):
        sla.response_due("P9", local(2026, 3, 16, 9))


def test_lower_case_priority_is_accepted() -> None:
    assert sla.response_due("p2", local(2026, 3, 16, 14)) == local(2026, 3, 16, 18)
