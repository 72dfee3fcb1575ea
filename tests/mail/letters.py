"""Build inbound test mail as resellers (and their mail servers) write it."""

from __future__ import annotations

import uuid
from email.message import EmailMessage

from deskapp.mail.fetch import ImapSettings
from tests.mail.dovecot import Mailbox

DESK = "desk@example.co.uk"


def settings_for(box: Mailbox, security: str = "tls", **extra: object) -> ImapSettings:
    port = box.server.imaps_port if security == "tls" else box.server.imap_port
    return ImapSettings(host="127.0.0.1", port=port, security=security, login=box.login,
                        verify=False, timeout=30, **extra)  # type: ignore[arg-type]  # fmt: skip


def letter(
    subject: str = "hello", body: str = "hello", *, sender: str = "pat@acme.example",
    message_id: str | None = None, in_reply_to: str | None = None, **headers: str,
) -> bytes:  # fmt: skip
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = DESK
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@acme.example>"
    msg["Date"] = "Mon, 09 Mar 2026 09:30:00 +0000"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()
