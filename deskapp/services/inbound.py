"""Inbound mail: import one message exactly once, and what it does to its ticket.

    import_message(db, clock, raw, *, received_at, source=None, policy=None) -> Imported
    import_batch(db, clock, items, *, mailbox, uidvalidity, holder, policy=None) -> list[Imported]

`source` (an `ImapSource`: mailbox, UIDVALIDITY, UID and the lease holder)
says where the message was read. In ONE transaction: the reading position
moves (only while the holder holds the desk's lease), the message row is
written (a second copy, by Message-ID or by UIDVALIDITY/UID, writes nothing),
its attachments are stored, and the step it drives is taken:

- a reply on a ticket awaiting information records "information received";
- a reply to a resolution that confirms or refuses records confirm or reject;
- any other reply to a resolved ticket flags it for its engineer;
- a reply on another open ticket is recorded in its history;
- automatic replies and bounces change no ticket's state (a bounce marks the
  outgoing message failed with the server's reason).

A message joins a ticket (by a ticket number in its subject, or by
In-Reply-To/References naming one of the desk's messages) only when its sender
belongs to that ticket's reseller; otherwise it waits in the Inbox
(`deskapp.services.inbox`).

`import_batch` imports several messages of one folder in ONE transaction (the
fetcher's way: a commit per batch, not per message, is what a PostgreSQL desk's
throughput depends on): the reading position moves to the batch's last UID in
the same commit as their rows, so a crash loses the whole batch or none of it,
and the server is told only after that commit. Messages are parsed before the
transaction begins, so the write lock is held only for the writes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import peewee as pw

from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import Action, DeskError, Status
from deskapp.domain.policy import Policy, default_policy
from deskapp.mail import lease
from deskapp.mail.incident_form import read_form
from deskapp.mail.parse import Bounce, Parsed, parse_message
from deskapp.mail.thread import reply_intent, sender_belongs, ticket_numbers
from deskapp.services.operation import MAIL_ACTOR, ticket_operation
from deskapp.store.change_feed import announce
from deskapp.store.connection import use, write_transaction
from deskapp.store.models import Attachment, Contact, Message, Outbox, Reseller, Ticket

WAITING = "waiting"


@dataclass(frozen=True)
class ImapSource:
    mailbox: str  # login@host/folder
    uidvalidity: int
    uid: int
    holder: str  # the lease holder importing it


@dataclass(frozen=True)
class Imported:
    message_id: int | None  # the row (None: a copy of one already imported)
    duplicate: bool
    kind: str = ""
    ticket: str | None = None  # the ticket number it joined
    step: str = ""  # what it did: info_received, confirmed, rejected, flagged, noted, ...


@dataclass(frozen=True)
class Incoming:
    """One message as the fetcher read it from the folder."""

    uid: int
    raw: bytes
    received_at: dt.datetime | None  # when it reached the mailbox (INTERNALDATE)


def import_message(
    db: pw.Database, clock: Clock, raw: bytes, *, received_at: dt.datetime | None,
    source: ImapSource | None = None, policy: Policy | None = None,
) -> Imported:  # fmt: skip
    use(db)
    policy = policy or default_policy()
    parsed = parse_message(raw, max_attachment_bytes=policy.max_attachment_bytes)
    now = clock.now()
    with write_transaction(db):
        if source is not None:
            lease.fence(source.holder, now, source.mailbox, source.uidvalidity, source.uid)
        return _import_parsed(db, clock, parsed, now, received_at or now, source, policy)


def import_batch(
    db: pw.Database, clock: Clock, items: Sequence[Incoming], *, mailbox: str, uidvalidity: int,
    holder: str, policy: Policy | None = None,
) -> list[Imported]:  # fmt: skip
    """Import `items` (UIDs of one folder, ascending) in one transaction, each once."""
    if not items:
        return []
    use(db)
    policy = policy or default_policy()
    limit = policy.max_attachment_bytes
    parsed = [parse_message(item.raw, max_attachment_bytes=limit) for item in items]
    now = clock.now()
    with write_transaction(db):
        lease.fence(holder, now, mailbox, uidvalidity, max(item.uid for item in items))
        results = []
        for item, one in zip(items, parsed, strict=True):
            source = ImapSource(mailbox, uidvalidity, item.uid, holder)
            results.append(_import_parsed(db, clock, one, now, item.received_at or now, source, policy))
        return results


def _import_parsed(
    db: pw.Database, clock: Clock, parsed: Parsed, now: dt.datetime, received_at: dt.datetime,
    source: ImapSource | None, policy: Policy,
) -> Imported:  # fmt: skip
    """Write one parsed message and take the step it drives, in the caller's transaction.
    A message that joins no ticket (most of a busy mailbox) is written as it will stay,
    in one statement; one that joins a ticket or is a bounce is routed once written."""
    destination = None if parsed.bounce is not None else _destination(parsed)
    staying = None if destination is None else _stays_unjoined(parsed, destination, now)
    row = _insert(parsed, now, received_at, source, staying[1] if staying else {})
    if row is None:
        return Imported(None, True)
    _store_attachments(row, parsed)
    if staying is not None:
        kind, _values, step = staying
        return Imported(row.id, False, kind, None, step)
    kind, number, step = _route(db, clock, row, parsed, policy, destination)
    return Imported(row.id, False, kind, number, step)


def _insert(
    parsed: Parsed, now: dt.datetime, received_at: dt.datetime, source: ImapSource | None,
    placed: dict[str, Any],
) -> Message | None:  # fmt: skip
    values: dict[str, Any] = {
        "direction": "in", "kind": "other", "message_id": parsed.message_id[:500],
        "in_reply_to": parsed.in_reply_to, "refs": " ".join(parsed.references) or None,
        "from_addr": parsed.from_addr[:254], "from_header": parsed.from_header, "to_addr": parsed.to,
        "subject": parsed.subject, "text": parsed.text, "notes": "\n".join(parsed.notes),
        "status": "received", "created_at": now, "dated_at": parsed.dated_at,
        "received_at": received_at, "size": parsed.size,
    }  # fmt: skip
    if source is not None:
        values |= {
            "imap_mailbox": source.mailbox, "imap_uidvalidity": source.uidvalidity,
            "imap_uid": source.uid,
        }  # fmt: skip
    values |= placed  # where it stays when it joins no ticket
    # Either unique key (direction + Message-ID, or mailbox + UIDVALIDITY + UID) makes a
    # second copy a no-op; on PostgreSQL a concurrent insert of the same key waits for
    # the first to commit, then does nothing.
    # RETURNING names the new row, and nothing when the insert was ignored (SQLite's
    # last rowid would name an older row then), so no second query reads it back.
    inserted = list(Message.insert(values).on_conflict_ignore().returning(Message.id).tuples().execute())
    if not inserted:
        return None
    return Message(id=int(inserted[0][0]), **values)  # what was stored, never saved again


def _store_attachments(row: Message, parsed: Parsed) -> None:
    for item in parsed.attachments:
        Attachment.create(
            message=row.id, name=item.name[:500], content_type=item.content_type[:200],
            size=item.size, data=item.data, note=item.note,
        )  # fmt: skip


# --- where it goes ---------------------------------------------------------------------


Destination = tuple["Ticket | None", list[str]]  # the ticket it joins; those it names but may not


def _destination(parsed: Parsed) -> Destination:
    """The ticket the message joins (its sender belongs to the ticket's reseller), and
    why each other ticket it names was refused."""
    joined: Ticket | None = None
    refused: list[str] = []
    for ticket in _candidate_tickets(parsed):
        if _belongs(parsed.from_addr, ticket):
            joined = ticket
            break
        refused.append(f"{ticket.number} belongs to {ticket.reseller.name}")
    return joined, refused


def _stays_unjoined(
    parsed: Parsed, destination: Destination, now: dt.datetime
) -> tuple[str, dict[str, Any], str] | None:
    """For a message that joins no ticket: its kind, the row's values (in the Inbox, or
    discarded when automatic) and the step's name; None when it joins a ticket."""
    joined, refused = destination
    if joined is not None:
        return None
    if parsed.auto_reply is not None:
        reason = f"an automatic reply ({parsed.auto_reply}): changes nothing"
        values = {"kind": "auto_reply", "inbox_state": "discarded", "inbox_reason": reason,
                  "inbox_by": MAIL_ACTOR, "inbox_at": now}  # fmt: skip
        return "auto_reply", values, "discarded"
    form = read_form(parsed.subject, parsed.text)
    if refused:
        reason = f"{'; '.join(refused)}, and {parsed.from_addr or 'the sender'} is not one of its addresses"
    elif form is not None:
        reason = "a new incident in the desk's format"
    else:
        reason = "names no ticket of the desk"
    if form is not None:
        notes = "\n".join(filter(None, ["\n".join(parsed.notes), *form.notes]))
        values = {"kind": "incident", "inbox_state": WAITING, "inbox_reason": reason,
                  "fields": json.dumps(form.fields, sort_keys=True), "notes": notes}  # fmt: skip
        return "incident", values, "inbox"
    return "other", {"kind": "other", "inbox_state": WAITING, "inbox_reason": reason}, "inbox"


