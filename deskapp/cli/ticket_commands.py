"""`deskapp ticket log|<step>|show|list`: the process from a shell, JSON for machines."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import Any

import peewee as pw

from deskapp import services as sv
from deskapp.cli import session
from deskapp.cli.arguments import DB_INT_MAX, whole
from deskapp.cli.terminal import printable
from deskapp.cli.timestamps import format_instant, parse_instant
from deskapp.domain.clock import Clock
from deskapp.domain.lifecycle import Status
from deskapp.domain.local_time import person_text
from deskapp.services.conversation import conversation
from deskapp.services.duplicates import duplicate, similar_open_tickets
from deskapp.services.operation import engine_for
from deskapp.services.priority import reprioritise
from deskapp.services.queue import TicketDetail
from deskapp.services.warnings import ticket_warnings
from deskapp.store.models import Ticket

STEPS = (
    "notify", "assign", "request-info", "info-received", "chaser-sent", "agree-update",
    "escalate", "third-party-update", "resolve", "confirm", "reject", "reopen", "note",
    "clear-lead-flag",
)  # fmt: skip


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ticket = sub.add_parser("ticket", help="log and work tickets")
    t_sub = ticket.add_subparsers(dest="ticket_command", required=True, metavar="COMMAND")

    log = t_sub.add_parser("log", help="log a ticket; prints its number")
    log.add_argument("--from-message", type=int, metavar="ID",
                     help="log an Inbox message (mail inbox); flags not given come from it")  # fmt: skip
    # Required unless --from-message gives them (log_ticket names what is missing).
    log.add_argument("--reseller")
    log.add_argument("--contact")
    how = log.add_mutually_exclusive_group()
    how.add_argument("--phone")
    how.add_argument("--email")
    log.add_argument("--tenant")
    log.add_argument("--impact", choices=["all", "some", "howto"])
    log.add_argument("--channel", choices=["phone", "email", "helpcentre"])
    log.add_argument("--summary")
    log.add_argument("--priority", choices=["P1", "P2", "P3"])
    log.add_argument("--reason", help="why the priority is not the one the impact suggests")
    log.add_argument("--tier", type=int, default=1, choices=[1, 2])
    log.add_argument("--end-users", default="", help="the end users affected")
    log.add_argument("--description", default="")
    log.add_argument("--follow-up-of", metavar="NUMBER", help="a closed ticket this follows")
    log.set_defaults(handler=run_log)

    for name in STEPS:
        step = t_sub.add_parser(name, help=f"{name.replace('-', ' ')} a ticket")
        step.add_argument("number", metavar="NUMBER")
        step.add_argument("--engineer", metavar="LOGIN")
        step.add_argument("--note")
        step.add_argument("--provider")
        step.add_argument("--provider-ref")
        step.add_argument("--agreed-update", metavar="ISO")
        step.add_argument("--told-at", metavar="ISO",
                          help="notify: when the reseller was told the number (default: now)")  # fmt: skip
        step.add_argument("--expect-version", type=whole(1, DB_INT_MAX, "a version"), metavar="N",
                          help="refuse if the ticket changed since version N")  # fmt: skip
        step.set_defaults(handler=run_step, step=name)

    rep = t_sub.add_parser("reprioritise", help="change a ticket's priority (with a reason)")
    rep.add_argument("number", metavar="NUMBER")
    rep.add_argument("--priority", required=True, choices=["P1", "P2", "P3"])
    rep.add_argument("--reason", required=True, metavar="TEXT")
    rep.add_argument("--expect-version", type=whole(1, DB_INT_MAX, "a version"), metavar="N",
                     help="refuse if the ticket changed since version N")  # fmt: skip
    rep.set_defaults(handler=run_step, step="reprioritise")

    dup = t_sub.add_parser("duplicate", help="close a ticket as a duplicate of another")
    dup.add_argument("number", metavar="NUMBER")
    dup.add_argument("--of", required=True, metavar="OTHER", help="the ticket that goes on")
    dup.add_argument("--note")
    dup.add_argument("--expect-version", type=whole(1, DB_INT_MAX, "a version"), metavar="N",
                     help="refuse if the ticket changed since version N")  # fmt: skip
    dup.set_defaults(handler=run_step, step="duplicate")

    reply = t_sub.add_parser("reply", help="email the reseller an update (step 9); `note` stays internal")
    reply.add_argument("number", metavar="NUMBER")
    reply.add_argument("--text", required=True, help="what the reseller reads")
    reply.add_argument("--expect-version", type=whole(1, DB_INT_MAX, "a version"), metavar="N",
                       help="refuse if the ticket changed since version N")  # fmt: skip
    reply.set_defaults(handler=run_reply)

    show = t_sub.add_parser("show", help="one ticket and its history")
    show.add_argument("number", metavar="NUMBER")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=run_show)

    lst = t_sub.add_parser("list", help="the queue")
    lst.add_argument("--status", choices=[s.value for s in Status])
    lst.add_argument("--all", action="store_true", help="closed tickets too")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=run_list)

    find = t_sub.add_parser("search", help="search every ticket, open and closed, best matches first")
    find.add_argument("query", metavar="QUERY", help="words, a number, a name or an email address")
    find.add_argument("--limit", type=int, default=50, metavar="N", help="at most N matches (default 50)")
    find.add_argument("--json", action="store_true")
    find.set_defaults(handler=run_search)


def run_log(args: argparse.Namespace) -> int:
    db = session.database(args)
    clock = session.clock(args, db)
    if args.from_message is not None:
        from deskapp.services.inbox import log_from_message

        given = {
            "reseller": args.reseller, "contact": args.contact, "phone": args.phone,
            "email": args.email, "tenant": args.tenant, "impact": args.impact,
            "summary": args.summary, "priority": args.priority, "end_users": args.end_users,
            "description": args.description,
        }  # fmt: skip
        if args.channel not in (None, "email"):
            raise sv.ValidationError("a ticket logged from a message has the channel email")
        ticket = log_from_message(db, clock, session.actor(args, db), args.from_message, **given)
        print(ticket.number)
        return 0
    ticket = sv.log_ticket(
        db, clock, session.actor(args, db), reseller=args.reseller, contact=args.contact,
        phone=args.phone, email=args.email, tenant=args.tenant, impact=args.impact,
        channel=args.channel, summary=args.summary, priority=args.priority, tier=args.tier,
        end_users=args.end_users, description=args.description, linked_to=args.follow_up_of,
        policy=session.policy(args), priority_reason=args.reason,
    )  # fmt: skip
    print(ticket.number)
    alike = similar_open_tickets(
        db, reseller=args.reseller, tenant=args.tenant, summary=args.summary, exclude=ticket.number,
        policy=session.policy(args),
    )  # fmt: skip
    for other in alike:
        print(
            f"deskapp: warning: {ticket.number} may be a duplicate: the same reseller and tenant "
            f"has {other.describe(session.policy(args))}; if it is the same incident: "
            f"deskapp ticket duplicate {ticket.number} --of {other.number}",
            file=sys.stderr,
        )
    return 0


def _step_call(
    args: argparse.Namespace,
) -> Callable[[pw.Database, Clock, str, str, dict[str, Any]], Ticket]:
    note = getattr(args, "note", None) or ""

    def need(value: str | None, option: str) -> str:
        if not value:
            raise sv.ValidationError(f"`ticket {args.step}` needs {option}")
        return value

    calls: dict[str, Callable[..., Ticket]] = {
        "notify": lambda db, c, a, n, kw: sv.notify(
            db, c, a, n, note=note, told_at=parse_instant(args.told_at) if args.told_at else None, **kw
        ),
        "assign": lambda db, c, a, n, kw: sv.assign(
            db, c, a, n, engineer=need(args.engineer, "--engineer LOGIN"), note=note, **kw
        ),
        "request-info": lambda db, c, a, n, kw: sv.request_info(db, c, a, n, note=note, **kw),
        "info-received": lambda db, c, a, n, kw: sv.info_received(db, c, a, n, note=note, **kw),
        "chaser-sent": lambda db, c, a, n, kw: sv.chaser_sent(db, c, a, n, note=note, **kw),
        "agree-update": lambda db, c, a, n, kw: sv.agree_update(
            db,
            c,
            a,
            n,
            note=note,
            **kw,
            agreed_update=parse_instant(need(args.agreed_update, "--agreed-update ISO")),
        ),
        "escalate": lambda db, c, a, n, kw: sv.escalate(
            db, c, a, n, note=note, provider=args.provider, provider_ref=args.provider_ref, **kw
        ),
        "third-party-update": lambda db, c, a, n, kw: sv.third_party_update(
            db,
            c,
            a,
            n,
            note=need(args.note, "--note TEXT"),
            provider_ref=args.provider_ref,
            **kw,
        ),
        "resolve": lambda db, c, a, n, kw: sv.resolve(
            db, c, a, n, reason=need(args.note, "--note (the resolution)"), **kw
        ),
        "confirm": lambda db, c, a, n, kw: sv.confirm(db, c, a, n, note=note, **kw),
        "reject": lambda db, c, a, n, kw: sv.reject(
            db, c, a, n, note=note, provider=args.provider, provider_ref=args.provider_ref, **kw
        ),
        "reopen": lambda db, c, a, n, kw: sv.reopen(db, c, a, n, note=note, **kw),
        "note": lambda db, c, a, n, kw: sv.note(db, c, a, n, text=need(args.note, "--note TEXT"), **kw),
        "clear-lead-flag": lambda db, c, a, n, kw: sv.clear_lead_flag(db, c, a, n, note=note, **kw),
        "duplicate": lambda db, c, a, n, kw: duplicate(db, c, a, n, of=args.of, note=note, **kw),
        "reprioritise": lambda db, c, a, n, kw: reprioritise(
            db, c, a, n, priority=args.priority, reason=args.reason, **kw
        ),
    }
    return calls[args.step]


# The options each step takes (beyond NUMBER, --note and --expect-version); any other
# option given to a step is refused rather than silently ignored.
STEP_OPTIONS = {
    "notify": {"told_at"}, "assign": {"engineer"}, "request-info": {"agreed_update"},
    "agree-update": {"agreed_update"}, "escalate": {"provider", "provider_ref"},
    "third-party-update": {"provider_ref"}, "reject": {"provider", "provider_ref"},
}  # fmt: skip
_OPTION_NAMES = ("engineer", "provider", "provider_ref", "agreed_update", "told_at")


def _check_options(args: argparse.Namespace) -> None:
    for name in _OPTION_NAMES:
        if getattr(args, name, None) is not None and name not in STEP_OPTIONS.get(args.step, set()):
            option = "--" + name.replace("_", "-")
            raise sv.ValidationError(f"`ticket {args.step}` takes no {option}: nothing was saved")


def run_step(args: argparse.Namespace) -> int:
    _check_options(args)
    db = session.database(args)
    clock = session.clock(args, db)
    actor = session.actor(args, db)
    call = _step_call(args)
    policy = session.policy(args)
    ticket = call(db, clock, actor, args.number, {"expected_version": args.expect_version, "policy": policy})
    if args.step == "request-info" and args.agreed_update:
        ticket = sv.agree_update(
            db, clock, actor, ticket.number, agreed_update=parse_instant(args.agreed_update), policy=policy
        )
    print(f"{ticket.number}: {ticket.status}, Tier {ticket.tier}, version {ticket.version}")
    for warning in ticket_warnings(ticket, policy):
        print(f"deskapp: warning: {warning}", file=sys.stderr)
    return 0


def run_reply(args: argparse.Namespace) -> int:
    db = session.database(args)
    ticket = sv.reply(
        db, session.clock(args, db), session.actor(args, db), args.number, text=args.text,
        expected_version=args.expect_version,
    )  # fmt: skip
    print(f"{ticket.number}: update queued to the reseller (sent by `deskapp mail send`)")
    return 0


def detail_json(d: TicketDetail) -> dict[str, Any]:
    f = format_instant
    return {
        "number": d.number, "status": d.status, "tier": d.tier, "priority": d.priority,
        "channel": d.channel, "impact": d.impact, "reseller": d.reseller,
        "contact": d.contact, "contact_phone": d.contact_phone,
        "contact_email": d.contact_email, "tenant": d.tenant, "end_users": d.end_users,
        "summary": d.summary, "description": d.description, "engineer": d.engineer,
        "logged_at": f(d.logged_at), "policy_version": d.policy_version,
        "response_due": f(d.response_due), "responded_at": f(d.responded_at),
        "sla_band": d.sla_band, "breach_recorded_at": f(d.breach_recorded_at),
        "awaiting_info_since": f(d.awaiting_info_since),
        "next_chaser_due": f(d.next_chaser_due), "auto_resolve_at": f(d.auto_resolve_at),
        "agreed_update_at": f(d.agreed_update_at), "resolved_at": f(d.resolved_at),
        "resolution_reason": d.resolution_reason, "closes_at": f(d.closes_at),
        "closed_at": f(d.closed_at), "survey_sent": d.survey_sent,
        "survey_status": d.survey_status, "survey_ref": d.survey_ref, "provider": d.provider,
        "provider_ref": d.provider_ref, "linked_to": d.linked_to,
        "lead_flagged_at": f(d.lead_flagged_at), "duplicate_of": d.duplicate_of,
        "duplicates": list(d.duplicates), "version": d.version,
        "priority_history": [
            {"at": f(p.at), "actor": p.actor, "from": p.from_priority, "to": p.to_priority,
             "reason": p.reason, "response_due_before": f(p.from_due), "response_due": f(p.to_due)}
            for p in d.priority_history
        ],
        "history": [
            {"at": f(h.at), "actor": h.actor, "kind": h.kind, "note": h.note,
             "from_status": h.from_status, "to_status": h.to_status,
             "from_tier": h.from_tier, "to_tier": h.to_tier}
            for h in d.history
        ],
    }  # fmt: skip


def run_show(args: argparse.Namespace) -> int:
    db = session.database(args)
    policy = session.policy(args)
    detail = sv.ticket_detail(db, args.number, now=session.clock(args, db).now(), policy=policy)
    data = detail_json(detail)
    data["messages"] = [
        {"direction": m.direction, "kind": m.kind, "at": format_instant(m.at), "from": m.sender,
         "to": m.to, "subject": m.subject, "text": m.text, "status": m.status,
         "attachments": [{"name": name, "size": size} for name, size in m.attachments]}
        for m in conversation(db, detail.number, notes=False)
    ]  # fmt: skip
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    # A person reads this: instants in UK local time with the zone and offset.
    tz = policy.tz
    for key, value in data.items():
        if key not in ("history", "priority_history", "messages") and value not in (None, "", []):
            moment = getattr(detail, key, None)
            shown = person_text(moment, tz) if isinstance(moment, dt.datetime) else value
            print(f"{key:>20}: {printable(shown)}")
    for p in detail.priority_history:
        print(
            f"  priority {p.from_priority} -> {p.to_priority} {person_text(p.at, tz)} "
            f"by {printable(p.actor)}: {printable(p.reason)}"
        )
    for h in detail.history:
        print(f"  {person_text(h.at, tz)}  {printable(h.actor):<8} {h.kind:<18} {printable(h.note)}")
    for warning in ticket_warnings(detail, policy):
        print(f"warning: {warning}")
    for m in data["messages"]:
        arrow = "<-" if m["direction"] == "in" else "->"
        print(f"  {m['at']}  {arrow} {m['status']:<8} {m['kind']:<14} {printable(m['subject'])}")
    return 0


def _row_json(r: sv.QueueRow, engine: Any, now: Any) -> dict[str, Any]:
    band = engine.countdown(r.priority, r.logged_at, now, r.responded_at, due=r.response_due)
    return {
        "number": r.number, "status": r.status, "tier": r.tier, "priority": r.priority,
        "reseller": r.reseller, "contact": r.contact, "summary": r.summary,
        "engineer": r.engineer, "logged_at": format_instant(r.logged_at),
        "response_due": format_instant(r.response_due),
        "responded_at": format_instant(r.responded_at), "sla_band": band.band.value,
        "awaiting_info_since": format_instant(r.awaiting_info_since),
        "next_chaser_due": format_instant(r.next_chaser_due), "version": r.version,
    }  # fmt: skip


def _print_rows(out: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(out, indent=2))
        return
    for o in out:
        print(f"{o['number']}  {o['priority']}  T{o['tier']}  {o['status']:<13} "
              f"{o['sla_band']:<9} {printable(o['reseller'])}: {printable(o['summary'])}")  # fmt: skip


def run_list(args: argparse.Namespace) -> int:
    db = session.database(args)
    now = session.clock(args, db).now()
    engine = engine_for(session.policy(args))
    include_closed = bool(args.all or args.status == "closed")
    rows = [r for r in sv.queue_rows(db, include_closed=include_closed)
            if not args.status or r.status == args.status]  # fmt: skip
    _print_rows([_row_json(r, engine, now) for r in rows], args.json)
    return 0


def run_search(args: argparse.Namespace) -> int:
    """The app's search (`deskapp.services.search`): the same fields as `ticket list --json`."""
    from deskapp.services.search import MAX_LIMIT, search_tickets, words

    if not 1 <= args.limit <= MAX_LIMIT:
        raise sv.ValidationError(f"--limit {args.limit}: give a number from 1 to {MAX_LIMIT}")
    if not words(args.query):
        raise sv.ValidationError(f"the query {args.query!r} has no letters or digits to search for")
    db = session.database(args)
    now = session.clock(args, db).now()
    engine = engine_for(None)
    rows = search_tickets(db, args.query, limit=args.limit)
    _print_rows([_row_json(r, engine, now) for r in rows], args.json)
    if not rows and not args.json:
        print(f"no ticket matches {args.query!r}")
    return 0
