"""The ticket attacks (tests/security/ticket_attacks.py) in the attack matrix, for every group role.

Each statement runs as one group role's own login on the matrix's secured desk, in
its own transaction, against a set of tickets in the states its placeholders name,
made by the owner through the services. The verdict does not depend on the role
(a team lead may escalate what a Tier 1 engineer may not; both are fine if recorded):

- "refused": the statement errors, or it changes nothing;
- "recorded": it changed ticket rows only, and every changed ticket got a new history
  row, every new history row is for a changed ticket, names the session's login as
  its actor (or a desk actor such as `rules`, with history.db_user the session's
  login), and carries the server's time within the statement's span;
- "escape": anything else (a history row inserted or rewritten, another table
  changed, a change without its record, a forged actor or time).

A statement that ran is committed, so that the owner's connection sees what it
did; the ticket set it ran on is then replaced by a fresh one for the next attack.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

import peewee
import psycopg

from tests.security.attack_matrix import ROLES, Context, Figures, Outcome, connect_as
from tests.security.ticket_attacks import TICKET_ATTACKS

Verdict = Literal["refused", "recorded", "escape"]
PREFIX = "ticket: "  # an outcome's name: the ticket attack's description after this
SYSTEM_ACTORS = ("mail", "mailer", "rules")  # the desk's own actors (v0011_history_triggers)
TABLES = (
    "ticket", "history", "priority_change", "saved_view", "ticket_seen", "message", "attachment",
    "lifecycle_move", "app_role", "staff", "meta", "reseller",
)  # fmt: skip


@dataclass
class TicketDesk:
    """The owner's peewee database (for the services) and who plays which part."""

    db: peewee.Database
    clock: Any
    logger: str  # a second Tier 1 engineer: logs the tickets, holds {assigned_other}
    admin_id: int
    logger_id: int


def prepare(db: peewee.Database, clock: Any, ctx: Context, password: str) -> TicketDesk:
    """A second Tier 1 engineer, and saved views and seen marks of two people, so that
    "another person's" rows exist for every role."""
    from deskapp import services as sv
    from deskapp.services import views
    from deskapp.store.models import Staff

    logger = "t1b_" + ctx.logins["tier1"].removeprefix("tier1_")
    sv.add_staff(db, clock, ctx.logins["admin"], logger, name="Tom Tier1", role="tier1", password=password)
    for login in (logger, ctx.logins["lead"]):
        views.save_view(db, clock, login, "P1s", {"priority": "P1"})
        views.mark_seen(db, clock, login, _number(ctx.ticket_id), 1)
    admin_id = int(Staff.get(Staff.login == ctx.logins["admin"]).id)
    return TicketDesk(db, clock, logger, admin_id, int(Staff.get(Staff.login == logger).id))


def _number(ticket_id: int) -> str:
    from deskapp.store.models import Ticket

    return str(Ticket.get_by_id(ticket_id).number)


def ticket_set(desk: TicketDesk) -> dict[str, int]:
    """Fresh tickets in each state the placeholders name (as test_ticket_triggers makes them)."""
    from deskapp import services as sv

    db, clock, tom = desk.db, desk.clock, desk.logger

    def log(summary: str, **extra: Any) -> Any:
        return sv.log_ticket(
            db, clock, tom, reseller="Acme Networks", contact="Pat Jones", phone="+44 20 7946 0000",
            tenant="acme-main", impact="some", channel="email", summary=summary,
            end_users="the sales team", **extra,
        )  # fmt: skip

    logged = log("logged one", priority="P2", priority_reason="the whole site")
    resolved = log("resolved one")
    sv.resolve(db, clock, tom, resolved.number, reason="fixed")
    awaiting = log("awaiting one")
    sv.assign(db, clock, tom, awaiting.number, engineer=tom)
    sv.request_info(db, clock, tom, awaiting.number, note="which users?")
    tier2 = log("tier two one")
    sv.assign(db, clock, tom, tier2.number, engineer=tom)
    sv.escalate(db, clock, tom, tier2.number, note="needs Tier 2")
    other = log("tom's one")
    sv.assign(db, clock, tom, other.number, engineer=tom)
    return {
        "logged": int(logged.id), "resolved": int(resolved.id), "awaiting": int(awaiting.id),
        "tier2": int(tier2.id), "assigned_other": int(other.id),
    }  # fmt: skip


