"""Drain the outbox over SMTP: each message exactly once, retried with backoff.

    drain(db, clock, settings, password, *, worker, limit=50) -> DrainReport

Several workstations may drain at once. A message is claimed by one
conditional UPDATE (pending and due -> sending, stamped with the worker and a
claim expiry); only the worker whose UPDATE changed the row sends it. A
message whose sender died mid-claim becomes claimable again when the claim
expires, so nothing is lost; in that one case (sent, then the worker died
before saying so) the reseller may get it twice, with the same Message-ID.

A failure the server may get over (down, busy, timed out) goes back to
pending with a growing delay; a refusal that retrying cannot fix, or the
last attempt, marks it failed, shown in the outbox with a retry button.
A delivered message that carries the ticket number (the ticket-number mail, or
any other that quotes it) records the response at the moment it was sent, if
none was recorded and the ticket is not closed; delivered surveys mark the
survey sent.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, cast

import peewee as pw

from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import MAILER_ACTOR
from deskapp.mail.smtp_transport import SendError, SmtpSettings, build_message, send, sender_domain
from deskapp.store.change_feed import announce
from deskapp.store.connection import is_sqlite, use, write_transaction
from deskapp.store.fields import to_utc
from deskapp.store.models import History, Message, Meta, Outbox, Ticket
from deskapp.store.step_context import say_step, writes_history

CLAIM = dt.timedelta(minutes=5)
BACKOFF = (
    dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=15),
    dt.timedelta(hours=1), dt.timedelta(hours=4),
)  # fmt: skip
MAX_ATTEMPTS = len(BACKOFF) + 1
SMTP_KEY = "smtp"

Transport = Callable[[SmtpSettings, EmailMessage, "str | None"], None]


@dataclass
class DrainReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"sent {len(self.sent)}, to retry {len(self.retrying)}, failed {len(self.failed)}"]


def default_worker() -> str:
    return socket.gethostname()


def _claimable(now: dt.datetime) -> Any:
    return ((Outbox.status == "pending") & (Outbox.next_attempt_at <= now)) | (
        (Outbox.status == "sending") & (Outbox.claimed_until < now)
    )


def drain(
    db: pw.Database, clock: Clock, settings: SmtpSettings, password: str | None, *,
    worker: str | None = None, limit: int = 50, transport: Transport = send,
) -> DrainReport:  # fmt: skip
    use(db)
    worker = worker or default_worker()
    report = DrainReport()
    now = clock.now()
    due = Outbox.select(Outbox.id).where(_claimable(now)).order_by(Outbox.id).limit(limit)
    for message_id in [int(row[0]) for row in cast(Iterable[tuple[Any, ...]], due.tuples())]:
        now = clock.now()
        with write_transaction(db):
            claimed = (
                Outbox.update(
                    status="sending", claimed_by=worker, claimed_until=now + CLAIM,
                    attempts=Outbox.attempts + 1,
                )
                .where(Outbox.id == message_id, _claimable(now))
                .execute()
            )  # fmt: skip
            if claimed == 1:
                _own_domain(message_id, settings)
        if claimed != 1:
            continue  # another workstation has it
        message = Outbox.get_by_id(message_id)
        email = compose(settings, message)
        try:
            transport(settings, email, password)
        except SendError as exc:
            _failed(message, worker, clock.now(), exc, report)
        else:
            _delivered(message, worker, clock.now(), report)
    return report


# Messages a person writes; the rest are notices (Auto-Submitted: auto-generated).
WRITTEN_KINDS = frozenset({"reply"})
THREAD_DEPTH = 10


def compose(settings: SmtpSettings, message: Outbox) -> EmailMessage:
    """The message exactly as the reseller receives it (also the composer's preview):
    threaded on the ticket's earlier messages, dated when it was queued, so every
    retry is the same message."""
    in_reply_to, references = thread_of(message)
    return build_message(
        settings, str(message.recipient), str(message.subject), str(message.body),
        str(message.message_id), date=to_utc(message.created_at), in_reply_to=in_reply_to,
        references=references, automatic=message.kind not in WRITTEN_KINDS,
    )  # fmt: skip


def thread_of(message: Outbox) -> tuple[str | None, list[str]]:
    """In-Reply-To and References: the ticket's first message (the thread's root) and
    the latest ones before this, ours and the reseller's, oldest first; so an answer
    sits under the reseller's own mail in their client."""
    ticket_id = message.ticket_id  # type: ignore[attr-defined]
    if ticket_id is None:
        return None, []
    ours = Outbox.select(Outbox.created_at, Outbox.message_id).where(
        Outbox.ticket == ticket_id, Outbox.id < message.id
    )
    theirs = Message.select(Message.received_at, Message.message_id).where(
        Message.ticket == ticket_id, Message.direction == "in", Message.received_at.is_null(False),
        Message.received_at <= message.created_at, Message.kind.not_in(("auto_reply", "bounce")),
    )  # fmt: skip
    moments: list[tuple[dt.datetime, int, int, str]] = []
    queries: tuple[Any, Any] = (ours.order_by(Outbox.id), theirs.order_by(Message.id))
    for rank, query in enumerate(queries):
        for seq, (at, ident) in enumerate(cast(Iterable[tuple[Any, ...]], query.tuples())):
            moment = to_utc(at)
            assert moment is not None
            moments.append((moment, rank, seq, str(ident)))  # ties: ours first, in queue order
    earlier = list(dict.fromkeys(ident for *_, ident in sorted(moments)))
    if not earlier:
        return None, []
    chain = earlier if len(earlier) <= THREAD_DEPTH else [earlier[0], *earlier[-(THREAD_DEPTH - 1) :]]
    return chain[-1], chain


