"""Two workstations run the rules at the same moment: every step happens exactly once."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
from collections import Counter
from typing import Any

from deskapp.store.models import History, Outbox, Ticket
from tests.desk_setup import Desk
from tests.london import local
from tests.owner_edits import owner_edits
from tests.rules.two_process_worker import run_pass

PER_KIND = 25


def _due_tickets(desk: Desk, now: dt.datetime) -> dict[str, set[str]]:
    template = desk.log()
    base: dict[str, Any] = {
        f: getattr(template, f)
        for f in ("reseller", "contact", "tenant", "summary", "impact", "priority", "channel",
                  "logged_at", "policy_version", "end_users", "description")
    }  # fmt: skip
    answered = {"responded_at": now - dt.timedelta(days=9), "response_due": now}
    past = now - dt.timedelta(hours=1)
    kinds: dict[str, dict[str, Any]] = {
        "sla_breached": {"status": "logged", "response_due": past},
        "auto_resolved": {**answered, "status": "awaiting_info", "auto_resolve_at": past,
                          "next_chaser_due": now + dt.timedelta(days=1)},
        "chaser_due": {**answered, "status": "awaiting_info", "next_chaser_due": past,
                       "auto_resolve_at": now + dt.timedelta(days=1)},
        "closed": {**answered, "status": "resolved", "resolved_at": past, "closes_at": past},
    }  # fmt: skip
    expected: dict[str, set[str]] = {}
    for kind, facts in kinds.items():
        rows = [
            {**base, **facts, "number": f"{kind[:4].upper()}-{i:03d}", "updated_at": past}
            for i in range(PER_KIND)
        ]
        with owner_edits(desk.db):
            Ticket.insert_many(rows).execute()
        expected[kind] = {r["number"] for r in rows}
    # The template ticket itself is unanswered and overdue too.
    expected["sla_breached"].add(template.number)
    return expected


def test_two_processes_apply_each_step_exactly_once(desk: Desk, db_url: str) -> None:
    now = local(2026, 3, 20, 12)
    desk.at(now - dt.timedelta(days=10))
    expected = _due_tickets(desk, now)
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=run_pass, args=(db_url, now.isoformat(), barrier, results)) for _ in range(2)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    for kind, numbers in expected.items():
        first, second = (set(o[kind]) for o in outcomes)
        assert not first & second, f"{kind} applied twice"
        assert first | second == numbers, kind
    # One history event per ticket per step, all by the rules.
    rows = History.select(History.kind, Ticket.number).join(Ticket).where(History.actor == "rules")
    per = Counter((h.kind, h.ticket.number) for h in rows)
    assert set(per.values()) == {1}
    assert sum(per.values()) == sum(len(v) for v in expected.values())
    closed = Ticket.select().where(Ticket.status == "closed").count()
    assert closed == PER_KIND
    # The messages the passes queued themselves: one chaser and one automatic-resolution
    # notice per ticket, however the two passes interleaved.
    queued = Counter((str(o.kind), str(o.ticket)) for o in Outbox.select())
    assert set(queued.values()) == {1}
    assert sum(1 for kind, _ in queued if kind == "chaser") == PER_KIND
    assert sum(1 for kind, _ in queued if kind == "auto_resolved") == PER_KIND
