"""`explain` lists what was counted and what was skipped, by name."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from deskapp import sla
from deskapp.domain.explain import explain, render

LONDON = ZoneInfo("Europe/London")
ENGINE = sla.engine()


def test_christmas_p2_counts_two_intervals_and_names_the_holidays() -> None:
    expl = explain(ENGINE, "P2", dt.datetime(2026, 12, 24, 15, tzinfo=LONDON))
    assert expl.due == dt.datetime(2026, 12, 29, 9, tzinfo=LONDON)
    assert [(i.start.astimezone(LONDON).hour, i.end.astimezone(LONDON).hour) for i in expl.counted] == [
        (15, 18),
        (8, 9),
    ]
    assert expl.counted_total == dt.timedelta(hours=4)
    skipped = {d.date: d.label for d in expl.skipped}
    assert set(skipped) == {dt.date(2026, 12, d) for d in (25, 26, 27, 28)}
    assert "Christmas Day" in skipped[dt.date(2026, 12, 25)]
    assert "Boxing Day" in skipped[dt.date(2026, 12, 28)]
    text = render(expl, LONDON)
    assert "Tue 29 Dec 2026 09:00" in text and "Sunday" in text


def test_logged_out_of_hours_and_closing_time_notes() -> None:
    expl = explain(ENGINE, "P2", dt.datetime(2026, 3, 14, 10, tzinfo=LONDON))  # Saturday
    assert any("next opening" in n for n in expl.notes)
    assert any(
        "closing time" in n for n in explain(ENGINE, "P2", dt.datetime(2026, 3, 16, 14, tzinfo=LONDON)).notes
    )


def test_p1_mentions_the_clock_change() -> None:
    expl = explain(ENGINE, "P1", dt.datetime(2026, 3, 28, 23, 30, tzinfo=LONDON))
    assert expl.skipped == ()
    assert any("clocks change" in n for n in expl.notes)


def test_p3_skips_st_patricks_day() -> None:
    expl = explain(ENGINE, "P3", dt.datetime(2026, 3, 16, 19, tzinfo=LONDON))
    assert [d.date for d in expl.skipped] == [dt.date(2026, 3, 17)]
    assert "Saint Patrick" in expl.skipped[0].label
