from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deskapp.mail import templates
from deskapp.mail.smtp_transport import SendError, SmtpSettings, build_message, send
from tests.mail.smtp_server import SmtpServer, free_port


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    srv = SmtpServer(login=("desk", "s3cret")).start()
    yield srv
    srv.stop()


def test_a_message_arrives_with_login(server: SmtpServer) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=server.port, security="none", login="desk")
    msg = build_message(settings, "reseller@example.co.uk", "[WC-1] hello", "body text", "<wc-1.1@deskapp>")
    send(settings, msg, password="s3cret")
    assert len(server.inbox.messages) == 1
    got = server.inbox.messages[0]
    assert got["Subject"] == "[WC-1] hello" and got["Message-ID"] == "<wc-1.1@deskapp>"
    assert "body text" in got.get_payload()


def test_server_down_is_a_retryable_send_error() -> None:
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), security="none", timeout=2)
    with pytest.raises(SendError) as caught:
        send(settings, build_message(settings, "r@example.ie", "s", "b", "<y@deskapp>"))
    assert not caught.value.permanent


def test_templates_render_and_an_administrator_can_override(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DESKAPP_TEMPLATE_DIR", str(tmp_path))
    shipped = templates.render("ticket_number", {"number": "WC-000123", "contact": "Ann", "desk": "Cloud"})
    assert shipped.subject == "[WC-000123] We have logged your incident"
    assert "Hello Ann" in shipped.body and "$number" not in shipped.body
    (tmp_path / "ticket_number.txt").write_text("Subject: Ticket $number\n\nHi $contact.\n", encoding="utf-8")
    edited = templates.render("ticket_number", {"number": "WC-9", "contact": "Bo"})
    assert (edited.subject, edited.body) == ("Ticket WC-9", "Hi Bo.\n")
    (tmp_path / "chaser.txt").write_text("no subject line", encoding="utf-8")
    with pytest.raises(templates.TemplateError, match="Subject"):
        templates.render("chaser", {})
    with pytest.raises(templates.TemplateError, match="no message template"):
        templates.render("nope", {})
