from __future__ import annotations

from collections.abc import Iterator

import pytest

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