def _own_domain(message_id: int, settings: SmtpSettings) -> None:
    """Before its first attempt a message takes a Message-ID in the sender's domain (it
    may have been queued before the mail server was set); from then on it never changes."""
    row = Outbox.get_by_id(message_id)
    domain = sender_domain(settings)
    local, _, current = str(row.message_id).strip("<>").rpartition("@")
    if row.attempts == 1 and current != domain:
        Outbox.update(message_id=f"<{local}@{domain}>").where(Outbox.id == message_id).execute()


def _failed(message: Outbox, worker: str, now: dt.datetime, exc: SendError, report: DrainReport) -> None:
    final = exc.permanent or message.attempts >= MAX_ATTEMPTS
    changes: dict[Any, Any] = {Outbox.last_error: str(exc), Outbox.claimed_until: None}
    if final:
        changes[Outbox.status] = "failed"
        report.failed.append(message.id)
    else:
        changes[Outbox.status] = "pending"
        changes[Outbox.next_attempt_at] = now + BACKOFF[min(message.attempts, len(BACKOFF)) - 1]
        report.retrying.append(message.id)
    Outbox.update(changes).where(
        Outbox.id == message.id, Outbox.claimed_by == worker, Outbox.status == "sending"
    ).execute()


def _delivered(message: Outbox, worker: str, now: dt.datetime, report: DrainReport) -> None:
    db = Outbox._meta.database
    with write_transaction(db):
        done = (
            Outbox.update(status="sent", sent_at=now, claimed_until=None, last_error=None)
            .where(Outbox.id == message.id, Outbox.claimed_by == worker, Outbox.status == "sending")
            .execute()
        )
        if done != 1 or message.ticket_id is None:  # type: ignore[attr-defined]
            report.sent.append(message.id)
            return
        ticket_id = message.ticket_id  # type: ignore[attr-defined]
        # The ticket as it stands, locked until the commit (SQLite's write lock is held
        # already), so what this records is decided on the version it raises.
        query = Ticket.select().where(Ticket.id == ticket_id)
        ticket = (query if is_sqlite(db) else query.for_update()).get()
        note = f"{message.kind.replace('_', ' ')} emailed to {message.recipient}"
        kind = "message_sent"
        # A message sent is a change of its ticket like any other: it raises the version
        # (each version is one history event), so a person's save made meanwhile is
        # refused as a conflict naming the mailer, and a conflict after it names its author.
        changes: dict[Any, Any] = {Ticket.version: Ticket.version + 1, Ticket.updated_at: now}
        if carries_number(message, ticket_id) and ticket.responded_at is None and ticket.status != "closed":
            # The reseller now knows the number: that is the response (contract step 2),
            # whichever message told it, in any status before closure.
            changes[Ticket.responded_at] = now
            how = "" if message.kind == "ticket_number" else f" in the {message.kind.replace('_', ' ')}"
            note = f"reseller told the ticket number by email{how} ({message.recipient})"
            kind = "notified"
        if message.kind == "survey" and ticket.survey_status == "to_send":
            changes[Ticket.survey_status] = "sent"
            changes[Ticket.survey_sent_at] = now
        if message.kind == "survey":
            kind = "survey_sent"
        say_step(db, actor=MAILER_ACTOR, kind=kind, note=note, now=now)
        Ticket.update(changes).where(Ticket.id == ticket_id, Ticket.version == ticket.version).execute()
        announce(db, [str(ticket.number)])
        if not writes_history(db):
            History.create(
                ticket=ticket_id, at=now, actor=MAILER_ACTOR, kind=kind, from_status=ticket.status,
                to_status=ticket.status, from_tier=ticket.tier, to_tier=ticket.tier, note=note,
            )  # fmt: skip
    report.sent.append(message.id)


def carries_number(message: Outbox, ticket_id: int) -> bool:
    """Whether a message tells its ticket's number (in its subject or its body)."""
    number = Ticket.select(Ticket.number).where(Ticket.id == ticket_id).scalar()
    return bool(number) and (number in message.subject or number in message.body)


# --- the desk's SMTP settings (shared by every workstation; the password is in the keyring) ---


def load_settings(db: pw.Database) -> SmtpSettings | None:
    use(db)
    row = Meta.get_or_none(Meta.key == SMTP_KEY)
    if row is None:
        return None
    try:
        data = json.loads(str(row.value))
        return SmtpSettings(**data)
    except (ValueError, TypeError) as exc:  # a hand-edited or damaged row
        raise ValueError(f"the desk's stored SMTP settings ({SMTP_KEY!r}) cannot be used: {exc}") from None


def save_settings(db: pw.Database, settings: SmtpSettings) -> None:
    use(db)
    value = json.dumps({
        "host": settings.host, "port": settings.port, "security": settings.security,
        "login": settings.login, "sender": settings.sender, "timeout": settings.timeout,
    })  # fmt: skip
    with write_transaction(db):
        Meta.insert(key=SMTP_KEY, value=value).on_conflict(
            conflict_target=[Meta.key], update={Meta.value: value}
        ).execute()
