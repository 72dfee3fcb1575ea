"""Times a person reads are UK local with the zone and offset; UTC stays in --json; hours
late are counted in the ticket's own clock; `sla explain` labels GMT/BST (issue 12)."""

from __future__ import annotations

from pathlib import Path

from tests.steps.walk import Cli, log, training_desk


def test_ticket_show_reads_local_and_json_stays_utc(cli: Cli) -> None:
    training_desk(cli)
    number = log(cli, "2026-03-30T08:00:00Z")  # Monday after the clocks went forward: 09:00 BST
    text = cli("--clock", "2026-03-30T08:05:00Z", "ticket", "show", number)
    assert "logged_at: Mon 30 Mar 2026 09:00 BST (+01:00)" in text
    assert "response_due: Mon 30 Mar 2026 13:00 BST (+01:00)" in text
    assert "Mon 30 Mar 2026 09:00 BST (+01:00)  tina" in text  # the history too
    assert "2026-03-30T08:00:00Z" not in text
    shown = cli.json("ticket", "show", number, "--json")
    assert shown["logged_at"] == "2026-03-30T08:00:00Z"


def test_breaches_in_local_time_and_business_hours(cli: Cli, tmp_path: Path) -> None:
    training_desk(cli)
    # A P3 logged Mon 9 Mar is due Tue 18:00; told Wed 10:00 it is 2 business hours late.
    p3 = log(cli, "2026-03-09T09:00:00Z", impact="howto", summary="How do I add a user?")
    cli("--clock", "2026-03-11T10:00:00Z", "--as", "tina", "ticket", "notify", p3)
    # A P1 due at 11:00 and told at 13:00 is 2 wall-clock hours late.
    p1 = log(cli, "2026-03-09T09:00:00Z", impact="all", channel="phone", summary="All mail down")
    cli("--clock", "2026-03-09T13:00:00Z", "--as", "tina", "ticket", "notify", p1)
    lead = ("--clock", "2026-03-12T09:00:00Z", "--as", "lee", "report", "breaches")
    rows = {r["ticket"]: r for r in cli.json(*lead, "--json")["rows"]}
    assert (rows[p3]["hours late"], rows[p3]["late counted in"]) == (2.0, "business hours")
    assert (rows[p1]["hours late"], rows[p1]["late counted in"]) == (2.0, "wall clock")
    assert rows[p3]["due"] == "2026-03-10T18:00:00Z"
    text = cli(*lead)
    assert "2026-03-10 18:00 GMT (+00:00)" in text
    assert "business hours" in text
    target = tmp_path / "late.csv"
    cli(*lead, "--csv", str(target))
    assert "2026-03-10T18:00:00+00:00" in target.read_text(encoding="utf-8")


def test_sla_explain_labels_the_zone_and_the_end_date(cli: Cli) -> None:
    out = cli("sla", "explain", "--priority", "P1", "2026-03-28T23:30:00Z")
    assert "Sat 28 Mar 2026 23:30 GMT - Sun 29 Mar 2026 02:30 BST" in out
    out = cli("sla", "explain", "--priority", "P2", "2026-03-27T16:00:00Z")
    assert "Fri 27 Mar 2026 16:00 - 18:00 GMT" in out
    assert "Mon 30 Mar 2026 08:00 - 10:00 BST" in out
    out = cli("sla", "explain", "--priority", "P1", "2026-03-09T23:30:00Z")
    assert "Mon 09 Mar 2026 23:30 GMT - Tue 10 Mar 2026 01:30 GMT" in out