def _route(
    db: pw.Database, clock: Clock, row: Message, parsed: Parsed, policy: Policy,
    destination: Destination | None = None,
) -> tuple[str, str | None, str]:  # fmt: skip
    """A written message that is a bounce or joins a ticket: the step it takes there."""
    if parsed.bounce is not None:
        return _bounced(row, parsed.bounce)
    joined, _refused = destination or _destination(parsed)
    if joined is None:  # written in the Inbox already (`_stays_unjoined`)
        return str(row.kind), None, "inbox" if row.inbox_state == WAITING else "discarded"
    if parsed.auto_reply is not None:
        kind = "auto_reply"
        reason = f"an automatic reply ({parsed.auto_reply}): changes nothing"
        _set(row, kind=kind, ticket=joined.id, inbox_reason=reason)
        announce(db, [str(joined.number)])
        return kind, str(joined.number), "ignored"
    _set(row, kind="reply", ticket=joined.id)
    step = take_reply_step(db, clock, MAIL_ACTOR, row, joined, policy, system=True)
    return "reply", str(joined.number), step


def _set(row: Message, **values: Any) -> None:
    Message.update(values).where(Message.id == row.id).execute()
    for key, value in values.items():
        setattr(row, key if key != "ticket" else "ticket_id", value)


def _candidate_tickets(parsed: Parsed) -> list[Ticket]:
    """Tickets the message names: by our Message-IDs in In-Reply-To/References first
    (the surer sign), then by ticket numbers in the subject."""
    ids = [i for i in [parsed.in_reply_to, *reversed(parsed.references)] if i]
    found: list[int] = []
    if ids:
        for model in (Message, Outbox):
            query = model.select(model.ticket).where(model.message_id.in_(ids), model.ticket.is_null(False))
            found.extend(int(values[0]) for values in cast(Iterable[tuple[Any, ...]], query.tuples()))
    tickets: list[Ticket] = []
    for ident in dict.fromkeys(found):
        tickets.append(Ticket.get_by_id(ident))
    numbers = ticket_numbers(parsed.subject)
    if numbers:
        known = {t.id for t in tickets}
        tickets.extend(t for t in Ticket.select().where(Ticket.number.in_(numbers)) if t.id not in known)
    return tickets


