"""`deskapp mail ...` and `deskapp survey ...` end to end on a training database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.test_store_cli import Cli, _training_desk
from tests.mail.smtp_server import SmtpServer


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(db_url, capsys)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def test_mail_and_survey_from_the_shell(cli: Cli, smtp: SmtpServer, tmp_path: Path) -> None:
    _training_desk(cli)
    cli("--as", "tina", "mail", "settings", "--host", "127.0.0.1", code=1)
    assert "administrator" in cli.err
    cli("--as", "ada", "mail", "settings", "--host", "127.0.0.1", "--port", str(smtp.port),
        "--security", "none", "--sender", "desk@example.co.uk")  # fmt: skip
    at = ("--clock", "2026-03-09T09:00:00Z")
    number = cli(*at, "--as", "tina", "ticket", "log", "--reseller", "Acme", "--contact", "Pat",
                 "--email", "pat@acme.example", "--tenant", "acme-1", "--impact", "some",
                 "--channel", "email", "--summary", "Mail down").strip()  # fmt: skip
    cli(*at, "--as", "tina", "mail", "ticket-number", number)
    (queued,) = cli.json("mail", "outbox", "--json")
    assert (queued["ticket"], queued["status"], queued["kind"]) == (number, "pending", "ticket_number")
    assert "sent 1" in cli("--clock", "2026-03-09T09:02:00Z", "mail", "send")
    assert cli.json("ticket", "show", number, "--json")["responded_at"] == "2026-03-09T09:02:00Z"
    assert len(smtp.inbox.messages) == 1

    cli("--clock", "2026-03-09T10:00:00Z", "--as", "tina", "ticket", "assign", number, "--engineer", "tina")
    cli("--clock", "2026-03-09T11:00:00Z", "--as", "tina", "ticket", "resolve", number, "--note", "fixed")
    cli("--clock", "2026-03-16T09:00:00Z", "rules", "run")
    assert "sent 2" in cli("--clock", "2026-03-16T09:01:00Z", "mail", "send")
    body = str(smtp.inbox.messages[-1].get_payload())
    ref = next(word.rstrip(".") for word in body.split() if word.startswith("SV-"))
    answers = tmp_path / "answers.csv"
    answers.write_text(f"reference,score,comment\n{ref},5,great\nSV-NOPE,4,\n{ref},x,\n", encoding="utf-8")
    out = cli("--clock", "2026-03-17T09:00:00Z", "--as", "lee", "survey", "import", str(answers), code=1)
    assert "saved 1 answers, 2 rows not saved" in out
    assert "line 3: no survey has the reference 'SV-NOPE'" in out
    assert "line 4: score 'x' is not a whole number 1-5" in out
    cli("--clock", "2026-03-17T09:00:00Z", "--as", "lee", "survey", "answer", ref, "--score", "3", code=1)
    assert "answered already" in cli.err
    history = cli.json("ticket", "show", number, "--json")["history"]
    assert any(h["kind"] == "survey_answered" and "5/5 great" in h["note"] for h in history)
