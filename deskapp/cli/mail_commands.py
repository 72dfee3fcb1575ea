"""`deskapp mail ...` and `deskapp survey ...`: the outbox, the sender and survey answers."""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import peewee as pw

from deskapp.cli import session
from deskapp.cli.arguments import one_of, row_id, seconds, whole
from deskapp.cli.timestamps import format_instant
from deskapp.domain.lifecycle import Role
from deskapp.mail.fetch import PASSWORD_ENV as IMAP_PASSWORD_ENV
from deskapp.mail.fetch import SECURITY as IMAP_SECURITY
from deskapp.mail.fetch import (
    CaFileError,
    FetchError,
    ImapSettings,
    fetch_once,
    imap_password,
    load_imap_settings,
    save_imap_settings,
    short_repr,
    trust_context,
    watch,
)
from deskapp.mail.sender import drain, load_settings
from deskapp.mail.smtp_transport import SECURITY, SendError, password_from_keyring
from deskapp.services import mail_settings, outbox, surveys
from deskapp.services.errors import PermissionDenied, ValidationError
from deskapp.services.inbox import inbox_rows
from deskapp.services.operation import load_staff


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    mail = sub.add_parser("mail", help="messages to resellers: settings, outbox, sending")
    m = mail.add_subparsers(dest="mail_command", required=True, metavar="COMMAND")

    st = m.add_parser("settings", help="show or set the desk's SMTP server (admin to set)")
    st.add_argument("--host")
    st.add_argument("--port", type=whole(1, 65535, "a TCP port"))
    st.add_argument("--security", type=one_of(SECURITY, "--security"), metavar="|".join(SECURITY))
    st.add_argument("--login", help="SMTP login; its password goes in the OS keyring")
    st.add_argument("--sender", help="the From address of the desk's messages")
    st.add_argument("--imap-host", help="the desk's IMAP server (inbound mail)")
    st.add_argument("--imap-port", type=int)
    st.add_argument(
        "--imap-security", type=one_of(IMAP_SECURITY, "--imap-security"), metavar="|".join(IMAP_SECURITY)
    )
    st.add_argument("--imap-login", help=f"IMAP login; its password from the keyring or {IMAP_PASSWORD_ENV}")
    st.add_argument("--imap-folder", help="the folder to read (default INBOX)")
    st.add_argument(
        "--imap-ca-file", metavar="PATH",
        help="trust the IMAP server's certificate(s) in this PEM file (a self-signed server); '' clears",
    )  # fmt: skip
    st.set_defaults(handler=run_settings)

    fetch = m.add_parser("fetch", help="import what is new in the desk's mailbox, once")
    fetch.add_argument(
        "--watch", type=float, metavar="SECONDS", help="keep fetching (IDLE, else every SECONDS)"
    )
    fetch.set_defaults(handler=run_fetch)

    inbox = m.add_parser("inbox", help="inbound messages on no ticket yet")
    inbox.add_argument("--json", action="store_true")
    inbox.set_defaults(handler=run_inbox)

    send = m.add_parser("send", help="send what is due in the outbox")
    send.add_argument("--watch", type=seconds(), metavar="SECONDS", help="keep sending every SECONDS")
    send.set_defaults(handler=run_send)

    box = m.add_parser("outbox", help="list messages, newest first")
    box.add_argument("--status", choices=["pending", "sending", "sent", "failed"])
    box.add_argument("--json", action="store_true")
    box.set_defaults(handler=run_outbox)

    retry = m.add_parser("retry", help="put a failed message back in the queue")
    retry.add_argument("id", type=row_id)
    retry.set_defaults(handler=run_retry)

    number = m.add_parser("ticket-number", help="email a ticket's number to the reseller (the response)")
    number.add_argument("number")
    number.set_defaults(handler=run_ticket_number)

    survey = sub.add_parser("survey", help="satisfaction survey answers")
    s = survey.add_subparsers(dest="survey_command", required=True, metavar="COMMAND")
    ans = s.add_parser("answer", help="record an answer by its survey reference")
    ans.add_argument("ref")
    ans.add_argument("--score", type=whole(1, 5, "a score"), required=True, help="1 (poor) to 5 (excellent)")
    ans.add_argument("--comment", default="")
    ans.set_defaults(handler=run_answer)
    imp = s.add_parser("import", help="import answers from a CSV file (reference,score,comment)")
    imp.add_argument("file")
    imp.set_defaults(handler=run_import)