def _belongs(address: str, ticket: Ticket) -> bool:
    reseller: Reseller = ticket.reseller
    known = [str(ticket.contact_email or "")]
    known += [
        str(c.email) for c in Contact.select(Contact.email).where(Contact.reseller == reseller.id) if c.email
    ]
    return sender_belongs(address, known, reseller.email)


def _bounced(row: Message, bounce: Bounce) -> tuple[str, str | None, str]:
    """Mark the outgoing message failed with the server's reason; no ticket changes state."""
    reason = bounce.reason[:2000] or "delivery failed"
    if bounce.recipient:
        reason = f"{bounce.recipient}: {reason}"
    ticket_id: int | None = None
    for ident in bounce.message_ids:
        for out in Outbox.select().where(Outbox.message_id == ident):
            Outbox.update(status="failed", last_error=f"bounced: {reason}", claimed_until=None).where(
                Outbox.id == out.id
            ).execute()
            ticket_id = ticket_id or getattr(out, "ticket_id", None)
        for sent in Message.select().where(Message.direction == "out", Message.message_id == ident):
            Message.update(status="failed", error=f"bounced: {reason}").where(Message.id == sent.id).execute()
            ticket_id = ticket_id or sent.ticket_id
    if ticket_id is None:
        _set(row, kind="bounce", inbox_state="discarded", inbox_by=MAIL_ACTOR, inbox_at=row.created_at,
             inbox_reason=f"a bounce for no message of the desk: {reason}")  # fmt: skip
        return "bounce", None, "discarded"
    _set(row, kind="bounce", ticket=ticket_id, inbox_reason=f"bounce: {reason}")
    number = str(Ticket.get_by_id(ticket_id).number)
    announce(Message._meta.database, [number])
    return "bounce", number, "marked_failed"


