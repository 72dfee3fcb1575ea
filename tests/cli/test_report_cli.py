"""`deskapp report NAME` as a lead: text, JSON and CSV; refused to an engineer."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_store_cli import Cli, _training_desk


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(db_url, capsys)


def _two_tickets(cli: Cli) -> None:
    log = ("ticket", "log", "--reseller", "Acme", "--contact", "Pat", "--email", "p@acme.example",
           "--tenant", "acme-1", "--impact", "some", "--channel", "email", "--summary")  # fmt: skip
    first = cli("--clock", "2026-03-09T09:00:00Z", "--as", "tina", *log, "Mail down").strip()
    second = cli("--clock", "2026-03-09T09:00:00Z", "--as", "tina", *log, "Teams down").strip()
    cli("--clock", "2026-03-09T10:00:00Z", "--as", "tina", "ticket", "notify", first)
    cli("--clock", "2026-03-09T14:00:00Z", "--as", "tina", "ticket", "notify", second)


def test_compliance_as_json_and_csv(cli: Cli, tmp_path: Path) -> None:
    _training_desk(cli)
    _two_tickets(cli)
    got = cli.json("--clock", "2026-03-10T09:00:00Z", "--as", "lee", "report", "compliance", "--json")
    rows = {(r["month"], r["priority"]): r for r in got["rows"]}
    assert (rows[("2026-03", "P2")]["met"], rows[("2026-03", "P2")]["missed"]) == (1, 1)
    target = tmp_path / "breaches.csv"
    out = cli("--clock", "2026-03-10T09:00:00Z", "--as", "lee", "report", "breaches", "--csv", str(target))
    assert "wrote 1 rows" in out
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("ticket,priority,reseller") and len(lines) == 2
    assert "Response time distribution" in cli("--as", "lee", "report", "response-times")


def test_reports_are_for_leads(cli: Cli) -> None:
    _training_desk(cli)
    cli("--as", "tina", "report", "surveys", code=1)
    assert "team leads" in cli.err
