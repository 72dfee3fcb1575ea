"""`deskapp mail settings --imap-*`, `mail fetch`, `mail inbox` and `ticket log
--from-message` end to end on a training desk, reading a real Dovecot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from deskapp.domain.policy import default_policy
from tests.cli.test_store_cli import Cli, _training_desk
from tests.mail.dovecot import Mailbox
from tests.mail.letters import letter


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(db_url, capsys)


FORM = """\
Reseller: Acme
Contact: Pat Jones
Phone: +44 20 7946 0000
Tenant: acme-1
End users: the whole sales floor
Impact: all
Summary: Nobody can send mail
Description:
Since 08:00 every send fails.
We restarted Outlook.

--
the desk's template footer
"""


def test_mail_in_from_the_shell(cli: Cli, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    _training_desk(cli)
    imap = ["mail", "settings", "--imap-host", "127.0.0.1", "--imap-port", str(mailbox.server.imap_port),
            "--imap-security", "none", "--imap-login", mailbox.login]  # fmt: skip
    cli("--as", "tina", *imap, code=1)
    assert "administrator" in cli.err
    cli("--as", "ada", *imap)
    with pytest.raises(SystemExit):  # argparse refuses it, naming the choices
        cli("--as", "ada", "mail", "settings", "--imap-security", "bogus")
    assert '"folder": "INBOX"' in cli("mail", "settings")

    arrived = dt.datetime(2026, 3, 9, 8, 30, tzinfo=dt.UTC)  # Monday 08:30 London
    mailbox.deliver(letter("New incident: mail down", FORM, sender="pat@acme.example"), at=arrived)
    monkeypatch.delenv("DESKAPP_IMAP_PASSWORD", raising=False)
    cli("--clock", "2026-03-09T10:00:00Z", "mail", "fetch", code=1)
    assert "DESKAPP_IMAP_PASSWORD" in cli.err, "no password: a message, not a traceback"
    monkeypatch.setenv("DESKAPP_IMAP_PASSWORD", mailbox.password)
    assert "imported 1" in cli("--clock", "2026-03-09T10:00:00Z", "mail", "fetch")
    assert "imported 0" in cli("--clock", "2026-03-09T10:01:00Z", "mail", "fetch")

    (waiting,) = cli.json("mail", "inbox", "--json")
    assert waiting["from"] == "pat@acme.example" and waiting["subject"] == "New incident: mail down"
    assert waiting["received_at"] == "2026-03-09T08:30:00Z"
    fields = waiting["fields"]
    assert (fields["reseller"], fields["contact"], fields["tenant"]) == ("Acme", "Pat Jones", "acme-1")
    assert fields["description"] == "Since 08:00 every send fails.\nWe restarted Outlook."
    assert waiting["priority"] == "P2", "an emailed incident is never P1"
    assert waiting["response_due"] == "2026-03-09T12:30:00Z", "4 business hours from the arrival"

    number = cli("--clock", "2026-03-09T11:00:00Z", "--as", "tina", "ticket", "log",
                 "--from-message", str(waiting["id"])).strip()  # fmt: skip
    shown = cli.json("ticket", "show", number, "--json")
    assert (shown["priority"], shown["channel"], shown["summary"]) == ("P2", "email", "Nobody can send mail")
    assert shown["response_due"] == "2026-03-09T12:30:00Z"
    assert cli.json("mail", "inbox", "--json") == []
    (ack,) = cli.json("mail", "outbox", "--json")
    assert ack["kind"] == "ticket_number" and ack["ticket"] == number
    cli("--as", "tina", "ticket", "log", "--from-message", str(waiting["id"]), code=1)
    assert "not waiting in the Inbox" in cli.err


def test_the_acknowledgement_gives_the_p1_phone_number(
    cli: Cli, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deskapp.store.models import Outbox

    _training_desk(cli)
    cli("--as", "ada", "mail", "settings", "--imap-host", "127.0.0.1", "--imap-port",
        str(mailbox.server.imap_port), "--imap-security", "none", "--imap-login", mailbox.login)  # fmt: skip
    mailbox.deliver(letter("New incident", FORM, sender="pat@acme.example"))
    monkeypatch.setenv("DESKAPP_IMAP_PASSWORD", mailbox.password)
    cli("mail", "fetch")
    (waiting,) = cli.json("mail", "inbox", "--json")
    number = cli("--as", "tina", "ticket", "log", "--from-message", str(waiting["id"]),
                 "--summary", "Sends fail").strip()  # fmt: skip
    assert cli.json("ticket", "show", number, "--json")["summary"] == "Sends fail", "a flag overrides"
    ack = Outbox.get()
    assert default_policy().p1_phone in ack.body and "by phone" in ack.body


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_a_self_signed_server_is_trusted_by_its_ca_file(
    cli: Cli, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, security: str
) -> None:
    """`mail fetch` refuses a certificate nobody trusts, saying so (no traceback), and reads
    the mailbox once the server's certificate is given with --imap-ca-file."""
    _training_desk(cli)
    server = mailbox.server
    port = server.imaps_port if security == "tls" else server.imap_port
    cli("--as", "ada", "mail", "settings", "--imap-host", "127.0.0.1", "--imap-port", str(port),
        "--imap-security", security, "--imap-login", mailbox.login)  # fmt: skip
    monkeypatch.setenv("DESKAPP_IMAP_PASSWORD", mailbox.password)
    mailbox.deliver(letter("Question", "hello", sender="pat@acme.example"))

    cli("mail", "fetch", code=1)
    assert "certificate is not trusted" in cli.err and "self-signed certificate" in cli.err, cli.err
    assert "--imap-ca-file" in cli.err, "the message says what to do"
    assert mailbox.flagged_seen() == [], "nothing read from a server that was not trusted"

    missing = tmp_path / "nowhere.pem"
    cli("--as", "ada", "mail", "settings", "--imap-ca-file", str(missing), code=1)
    assert "--imap-ca-file" in cli.err and "no such file" in cli.err and "nowhere.pem" in cli.err
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("not a certificate\n", encoding="utf-8")
    cli("--as", "ada", "mail", "settings", "--imap-ca-file", str(not_pem), code=1)
    assert "not a PEM certificate file" in cli.err

    cli("--as", "ada", "mail", "settings", "--imap-ca-file", str(server.cert_path))
    assert cli.json("mail", "settings")["imap"]["ca_file"] == str(server.cert_path)
    assert "imported 1" in cli("mail", "fetch")
    (waiting,) = cli.json("mail", "inbox", "--json")
    assert waiting["subject"] == "Question"
    assert len(mailbox.flagged_seen()) == 1

    cli("--as", "ada", "mail", "settings", "--imap-ca-file", "")
    assert cli.json("mail", "settings")["imap"]["ca_file"] is None, "'' clears it"
    cli("mail", "fetch", code=1)
    assert "certificate is not trusted" in cli.err
