"""The small refusals that misled, said right; steps taken are not offered again; the CLI
clears a lead flag; the survey reference is shown (issue 12)."""

from __future__ import annotations

from tests.steps.walk import Cli, log, step, training_desk

AT = "2026-03-09T10:00:00Z"


def test_a_second_information_request_says_why(cli: Cli) -> None:
    training_desk(cli)
    number = log(cli, "2026-03-09T09:00:00Z")
    step(cli, AT, "tina", "assign", number, "--engineer", "tina")
    step(cli, AT, "tina", "assign", number, "--engineer", "tina", code=1)
    assert "assigned to tina already" in cli.err
    step(cli, AT, "tina", "request-info", number, "--note", "which mailbox?")
    step(cli, AT, "tina", "request-info", number, "--note", "and which user?", code=1)
    assert "already waiting for information" in cli.err
    assert "only once the ticket is assigned" not in cli.err


def test_confirm_and_reject_end_together_with_the_window(cli: Cli) -> None:
    training_desk(cli)
    number = log(cli, "2026-03-09T09:00:00Z")  # Monday
    step(cli, AT, "tina", "assign", number, "--engineer", "tina")
    step(cli, AT, "tina", "resolve", number, "--note", "fixed")
    # Resolved Mon 9th: the window ends at midnight ending Sat 14th (00:00 GMT Sun 15th).
    end = "2026-03-15T00:00:00Z"
    step(cli, end, "tina", "confirm", number, code=1)
    assert "reopen window ended" in cli.err
    step(cli, end, "tina", "reject", number, code=1)
    assert "reopen window ended" in cli.err
    step(cli, "2026-03-14T23:59:00Z", "tina", "confirm", number)
    step(cli, "2026-03-14T23:59:30Z", "tina", "confirm", number, code=1)
    assert "confirmed already" in cli.err


def test_steps_already_taken_are_refused_and_options_that_do_not_apply(cli: Cli) -> None:
    training_desk(cli)
    number = log(cli, "2026-03-09T09:00:00Z")
    step(cli, AT, "tina", "notify", number)
    step(cli, AT, "tina", "notify", number, code=1)
    assert "already" in cli.err
    kinds = [h["kind"] for h in cli.json("ticket", "show", number, "--json")["history"]]
    assert kinds.count("notified") == 1
    step(cli, AT, "tina", "confirm", number, "--provider", "MailCo", code=1)
    assert "`ticket confirm` takes no --provider" in cli.err
    step(cli, AT, "tina", "note", number, "--engineer", "tina", "--note", "x", code=1)
    assert "takes no --engineer" in cli.err


def test_the_cli_clears_a_lead_flag(cli: Cli) -> None:
    training_desk(cli)
    number = log(cli, "2026-03-09T09:00:00Z")
    step(cli, AT, "tina", "assign", number, "--engineer", "tina")
    step(cli, AT, "tina", "escalate", number, "--note", "basics")
    step(cli, AT, "lee", "assign", number, "--engineer", "tess")
    step(
        cli,
        AT,
        "tess",
        "escalate",
        number,
        "--note",
        "vendor",
        "--provider",
        "MailCo",
        "--provider-ref",
        "M1",
    )
    step(cli, AT, "tess", "resolve", number, "--note", "patched")
    step(cli, AT, "tina", "reject", number, "--note", "still down")
    assert cli.json("ticket", "show", number, "--json")["lead_flagged_at"] == AT
    step(cli, AT, "tess", "clear-lead-flag", number, code=1)
    assert "a Tier 2 engineer may not clear lead flag" in cli.err
    step(cli, AT, "ada", "note", number, "--note", "checked")
    step(cli, AT, "lee", "clear-lead-flag", number, "--note", "provider escalated")
    assert cli.json("ticket", "show", number, "--json")["lead_flagged_at"] is None
    step(cli, AT, "lee", "clear-lead-flag", number, code=1)
    assert "not flagged" in cli.err


def test_an_administrator_is_named_with_the_right_article(cli: Cli) -> None:
    training_desk(cli)
    number = log(cli, "2026-03-09T09:00:00Z")
    step(cli, AT, "ada", "resolve", number, "--note", "x", code=1)
    assert "an administrator may not resolve" in cli.err
    assert "a administrator" not in cli.err


def test_the_survey_reference_is_shown(cli: Cli) -> None:
    training_desk(cli)
    number = log(cli, "2026-03-09T09:00:00Z")
    step(cli, AT, "tina", "assign", number, "--engineer", "tina")
    step(cli, AT, "tina", "resolve", number, "--note", "fixed")
    assert cli.json("ticket", "show", number, "--json")["survey_ref"] is None
    cli("--clock", "2026-03-16T09:00:00Z", "rules", "run")
    ref = cli.json("ticket", "show", number, "--json")["survey_ref"]
    assert ref and ref.startswith("SV-")
    assert f"survey_ref: {ref}" in cli("ticket", "show", number)
