"""`deskapp mail ...` and `deskapp survey ...`: the outbox, the sender and survey answers."""

from __future__ import annotations

import argparse
import json
import time

from deskapp.cli import session
from deskapp.cli.timestamps import format_instant
from deskapp.domain.lifecycle import Role
from deskapp.mail.sender import drain, load_settings, save_settings
from deskapp.mail.smtp_transport import SECURITY, SmtpSettings, password_from_keyring
from deskapp.services import outbox, surveys
from deskapp.services.errors import PermissionDenied, ValidationError
from deskapp.services.operation import load_staff


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    mail = sub.add_parser("mail", help="messages to resellers: settings, outbox, sending")
    m = mail.add_subparsers(dest="mail_command", required=True, metavar="COMMAND")

    st = m.add_parser("settings", help="show or set the desk's SMTP server (admin to set)")
    st.add_argument("--host")
    st.add_argument("--port", type=int)
    st.add_argument("--security", choices=SECURITY)
    st.add_argument("--login", help="SMTP login; its password goes in the OS keyring")
    st.add_argument("--sender", help="the From address of the desk's messages")
    st.set_defaults(handler=run_settings)

    send = m.add_parser("send", help="send what is due in the outbox")
    send.add_argument("--watch", type=float, metavar="SECONDS", help="keep sending every SECONDS")
    send.set_defaults(handler=run_send)

    box = m.add_parser("outbox", help="list messages, newest first")
    box.add_argument("--status", choices=["pending", "sending", "sent", "failed"])
    box.add_argument("--json", action="store_true")
    box.set_defaults(handler=run_outbox)

    retry = m.add_parser("retry", help="put a failed message back in the queue")
    retry.add_argument("id", type=int)
    retry.set_defaults(handler=run_retry)

    number = m.add_parser("ticket-number", help="email a ticket's number to the reseller (the response)")
    number.add_argument("number")
    number.set_defaults(handler=run_ticket_number)

    survey = sub.add_parser("survey", help="satisfaction survey answers")
    s = survey.add_subparsers(dest="survey_command", required=True, metavar="COMMAND")
    ans = s.add_parser("answer", help="record an answer by its survey reference")
    ans.add_argument("ref")
    ans.add_argument("--score", type=int, required=True, help="1 (poor) to 5 (excellent)")
    ans.add_argument("--comment", default="")
    ans.set_defaults(handler=run_answer)
    imp = s.add_parser("import", help="import answers from a CSV file (reference,score,comment)")
    imp.add_argument("file")
    imp.set_defaults(handler=run_import)


def run_settings(args: argparse.Namespace) -> int:
    db = session.database(args)
    current = load_settings(db)
    changes = {k: getattr(args, k) for k in ("host", "port", "security", "login", "sender")}
    if not any(v is not None for v in changes.values()):
        if current is None:
            print("no SMTP server set: deskapp --as ADMIN mail settings --host HOST ...")
        else:
            print(json.dumps(current.__dict__, indent=2))
        return 0
    login = session.actor(args, db)
    if load_staff(login).role != Role.ADMIN.value:
        raise PermissionDenied("only an administrator sets the desk's mail server")
    base = current.__dict__ if current else {}
    merged = {**base, **{k: v for k, v in changes.items() if v is not None}}
    if not merged.get("host"):
        raise ValidationError("the SMTP server needs a --host")
    save_settings(db, SmtpSettings(**merged))
    print("saved; keep the password in the OS keyring (deskapp's settings dialog does this)")
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
    password = password_from_keyring(settings)
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
    ticket = outbox.queue_ticket_number(db, session.clock(args, db), session.actor(args, db), args.number)
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