IMAP_OPTIONS = ("imap_host", "imap_port", "imap_security", "imap_login", "imap_folder", "imap_ca_file")


def run_settings(args: argparse.Namespace) -> int:
    db = session.database(args)
    current = load_settings(db)
    changes = {k: getattr(args, k) for k in ("host", "port", "security", "login", "sender")}
    imap = {k.removeprefix("imap_"): getattr(args, k) for k in IMAP_OPTIONS}
    if not any(v is not None for v in [*changes.values(), *imap.values()]):
        # One JSON document when anything is set (scripts read it): the SMTP fields as
        # before, and the IMAP ones under "imap" (null when no IMAP server is set).
        inbound = load_imap_settings(db)
        if current is None and inbound is None:
            print("no SMTP server set: deskapp --as ADMIN mail settings --host HOST ...")
            print("no IMAP server set: deskapp --as ADMIN mail settings --imap-host HOST ...")
            return 0
        shown: dict[str, Any] = dict(current.__dict__) if current is not None else {"host": None}
        shown["imap"] = asdict(inbound) if inbound is not None else None
        print(json.dumps(shown, indent=2))
        return 0
    actor = session.actor(args, db)
    if load_staff(actor).role != Role.ADMIN.value:
        raise PermissionDenied("only an administrator sets the desk's mail server")
    if any(v is not None for v in imap.values()):
        _save_imap(db, imap)
        if not any(v is not None for v in changes.values()):
            print(f"saved; the IMAP password comes from the OS keyring or {IMAP_PASSWORD_ENV}")
            return 0
    base = current.__dict__ if current else {}
    merged = {**base, **{k: v for k, v in changes.items() if v is not None}}
    if not merged.get("host"):
        raise ValidationError("the SMTP server needs a --host")
    # The same checks as the settings dialog: one service validates and saves.
    mail_settings.set_smtp_settings(
        db, actor, host=merged["host"], port=merged.get("port", 587),
        security=merged.get("security", "starttls"), login=merged.get("login"),
        sender=merged.get("sender", "support@localhost"),
    )  # fmt: skip
    print(
        "saved; keep the password in the OS keyring (deskapp's settings dialog does this), "
        "or set DESKAPP_SMTP_PASSWORD on a machine with no keyring"
    )
    return 0


def _save_imap(db: pw.Database, imap: dict[str, Any]) -> None:
    old = load_imap_settings(db)
    merged = {**(asdict(old) if old else {}), **{k: v for k, v in imap.items() if v is not None}}
    if not (merged.get("host") or "").strip():
        raise ValidationError("the IMAP server needs an --imap-host")
    if imap.get("port") is None and (old is None or imap.get("security") is not None):
        merged["port"] = 993 if merged.get("security", "tls") == "tls" else 143
    if not 1 <= int(merged["port"]) <= 65535:
        raise ValidationError(f"--imap-port {merged['port']} is not a TCP port (1-65535)")
    if not (merged.get("folder") or "INBOX").strip():
        raise ValidationError("--imap-folder is empty: name a folder, e.g. INBOX")
    if imap.get("ca_file") is not None:
        merged["ca_file"] = _ca_file(imap["ca_file"])
    save_imap_settings(db, ImapSettings(**merged))


def _ca_file(given: str) -> str | None:
    """--imap-ca-file: '' clears it; else a readable PEM file, kept as an absolute path
    (`mail fetch` may run from another folder). A refusal quotes what was given."""
    if not given.strip():
        return None
    try:
        path = str(Path(given).expanduser().resolve())
        trust_context(path)
    except (CaFileError, OSError, ValueError, RuntimeError) as exc:
        why = exc.why if isinstance(exc, CaFileError) else "not a usable path"
        raise ValidationError(f"--imap-ca-file {short_repr(given)}: {why}") from None
    return path


def run_fetch(args: argparse.Namespace) -> int:
    db = session.database(args)
    settings = load_imap_settings(db)
    if settings is None:
        raise ValidationError("no IMAP server is set: deskapp --as ADMIN mail settings --imap-host HOST ...")
    clock = session.clock(args, db)
    password = imap_password(settings)
    if args.watch is None:
        try:
            report = fetch_once(db, clock, settings, password)
        except FetchError as exc:
            raise ValidationError(str(exc)) from None
        print(*report.lines(), flush=True)
        return 0
    if args.watch <= 0:
        raise ValidationError(f"--watch {args.watch}: give a number of seconds above 0")
    try:
        watch(db, clock, settings, password, interval=args.watch,
              report=lambda r: print(*r.lines(), flush=True))  # fmt: skip
    except KeyboardInterrupt:
        return 0
    return 0


