"""A refused resolution always reaches the next tier: `reject` takes what the next tier
needs and escalates in the same step; at Tier 3 it stays and flags the lead (issue 12)."""

from __future__ import annotations

from tests.steps.walk import Cli, log, step, training_desk

AT = "2026-03-09T10:00:00Z"


def _resolved_at_tier_two(cli: Cli) -> str:
    number = log(cli, "2026-03-09T09:00:00Z")
    step(cli, AT, "tina", "assign", number, "--engineer", "tina")
    step(cli, AT, "tina", "escalate", number, "--note", "restarted transport")
    step(cli, AT, "lee", "assign", number, "--engineer", "tess")
    step(cli, AT, "tess", "resolve", number, "--note", "rebuilt the connector")
    return number


def test_a_rejection_at_tier_two_engages_the_provider(cli: Cli) -> None:
    training_desk(cli)
    number = _resolved_at_tier_two(cli)
    step(cli, AT, "tina", "reject", number, "--note", "still down", code=1)
    assert "the Third Party Provider and the provider's reference" in cli.err
    assert "nothing was saved" in cli.err
    step(cli, AT, "tina", "reject", number, "--note", "still down", "--provider", "MailCo", code=1)
    assert "the provider's reference" in cli.err
    out = step(cli, AT, "tina", "reject", number, "--note", "still down",
               "--provider", "MailCo", "--provider-ref", "MC-9")  # fmt: skip
    assert "in_progress, Tier 3" in out
    shown = cli.json("ticket", "show", number, "--json")
    assert (shown["tier"], shown["provider"], shown["provider_ref"]) == (3, "MailCo", "MC-9")
    assert shown["resolved_at"] is None
    kinds = [h["kind"] for h in shown["history"]]
    assert "reopened" not in kinds and kinds[-1] == "rejected"
    assert shown["history"][-1]["to_tier"] == 3
    # At Tier 3 a rejection stays there and flags the team lead, as before.
    step(cli, AT, "tess", "resolve", number, "--note", "provider patched it")
    step(cli, AT, "tina", "reject", number, "--provider", "OtherCo", code=1)
    assert "Tier 3 already" in cli.err
    step(cli, AT, "tina", "reject", number, "--note", "still down")
    shown = cli.json("ticket", "show", number, "--json")
    assert (shown["tier"], shown["lead_flagged_at"]) == (3, "2026-03-09T10:00:00Z")
    escalations = cli.json("--clock", AT, "--as", "lee", "report", "escalations", "--json")["rows"]
    assert {r["tier"]: r["escalated into"] for r in escalations}["Tier 3"] == 1


def test_a_rejection_at_tier_one_reaches_tier_two(cli: Cli) -> None:
    training_desk(cli)
    number = log(cli, "2026-03-09T09:00:00Z")
    step(cli, AT, "tina", "assign", number, "--engineer", "tina")
    step(cli, AT, "tina", "resolve", number, "--note", "cleared the cache")
    assert "in_progress, Tier 2" in step(cli, AT, "tina", "reject", number)
