"""`deskapp ticket search QUERY [--limit N] [--json]`: the app's search from a shell."""

from __future__ import annotations

import pytest

from tests.cli.test_store_cli import Cli, _training_desk


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(db_url, capsys)


def _log(cli: Cli, summary: str, contact: str = "Pat") -> str:
    return cli(
        "--clock", "2026-03-12T14:00:00Z", "--as", "tina", "ticket", "log", "--reseller", "Acme",
        "--contact", contact, "--email", "pat@acme.example", "--tenant", "acme-1",
        "--impact", "some", "--channel", "email", "--summary", summary,
    ).strip()  # fmt: skip


def test_search_finds_closed_tickets_with_the_list_fields(cli: Cli) -> None:
    _training_desk(cli)
    old = _log(cli, "Outlook not syncing", contact="Mary Quinn")
    at = ["--clock", "2026-03-12T14:10:00Z", "--as", "tina", "ticket"]
    cli(*at, "assign", old, "--engineer", "tina")
    cli(*at, "resolve", old, "--note", "sync token reset")
    cli("--clock", "2026-04-30T09:00:00Z", "rules", "run")
    other = _log(cli, "Teams calls drop")
    listed = {r["number"]: r for r in cli.json("ticket", "list", "--all", "--json")}
    assert listed[old]["status"] == "closed"

    found = cli.json("ticket", "search", "quinn syncing", "--json")
    assert found == [listed[old]]  # the same fields, the same values as `ticket list --json`
    assert sorted(r["number"] for r in cli.json("ticket", "search", "acme", "--json")) == [old, other]
    assert len(cli.json("ticket", "search", "acme", "--json", "--limit", "1")) == 1
    assert [r["number"] for r in cli.json("ticket", "search", "token", "--json")] == [old]
    text = cli("ticket", "search", "teams")
    assert other in text and "Teams calls drop" in text
    assert "no ticket matches 'nothing-like-it'" in cli("ticket", "search", "nothing-like-it")
    assert cli.json("ticket", "search", "nothing-like-it", "--json") == []
    # a reseller's whole name, an email address: that customer's tickets, newest first
    assert [r["number"] for r in cli.json("ticket", "search", "ACME", "--json")] == [other, old]
    assert [r["number"] for r in cli.json("ticket", "search", "pat@acme.example", "--json")] == [other, old]


def test_search_refuses_bad_input_in_words(cli: Cli) -> None:
    _training_desk(cli)
    cli("ticket", "search", "mail", "--limit", "0", code=1)
    assert "--limit 0" in cli.err
    cli("ticket", "search", "***", code=1)
    assert "'***'" in cli.err