def run_inbox(args: argparse.Namespace) -> int:
    db = session.database(args)
    rows = inbox_rows(db)
    if args.json:
        print(json.dumps([{
            "id": r.id, "from": r.from_addr, "subject": r.subject,
            "received_at": format_instant(r.received_at), "kind": r.kind, "fields": r.fields,
            "reason": r.reason, "notes": r.notes, "priority": r.priority,
            "response_due": format_instant(r.response_due),
        } for r in rows], indent=2))  # fmt: skip
        return 0
    for r in rows:
        print(f"{r.id:>6}  {format_instant(r.received_at)}  {r.from_addr:<30} {r.subject}")
        print(f"        {r.reason}; as {r.priority} due {format_instant(r.response_due)}")
    if not rows:
        print("the Inbox is empty")
    return 0


# The longest pause `mail send --watch` takes between sends: a day (time.sleep refuses
# much more, and nan or a negative pause, with an error that names nothing).
WATCH_LIMIT = 86_400.0


def run_send(args: argparse.Namespace) -> int:
    if args.watch is not None and args.watch != 0 and not 0 < args.watch <= WATCH_LIMIT:
        raise ValueError(
            f"--watch {args.watch:g}: the seconds between sends are more than 0 and at most {WATCH_LIMIT:g}"
        )
    db = session.database(args)
    settings = load_settings(db)
    if settings is None:
        raise ValidationError("no SMTP server is set: deskapp --as ADMIN mail settings --host HOST ...")
    clock = session.clock(args, db)
    try:
        password = password_from_keyring(settings)
    except SendError as exc:  # no keyring and no DESKAPP_SMTP_PASSWORD: say so, no traceback
        raise ValidationError(str(exc)) from None
    while True:
        report = drain(db, clock, settings, password)
        print(*report.lines(), flush=True)
        if not args.watch:
            return 1 if report.failed else 0
        try:
            time.sleep(args.watch)
        except KeyboardInterrupt:
            return 0


def run_outbox(args: argparse.Namespace) -> int:
    db = session.database(args)
    rows = outbox.outbox_rows(db, status=args.status)
    if args.json:
        print(json.dumps([{
            "id": r.id, "ticket": r.number, "kind": r.kind, "to": r.recipient, "subject": r.subject,
            "status": r.status, "attempts": r.attempts, "created_at": format_instant(r.created_at),
            "next_attempt_at": format_instant(r.next_attempt_at), "sent_at": format_instant(r.sent_at),
            "last_error": r.last_error,
        } for r in rows], indent=2))  # fmt: skip
        return 0
    for r in rows:
        error = f"  ({r.last_error})" if r.last_error else ""
        print(f"{r.id:>6}  {r.status:<8} {r.number or '-':<11} {r.kind:<14} {r.recipient}{error}")
    if not rows:
        print("the outbox is empty")
    return 0


def run_retry(args: argparse.Namespace) -> int:
    db = session.database(args)
    outbox.retry(db, session.clock(args, db), session.actor(args, db), args.id)
    print(f"message {args.id} will go at the next send")
    return 0


def run_ticket_number(args: argparse.Namespace) -> int:
    db = session.database(args)
    ticket = outbox.queue_ticket_number(
        db, session.clock(args, db), session.actor(args, db), args.number, policy=session.policy(args)
    )
    print(f"{ticket.number}: the ticket number is queued; the response is recorded when it is sent")
    return 0


def run_answer(args: argparse.Namespace) -> int:
    db = session.database(args)
    clock, actor = session.clock(args, db), session.actor(args, db)
    ticket = surveys.answer_by_ref(db, clock, actor, args.ref, score=args.score, comment=args.comment)
    print(f"{ticket.number}: survey answer recorded ({args.score}/5)")
    return 0


def run_import(args: argparse.Namespace) -> int:
    db = session.database(args)
    result = surveys.import_csv(db, session.clock(args, db), session.actor(args, db), args.file)
    print(*result.lines(), sep="\n")
    return 1 if result.errors else 0
