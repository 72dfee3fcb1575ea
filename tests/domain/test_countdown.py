"""Remaining time, bands and the paused clock."""

from __future__ import annotations

import datetime as dt

from deskapp import sla
from deskapp.sla import Band, Countdown
from tests.london import local

ENGINE = sla.engine()


def test_p2_bands_over_time() -> None:
    logged = local(2026, 3, 16, 9)  # due 13:00, at risk below 1 h left

    def at(*p: int) -> Countdown:
        return ENGINE.countdown("P2", logged, local(*p))

    assert at(2026, 3, 16, 11, 59).band is Band.ON_TRACK
    assert at(2026, 3, 16, 12, 0).band is Band.ON_TRACK  # exactly 25 % left is not "less than"
    assert at(2026, 3, 16, 12, 0, 0, 1).band is Band.AT_RISK
    assert at(2026, 3, 16, 13, 0).band is Band.AT_RISK
    late = at(2026, 3, 16, 13, 0, 0, 1)
    assert late.band is Band.BREACHED
    assert late.overdue == dt.timedelta(microseconds=1)


def test_met_and_missed() -> None:
    logged = local(2026, 3, 16, 9)
    now = local(2026, 3, 20, 9)
    assert ENGINE.countdown("P2", logged, now, responded_at=local(2026, 3, 16, 13)).band is Band.MET
    missed = ENGINE.countdown("P2", logged, now, responded_at=local(2026, 3, 16, 13, 0, 1))
    assert missed.band is Band.MISSED


def test_business_clock_pauses_overnight_and_says_when_it_resumes() -> None:
    logged = local(2026, 3, 13, 17)  # Friday; due Monday 11:00
    evening = ENGINE.countdown("P2", logged, local(2026, 3, 13, 20))
    assert evening.paused
    assert evening.resumes_at == local(2026, 3, 16, 8)
    assert evening.remaining == dt.timedelta(hours=3)
    sunday = ENGINE.countdown("P2", logged, local(2026, 3, 15, 12))
    assert sunday.remaining == evening.remaining, "a paused clock does not move"
    monday = ENGINE.countdown("P2", logged, local(2026, 3, 16, 9))
    assert not monday.paused and monday.resumes_at is None
    assert monday.remaining == dt.timedelta(hours=2)


def test_p1_never_pauses_and_counts_wall_time() -> None:
    logged = local(2026, 3, 14, 22)  # Saturday night
    c = ENGINE.countdown("P1", logged, local(2026, 3, 14, 23, 45))
    assert not c.paused and c.wall_clock
    assert c.remaining == dt.timedelta(minutes=15)
    assert c.band is Band.AT_RISK  # 15 min of 120 is under 25 %


def test_p3_target_is_the_business_time_it_was_given() -> None:
    logged = local(2026, 3, 16, 9)  # due Tue 18:00? 17 Mar is a holiday: Wed 18:00
    c = ENGINE.countdown("P3", logged, local(2026, 3, 16, 9))
    assert c.due == local(2026, 3, 18, 18)
    assert c.target == dt.timedelta(hours=19)
    assert c.remaining == c.target


def test_other_clocks_of_the_process() -> None:
    resolved = local(2026, 3, 16, 10)  # Monday
    assert ENGINE.reopen_window_ends(resolved) == local(2026, 3, 22, 0)  # Saturday 24:00
    assert ENGINE.chaser_due(local(2026, 3, 13, 15)) == local(2026, 3, 16, 15)
    # 3 business days (30 business hours), skipping a weekend and St Patrick's Day.
    assert ENGINE.awaiting_info_expires(local(2026, 3, 13, 15)) == local(2026, 3, 19, 15)
    assert ENGINE.business_time_open(local(2026, 3, 13, 17), local(2026, 3, 16, 9)) == dt.timedelta(hours=2)
