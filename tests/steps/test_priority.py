"""Changing priority: a reason at logging when it is not the impact's, and a re-prioritise
step (roles from the policy, a reason, the due time counted again from logging; in the
history, `ticket show` and the reports) (issue 12)."""

from __future__ import annotations

from tests.steps.walk import Cli, log, step, training_desk

AT = "2026-03-09T09:30:00Z"


def test_a_priority_the_impact_does_not_suggest_needs_a_reason(cli: Cli) -> None:
    training_desk(cli)
    log_p1 = ("--priority", "P1")
    cli("--clock", AT, "--as", "tina", "ticket", "log", "--reseller", "Acme", "--contact", "Pat",
        "--phone", "+44 20 7946 0000", "--tenant", "acme-1", "--impact", "howto", "--channel",
        "phone", "--summary", "How do I?", *log_p1, code=1)  # fmt: skip
    assert "a reason for P1" in cli.err and "suggests P3" in cli.err
    assert cli.json("ticket", "list", "--json") == []
    number = log(cli, AT, *log_p1, "--reason", "the CEO cannot present", impact="howto",
                 channel="phone", contact=("--phone", "+44 20 7946 0000"))  # fmt: skip
    shown = cli.json("ticket", "show", number, "--json")
    assert shown["priority"] == "P1"
    (entry,) = shown["priority_history"]
    assert (entry["from"], entry["to"], entry["reason"]) == ("P3", "P1", "the CEO cannot present")
    # All users down but by email: P2 is the best the channel allows, no reason needed.
    mailed = log(cli, AT, "--priority", "P2", impact="all", channel="email")
    assert cli.json("ticket", "show", mailed, "--json")["priority_history"] == []


def test_reprioritise_recounts_the_due_time_and_the_reports_follow(cli: Cli) -> None:
    training_desk(cli)
    number = log(cli, "2026-03-09T09:00:00Z", impact="all", channel="phone", summary="All mail down")
    assert cli.json("ticket", "show", number, "--json")["response_due"] == "2026-03-09T11:00:00Z"
    # It turns out to affect two users: a P2, due 4 business hours after logging.
    step(cli, AT, "tina", "reprioritise", number, "--priority", "P2", "--reason", "two users", code=1)
    assert "Tier 1 engineer may not change a priority" in cli.err
    step(cli, AT, "lee", "reprioritise", number, "--priority", "P2", "--reason", "", code=1)
    assert "a reason" in cli.err
    step(cli, AT, "lee", "reprioritise", number, "--priority", "P1", "--reason", "x", code=1)
    assert "P1 already" in cli.err
    step(cli, AT, "lee", "reprioritise", number, "--priority", "P2", "--reason", "two users only")
    shown = cli.json("ticket", "show", number, "--json")
    assert (shown["priority"], shown["response_due"]) == ("P2", "2026-03-09T13:00:00Z")
    (entry,) = shown["priority_history"]
    assert (entry["from"], entry["to"], entry["actor"]) == ("P1", "P2", "lee")
    assert entry["response_due_before"] == "2026-03-09T11:00:00Z"
    assert shown["history"][-1]["kind"] == "reprioritised"
    assert "P1 -> P2: two users only" in shown["history"][-1]["note"]
    # Told at 12:00: late for the P1 it was, met for the P2 it is; the reports say P2.
    step(cli, "2026-03-09T12:00:00Z", "tina", "notify", number)
    rows = cli.json("--clock", "2026-03-10T09:00:00Z", "--as", "lee", "report", "compliance", "--json")
    by = {(r["month"], r["priority"]): r for r in rows["rows"]}
    assert (by[("2026-03", "P2")]["met"], ("2026-03", "P1") in by) == (1, False)
    step(cli, AT, "lee", "reprioritise", number, "--priority", "P3", "--reason", "a how-to after all")
    step(cli, AT, "lee", "reprioritise", number, "--priority", "P2", "--reason", "it is an outage")
    late = log(cli, "2026-03-09T09:00:00Z", impact="all", channel="phone")
    step(cli, AT, "lee", "reprioritise", late, "--priority", "P2", "--reason", "one user")
    rows = cli.json("--clock", "2026-03-10T09:00:00Z", "--as", "lee", "report", "breaches", "--json")
    assert {r["ticket"]: r["priority changed"] for r in rows["rows"]} == {late: "P1 -> P2"}
    # An emailed ticket cannot become a P1: the contract takes a P1 by phone only.
    mailed = log(cli, "2026-03-09T09:00:00Z")
    step(cli, AT, "lee", "reprioritise", mailed, "--priority", "P1", "--reason", "all down", code=1)
    assert "phone" in cli.err


def test_a_breach_recorded_under_the_old_priority_is_lifted(cli: Cli) -> None:
    training_desk(cli)
    number = log(cli, "2026-03-09T09:00:00Z", impact="all", channel="phone")
    cli("--clock", "2026-03-09T11:30:00Z", "rules", "run")
    assert cli.json("ticket", "show", number, "--json")["breach_recorded_at"] == "2026-03-09T11:30:00Z"
    step(
        cli, "2026-03-09T11:40:00Z", "lee", "reprioritise", number, "--priority", "P2", "--reason", "one user"
    )
    shown = cli.json("--clock", "2026-03-09T11:45:00Z", "ticket", "show", number, "--json")
    assert (shown["breach_recorded_at"], shown["sla_band"]) == (None, "on track")
