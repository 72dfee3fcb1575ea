"""Duplicates: intake warns of an open ticket of the same reseller and tenant with a similar
summary; `ticket duplicate` closes the duplicate without a resolution message or a survey,
links both ways and copies its notes to the surviving ticket (issue 12)."""

from __future__ import annotations

from tests.steps.walk import Cli, log, step, training_desk


def test_two_identical_p1s_are_warned_and_merged(cli: Cli) -> None:
    training_desk(cli)
    first = log(
        cli, "2026-03-09T09:00:00Z", impact="all", channel="phone", summary="Exchange down for all users"
    )
    assert "duplicate" not in cli.err
    second = log(
        cli, "2026-03-09T09:02:00Z", impact="all", channel="phone", summary="Exchange is down for all users!"
    )
    assert f"{second} may be a duplicate" in cli.err and first in cli.err
    assert f"deskapp ticket duplicate {second} --of {first}" in cli.err
    other = log(cli, "2026-03-09T09:03:00Z", summary="Teams calls drop")
    assert "duplicate" not in cli.err
    step(cli, "2026-03-09T09:04:00Z", "tina", "note", second, "--note", "caller: Sam, ext 204")
    step(cli, "2026-03-09T09:05:00Z", "tina", "duplicate", second, "--of", second, code=1)
    assert "itself" in cli.err
    step(cli, "2026-03-09T09:05:00Z", "tina", "duplicate", second, "--of", first, "--note", "same outage")
    dup = cli.json("ticket", "show", second, "--json")
    assert (dup["status"], dup["duplicate_of"], dup["survey_status"]) == ("closed", first, "none")
    assert dup["resolved_at"] is None and dup["closes_at"] is None
    survivor = cli.json("ticket", "show", first, "--json")
    assert survivor["duplicates"] == [second] and survivor["status"] == "logged"
    copied = [h for h in survivor["history"] if h["kind"] == "note"]
    assert len(copied) == 1 and "caller: Sam, ext 204" in copied[0]["note"] and second in copied[0]["note"]
    assert survivor["history"][-1]["kind"] == "duplicate_merged"
    # No resolution message and no survey: the outbox holds nothing for the duplicate.
    assert [m for m in cli.json("mail", "outbox", "--json") if m["ticket"] == second] == []
    cli("--clock", "2026-03-20T09:00:00Z", "rules", "run")
    assert cli.json("ticket", "show", second, "--json")["survey_status"] == "none"
    # The duplicate is not a breach: the incident is counted once, on the other ticket.
    step(cli, "2026-03-09T09:10:00Z", "tina", "notify", first)
    rows = cli.json("--clock", "2026-03-20T09:00:00Z", "--as", "lee", "report", "breaches", "--json")["rows"]
    assert second not in {r["ticket"] for r in rows}
    # A closed ticket is neither a duplicate nor a survivor any more.
    step(cli, "2026-03-20T09:00:00Z", "tina", "duplicate", other, "--of", second, code=1)
    assert "closed" in cli.err


def test_only_tickets_of_one_reseller_are_duplicates(cli: Cli) -> None:
    training_desk(cli)
    cli("--as", "ada", "reseller", "add", "Bravo", "--country", "IE", "--email", "b@bravo.example")
    mine = log(cli, "2026-03-09T09:00:00Z")
    theirs = cli("--clock", "2026-03-09T09:00:00Z", "--as", "tina", "ticket", "log", "--reseller", "Bravo",
                 "--contact", "Ann", "--email", "ann@bravo.example", "--tenant", "acme-1", "--impact",
                 "some", "--channel", "email", "--summary", "Mail down").strip()  # fmt: skip
    assert "duplicate" not in cli.err
    step(cli, "2026-03-09T09:05:00Z", "tina", "duplicate", theirs, "--of", mine, code=1)
    assert "different resellers" in cli.err
