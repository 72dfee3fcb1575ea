"""Reports against a small desk whose answers are worked out by hand (London = UTC in March)."""

from __future__ import annotations

import pytest

from deskapp import services as sv
from deskapp.reports.compliance import breaches, compliance, response_times
from deskapp.reports.escalations import escalations, third_party_open
from deskapp.reports.surveys import survey_scores
from deskapp.rules.engine import run_rules
from tests.desk_setup import Desk
from tests.london import local

NOW = local(2026, 3, 11, 10)  # Wednesday 10:00


def build(desk: Desk) -> dict[str, str]:
    db, clock = desk.db, desk.clock
    # T1 P2, told at 10:00 (met, 1 h); escalated to Tier 2 at 12:00 and Tier 3 Tue 09:00.
    t1 = desk.at(local(2026, 3, 9, 9)).log(summary="T1").number
    t2 = desk.log(summary="T2").number  # P2 at 09:00, told 14:00: missed by 1 h (wait 5 h)
    t3 = desk.at(local(2026, 3, 9, 9, 30)).log(impact="howto", summary="T3").number  # P3, never told
    t4 = desk.at(local(2026, 3, 9, 11)).log(impact="all", channel="phone", summary="T4").number  # P1
    desk.at(local(2026, 3, 9, 10))
    sv.notify(db, clock, "tina", t1)
    sv.assign(db, clock, "tina", t1, engineer="tina")
    desk.at(local(2026, 3, 9, 11, 10))
    sv.notify(db, clock, "tina", t4)  # met, 10 min
    desk.at(local(2026, 3, 9, 12))
    sv.escalate(db, clock, "tina", t1, note="restarted the connector; no change")
    sv.assign(db, clock, "tina", t4, engineer="tina")
    sv.resolve(db, clock, "tina", t4, reason="tenant restored")
    desk.at(local(2026, 3, 9, 14))
    sv.notify(db, clock, "tina", t2)
    desk.at(local(2026, 3, 10, 9))
    sv.assign(db, clock, "tess", t1, engineer="tess")
    sv.escalate(db, clock, "tess", t1, note="vendor bug suspected", provider="Microsoft",
                provider_ref="MS-123")  # fmt: skip
    desk.at(local(2026, 3, 10, 15))
    sv.third_party_update(db, clock, "tess", t1, note="fix rolling out")
    t5 = desk.at(local(2026, 3, 11, 9)).log(summary="T5").number  # running at NOW: not counted
    desk.at(NOW)
    return {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5}


def test_compliance_by_month_and_priority(desk: Desk) -> None:
    build(desk)
    table = compliance(desk.db, now=NOW)
    rows = {(r["month"], r["priority"]): r for r in table.as_dicts()}
    assert {k: (r["met"], r["missed"]) for k, r in rows.items() if k[0] == "2026-03"} == {
        ("2026-03", "P1"): (1, 0),
        ("2026-03", "P2"): (1, 1),
        ("2026-03", "P3"): (0, 1),
    }
    assert rows[("2026-03", "P2")]["met %"] == 50.0
    assert rows[("all", "P3")]["missed %"] == 100.0


def test_breaches_list(desk: Desk) -> None:
    numbers = build(desk)
    table = breaches(desk.db, now=NOW)
    by_number = {r["ticket"]: r for r in table.as_dicts()}
    assert set(by_number) == {numbers["t2"], numbers["t3"]}
    assert by_number[numbers["t2"]]["hours late"] == 1.0
    # T3 (a P3) was due Tue 18:00 and is still untold at Wed 10:00: 2 business hours late.
    assert by_number[numbers["t3"]]["responded"] == "not yet told"
    assert by_number[numbers["t3"]]["hours late"] == 2.0
    assert by_number[numbers["t3"]]["late counted in"] == "business hours"


def test_response_time_distribution(desk: Desk) -> None:
    build(desk)
    table = response_times(desk.db, now=NOW)
    rows = {r["response time"]: r for r in table.as_dicts()}
    assert table.columns == ("response time", "P1", "P2")
    assert rows["< 15 min"]["P1"] == 1
    assert rows["1-2 h"]["P2"] == 1
    assert rows["4-8 h"]["P2"] == 1
    assert sum(int(r["P2"] or 0) for r in rows.values()) == 2


def test_escalations_and_time_at_tier(desk: Desk) -> None:
    build(desk)
    rows = {r["tier"]: r for r in escalations(desk.db, now=NOW).as_dicts()}
    assert (rows["Tier 2"]["escalated into"], rows["Tier 3"]["escalated into"]) == (1, 1)
    # Tier 1: T1 3 h, T2 49 h, T3 48.5 h, T4 1 h (then resolved), T5 1 h.
    assert rows["Tier 1"]["tickets at tier"] == 5
    assert rows["Tier 1"]["mean hours"] == pytest.approx(20.5)
    assert rows["Tier 1"]["median hours"] == 3.0
    assert rows["Tier 2"]["mean hours"] == 21.0  # Mon 12:00 -> Tue 09:00
    assert rows["Tier 3"]["mean hours"] == 25.0  # Tue 09:00 -> Wed 10:00


def test_third_party_cases_open(desk: Desk) -> None:
    numbers = build(desk)
    (row,) = third_party_open(desk.db, now=NOW).as_dicts()
    assert row["ticket"] == numbers["t1"]
    assert (row["provider"], row["provider ref"]) == ("Microsoft", "MS-123")
    assert row["last update"] == "2026-03-10T15:00:00Z"
    assert row["hours since"] == 19.0


def test_survey_scores(desk: Desk) -> None:
    numbers = build(desk)
    db, clock = desk.db, desk.clock
    desk.at(local(2026, 3, 16, 9))  # T4's window closed at Sun 15 Mar 00:00
    summary = run_rules(db, clock)
    assert numbers["t4"] in summary.applied.get("closed", [])
    sv.mark_survey_sent(db, clock, "tina", numbers["t4"])
    desk.at(local(2026, 4, 2, 9))
    sv.record_survey(db, clock, "tina", numbers["t4"], score=4, comment="quick")
    rows = {r["month"]: r for r in survey_scores(db, now=clock.now()).as_dicts()}
    assert (rows["2026-03"]["offered"], rows["2026-03"]["emailed"], rows["2026-03"]["answered"]) == (1, 1, 0)
    assert (rows["2026-04"]["answered"], rows["2026-04"]["mean score"], rows["2026-04"]["4"]) == (1, 4.0, 1)
    assert rows["all"]["mean score"] == 4.0


def test_csv_and_text(desk: Desk) -> None:
    build(desk)
    table = compliance(desk.db, now=NOW)
    csv_text = table.to_csv()
    assert csv_text.splitlines()[0] == "month,priority,met,missed,decided,met %,missed %"
    assert "2026-03,P2,1,1,2,50.0,50.0" in csv_text
    assert "Response SLA compliance" in table.to_text()


def test_empty_desk_reports_nothing(desk: Desk) -> None:
    assert compliance(desk.db, now=NOW).rows == []
    assert "(nothing to report)" in breaches(desk.db, now=NOW).to_text()
