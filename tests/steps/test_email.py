"""Contact and reseller email addresses are checked at intake and in the directory
(email-validator, syntax only) (issue 12)."""

from __future__ import annotations

from tests.steps.walk import Cli, log, training_desk


def test_a_mistyped_contact_email_is_caught_at_intake(cli: Cli) -> None:
    training_desk(cli)
    cli("--clock", "2026-03-09T09:00:00Z", "--as", "tina", "ticket", "log", "--reseller", "Acme",
        "--contact", "Pat", "--email", "pat@acme,example", "--tenant", "acme-1", "--impact", "some",
        "--channel", "email", "--summary", "Mail down", code=1)  # fmt: skip
    assert "the contact's email 'pat@acme,example' is not an email address" in cli.err
    assert "nothing was saved" in cli.err
    assert cli.json("ticket", "list", "--json") == []
    number = log(cli, "2026-03-09T09:00:00Z", contact=("--email", " Pat@ACME.Example "))
    assert cli.json("ticket", "show", number, "--json")["contact_email"] == "Pat@acme.example"


def test_a_mistyped_reseller_email_is_caught_in_the_directory(cli: Cli) -> None:
    training_desk(cli)
    cli("--as", "ada", "reseller", "add", "Bravo", "--country", "IE", "--email", "desk@bravo", code=1)
    assert "'desk@bravo' is not an email address" in cli.err
    assert "Bravo" not in cli("reseller", "list")
    cli("--as", "ada", "reseller", "add", "Bravo", "--country", "IE", "--email", "desk@bravo.ie")
    assert "Bravo" in cli("reseller", "list")
