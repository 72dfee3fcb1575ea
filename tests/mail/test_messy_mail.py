"""Whatever arrives is imported, never dropped and never a traceback: HTML-only mail
as text, unknown charsets and malformed MIME with a note, attachments in the
database (over the policy's limit: a note instead). Read from Dovecot."""

from __future__ import annotations

from email.message import EmailMessage

from deskapp import services as sv
from deskapp.domain.policy import default_policy
from deskapp.mail.fetch import fetch_once
from deskapp.services import inbox
from deskapp.store.models import Attachment, Message, Ticket
from tests.desk_setup import Desk
from tests.mail.dovecot import Mailbox
from tests.mail.letters import settings_for


def fetch(desk: Desk, mailbox: Mailbox, *raw: bytes) -> list[Message]:
    mailbox.deliver(*raw)
    report = fetch_once(desk.db, desk.clock, settings_for(mailbox), mailbox.password, worker="ws1")
    return [Message.get_by_id(i) for i in report.imported]


def raw(headers: str, body: str) -> bytes:
    return (headers.strip() + "\n\n" + body).replace("\n", "\r\n").encode("latin-1")


HEAD = "From: pat@acme.example\nTo: desk@example.co.uk\nMessage-ID: <{0}@acme.example>\nSubject: {0}\n"


def test_html_only_mail_is_shown_as_text(desk: Desk, mailbox: Mailbox) -> None:
    page = "<html><head><style>p{}</style></head><body><p>Hello &amp; welcome</p><ul><li>one</li></ul>"
    (m,) = fetch(desk, mailbox, raw(HEAD.format("html") + "MIME-Version: 1.0\nContent-Type: text/html", page))
    assert m.text == "Hello & welcome\n\n- one"
    assert "only HTML" in m.notes


def test_an_unknown_charset_and_broken_mime_are_imported_with_a_note(desk: Desk, mailbox: Mailbox) -> None:
    unknown = raw(HEAD.format("charset") + 'Content-Type: text/plain; charset="x-klingon"', "caf\xe9 ok")
    broken = raw(
        HEAD.format("broken") + 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="XYZ"',
        "--XYZ\nContent-Type: text/plain\n\nthe text survives\n",  # no closing boundary
    )
    first, second = fetch(desk, mailbox, unknown, broken)
    assert "x-klingon" in first.notes and first.text.startswith("caf")
    assert "the text survives" in second.text and "malformed MIME" in second.notes


def test_attachments_are_stored_in_the_database_and_oversized_ones_noted(
    desk: Desk, mailbox: Mailbox
) -> None:
    limit = default_policy().max_attachment_bytes
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "pat@acme.example", "desk@example.co.uk", "screens"
    msg["Message-ID"] = "<att@acme.example>"
    msg.set_content("two screenshots")
    msg.add_attachment(b"\x89PNG small", maintype="image", subtype="png", filename="error.png")
    msg.add_attachment(b"x" * (limit + 1), maintype="application", subtype="zip", filename="logs.zip")
    (m,) = fetch(desk, mailbox, msg.as_bytes())
    small, big = Attachment.select().where(Attachment.message == m.id).order_by(Attachment.id)
    assert small.data is not None
    assert (small.name, small.content_type, bytes(small.data)) == ("error.png", "image/png", b"\x89PNG small")
    assert big.name == "logs.zip" and big.data is None and big.size == limit + 1
    assert "over the limit" in big.note and "logs.zip" in m.notes
    assert m.text == "two screenshots"


def test_a_person_attaches_or_discards_an_inbox_message(desk: Desk, mailbox: Mailbox) -> None:
    t = desk.log(email="pat@acme.example", phone=None)
    sv.assign(desk.db, desk.clock, "tina", t.number, engineer="tina")
    t = sv.request_info(desk.db, desk.clock, "tina", t.number)
    loose, junk = fetch(
        desk, mailbox,
        raw(HEAD.format("about-the-mailbox").replace("pat@acme.example", "pat@home.example"), "sales@"),
        raw(HEAD.format("spam").replace("pat@acme.example", "win@prize.example"), "you won"),
    )  # fmt: skip
    assert [r.id for r in inbox.inbox_rows(desk.db)] == [loose.id, junk.id]
    inbox.attach(desk.db, desk.clock, "tina", loose.id, t.number)
    assert Ticket.get_by_id(t.id).status == "in_progress", "attached, it counts as the reply"
    inbox.discard(desk.db, desk.clock, "tina", junk.id, reason="spam")
    kept = Message.get_by_id(junk.id)
    assert (kept.inbox_state, kept.inbox_by) == ("discarded", "tina") and "spam" in str(kept.inbox_reason)
    assert inbox.inbox_rows(desk.db) == []
