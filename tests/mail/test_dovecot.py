"""The test IMAP server itself: TLS and STARTTLS logins, delivery with a chosen arrival time."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

from imapclient import IMAPClient

from tests.mail.dovecot import Mailbox, unverified_context


def note(subject: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "pat@acme.example"
    msg["To"] = "desk@example.co.uk"
    msg["Subject"] = subject
    msg.set_content("hello")
    return msg.as_bytes()


def test_a_private_dovecot_takes_mail_over_tls_and_starttls(mailbox: Mailbox) -> None:
    at = dt.datetime(2026, 3, 9, 8, 30, tzinfo=dt.UTC)
    mailbox.deliver(note("one"), note("two"), at=at)
    assert len(mailbox.uids()) == 2
    with IMAPClient("127.0.0.1", port=mailbox.server.imap_port, ssl=False, timeout=30) as client:
        client.starttls(unverified_context())
        client.login(mailbox.login, mailbox.password)
        assert b"IDLE" in client.capabilities()
        client.select_folder("INBOX", readonly=True)
        fetched = client.fetch(client.search("ALL"), ["INTERNALDATE"])
        assert {row[b"INTERNALDATE"].astimezone(dt.UTC) for row in fetched.values()} == {at}


def test_each_mailbox_starts_empty(mailbox: Mailbox) -> None:
    assert mailbox.uids() == []