def snapshot(owner: psycopg.Connection[Any]) -> dict[str, dict[str, str]]:
    # The owner owns the tables, so no row policy hides a row from it.
    return {
        table: {
            str(i): str(text) for i, text in owner.execute(f"SELECT {_key(table)}, t::text FROM {table} t")
        }
        for table in TABLES
    }


def _key(table: str) -> str:
    return "key" if table == "meta" else "id"


def server_now(owner: psycopg.Connection[Any]) -> dt.datetime:
    row = owner.execute("SELECT clock_timestamp() AT TIME ZONE 'UTC'").fetchone()
    assert row is not None
    now: dt.datetime = row[0]
    return now


def judge(owner: psycopg.Connection[Any], login: str, before: dict[str, dict[str, str]],
          begun: dt.datetime, ended: dt.datetime) -> tuple[Verdict, str]:  # fmt: skip
    """The verdict on what a statement that ran left behind (see the module docstring)."""
    after = snapshot(owner)
    if after == before:
        return "refused", "changed nothing"
    others = [t for t in TABLES if t not in ("ticket", "history") and after[t] != before[t]]
    if others:
        return "escape", f"changed {', '.join(others)}"
    old_history = {i: text for i, text in after["history"].items() if i in before["history"]}
    if old_history != before["history"]:
        return "escape", "rewrote or deleted history rows"
    changed = {int(i) for i, text in after["ticket"].items() if before["ticket"].get(i) != text}
    if set(before["ticket"]) - set(after["ticket"]):
        return "escape", "deleted tickets"
    new_ids = sorted(int(i) for i in set(after["history"]) - set(before["history"]))
    rows = owner.execute(
        "SELECT id, ticket_id, actor, db_user, at FROM history WHERE id = ANY(%s)", (new_ids,)
    ).fetchall()
    written = {int(r[1]) for r in rows}
    if written != changed:
        return "escape", f"changed tickets {sorted(changed)}, history for {sorted(written)}"
    for _, ticket_id, actor, db_user, at in rows:
        true_actor = actor == login or (actor in SYSTEM_ACTORS and db_user == login)
        if not (true_actor and db_user == login and begun <= at <= ended):
            return "escape", f"ticket {ticket_id}: actor {actor!r}, db_user {db_user!r}, at {at}"
    return "recorded", f"{len(changed)} ticket(s), each recorded as {login} at the server's time"


def try_ticket_attack(conn: psycopg.Connection[Any], owner: psycopg.Connection[Any], role: str,
                      login: str, names: dict[str, Any], description: str,
                      sql: str) -> tuple[Outcome, bool]:  # fmt: skip
    """One statement; returns its outcome and whether it ran (its ticket set is then spent)."""
    before = snapshot(owner)
    begun = server_now(owner)
    try:
        with conn.transaction():
            conn.execute(sql.format(**names))
    except psycopg.Error as exc:
        why = (exc.diag.message_primary or str(exc))[:120]
        return Outcome(PREFIX + description, role, "refused", why), False
    verdict, detail = judge(owner, login, before, begun, server_now(owner))
    return Outcome(PREFIX + description, role, verdict, detail), True


def run_ticket_attacks(ctx: Context, owner: psycopg.Connection[Any], desk: TicketDesk) -> Figures:
    figures = Figures()
    for role in ROLES:
        login = ctx.logins[role]
        ids: dict[str, int] | None = None
        with connect_as(ctx, role) as conn:
            for description, sql, _tier1_expects in TICKET_ATTACKS:
                ids = ids or ticket_set(desk)
                names = {**ids, "admin_id": desk.admin_id, "tier1_other_id": desk.logger_id, "me": login}
                outcome, ran = try_ticket_attack(conn, owner, role, login, names, description, sql)
                figures.outcomes.append(outcome)
                if ran:
                    ids = None  # what it did was committed: the next attack gets fresh tickets
    return figures