# --- the step a reply takes -------------------------------------------------------------


def take_reply_step(
    db: pw.Database, clock: Clock, actor: str, row: Message, ticket: Ticket, policy: Policy, *,
    system: bool,
) -> str:  # fmt: skip
    """What a reseller's reply on `ticket` does, in the caller's transaction; returns
    the step's name. The message is the step's evidence (named in its history)."""
    status = Status(ticket.status)
    who = row.from_addr or "the reseller"
    evidence = f"email from {who} (message {row.id}: {row.subject!r})"
    number = str(ticket.number)
    if status == Status.AWAITING_INFO:
        return _step(db, clock, actor, number, Action.INFO_RECEIVED, "info_received",
                     f"information received by {evidence}", policy, system, _waiting_cleared())  # fmt: skip
    if status == Status.RESOLVED:
        intent = reply_intent(row.text)
        if intent == "confirm":
            return _step(db, clock, actor, number, Action.CONFIRM, "confirmed",
                         f"reseller confirmed the resolution by {evidence}", policy, system, {})  # fmt: skip
        if intent == "refuse":
            return _reject(db, clock, actor, number, evidence, policy, system)
        return _step(db, clock, actor, number, Action.NOTE, "reply_flagged",
                     f"reply to the resolved ticket by {evidence}: flagged for its engineer",
                     policy, system, {"engineer_flagged_at": clock.now()})  # fmt: skip
    return _step(db, clock, actor, number, Action.NOTE, "reply_received",
                 f"reply received by {evidence}", policy, system, {})  # fmt: skip


def _waiting_cleared() -> dict[str, Any]:
    from deskapp.services.work import WAIT_CLEARED

    return dict(WAIT_CLEARED)


def _step(
    db: pw.Database, clock: Clock, actor: str, number: str, action: Action, kind: str, note: str,
    policy: Policy, system: bool, fields: dict[str, Any],
) -> str:  # fmt: skip
    with ticket_operation(db, clock, actor, number, action, None, policy, system=system) as op:
        op.write(kind, note, **fields)
    return kind


def _reject(
    db: pw.Database, clock: Clock, actor: str, number: str, evidence: str, policy: Policy, system: bool
) -> str:
    """A refusal by reply escalates as the contract says (`services.resolution.reject`);
    one that cannot be applied by itself (Tier 3 needs a provider) flags the engineer."""
    from deskapp.services.resolution import reject

    try:
        with db.atomic():
            if system:
                _system_reject(db, clock, number, evidence, policy)
            else:
                reject(db, clock, actor, number, note=f"reseller refused the resolution by {evidence}",
                       policy=policy)  # fmt: skip
        return "rejected"
    except DeskError as exc:
        return _step(db, clock, actor, number, Action.NOTE, "reply_flagged",
                     f"reseller refused the resolution by {evidence}, but it could not be "
                     f"recorded by itself ({exc}): flagged for its engineer",
                     policy, system, {"engineer_flagged_at": clock.now()})  # fmt: skip


def _system_reject(db: pw.Database, clock: Clock, number: str, evidence: str, policy: Policy) -> None:
    from deskapp.services.resolution import reject_in

    with ticket_operation(db, clock, MAIL_ACTOR, number, Action.REJECT, None, policy, system=True) as op:
        reject_in(op, f"reseller refused the resolution by {evidence}")
