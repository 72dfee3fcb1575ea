"""Time one rule pass over 10,000 and 100,000 tickets of which 5% are due.

    python3 bench/rules_bench.py [--sizes 10000 100000] [--due 0.05]

Builds each database in bulk (not through the services: this measures the
pass, not the setup), runs ONE `run_rules` pass, and prints its wall time and
the number of SQL statements it issued (counted from peewee's query log) and the
history rows it wrote (on PostgreSQL by the database's own triggers). The
pass runs in a fresh interpreter, as on a workstation.
The statement count must not grow with the ticket count. Target: <= 300 ms
for 100,000 tickets on SQLite. Runs on PostgreSQL too when
DESKAPP_TEST_PG_URL is set (in a throw-away schema). Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deskapp.domain.clock import FixedClock
from deskapp.domain.policy import default_policy
from deskapp.rules import run_rules
from deskapp.services.operation import engine_for
from deskapp.store.bulk_setup import past_ticket_triggers
from deskapp.store.connection import database_from_url, open_database, raw_sql
from deskapp.store.models import Contact, Reseller, Tenant, Ticket

NOW = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)


class QueryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def build(url: str, size: int, due_share: float, seed: int = 1) -> None:
    db = open_database(url)
    rng = random.Random(seed)
    seller = Reseller.create(name="Bench Ltd", country="GB", created_at=NOW)
    person = Contact.create(reseller=seller, name="Pat")
    place = Tenant.create(reseller=seller, name="bench")
    base = {
        "reseller": seller.id, "contact": person.id, "tenant": place.id, "summary": "bench",
        "impact": "some", "priority": "P2", "channel": "email", "policy_version": "2026.1",
        "end_users": "", "description": "", "tier": 1, "survey_status": "none",
    }  # fmt: skip
    hour = dt.timedelta(hours=1)
    past, future = NOW - hour, NOW + 30 * hour
    answered: dict[str, object] = {"responded_at": NOW - 100 * hour, "response_due": NOW - 90 * hour}
    due_kinds: list[dict[str, object]] = [
        {"status": "logged", "response_due": past},
        {**answered, "status": "awaiting_info", "auto_resolve_at": past, "next_chaser_due": future},
        {**answered, "status": "awaiting_info", "next_chaser_due": past, "auto_resolve_at": future},
        {**answered, "status": "resolved", "resolved_at": NOW - 200 * hour, "closes_at": past},
    ]  # fmt: skip
    quiet: list[dict[str, object]] = [
        {**answered, "status": "closed", "closes_at": NOW - 900 * hour, "closed_at": NOW - 900 * hour},
        {**answered, "status": "in_progress"},
        {**answered, "status": "awaiting_info", "next_chaser_due": future, "auto_resolve_at": future,
         "chaser_flagged_at": None},
        {**answered, "status": "resolved", "resolved_at": past, "closes_at": future},
        {"status": "logged", "response_due": future},
    ]  # fmt: skip
    rows = []
    for i in range(size):
        if rng.random() < due_share:
            facts = due_kinds[i % len(due_kinds)]
        else:
            facts = quiet[0] if rng.random() < 0.8 else rng.choice(quiet[1:])
        logged = NOW - rng.uniform(1, 2000) * hour
        rows.append({
            **base, "response_due": logged + 4 * hour, **facts, "number": f"B-{i:07d}",
            "logged_at": logged, "updated_at": logged,
        })  # fmt: skip
    # Every row needs the same keys for one multi-row INSERT.
    keys = sorted({k for r in rows for k in r})
    rows = [{k: r.get(k) for k in keys} for r in rows]
    chunk = max(1, 30000 // len(keys))
    # Tickets in every state at once, not logged one by one: on PostgreSQL the desk's
    # owner sets them down past the ticket triggers (schema v10), which would refuse a
    # ticket inserted already resolved. The pass itself runs with the triggers on.
    with past_ticket_triggers(db), db.atomic():
        for start in range(0, len(rows), chunk):
            Ticket.insert_many(rows[start : start + chunk]).execute()
    if "sqlite" in url:
        raw_sql(db, "ANALYZE")
    else:
        raw_sql(db, "ANALYZE ticket")
    db.close()


def one_pass(url: str) -> tuple[float, int, int, int]:
    db = open_database(url)
    db.connect(reuse_if_open=True)
    # A workstation's engine is built once at start-up, not per pass: build it first.
    engine_for(default_policy())
    counter = QueryCounter()
    logger = logging.getLogger("peewee")
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    start = time.perf_counter()
    summary = run_rules(db, FixedClock(NOW))
    elapsed = time.perf_counter() - start
    logger.removeHandler(counter)
    # The history rows the pass wrote (by the database's triggers on PostgreSQL).
    (history,) = raw_sql(db, "SELECT count(*) FROM history").fetchone()
    db.close()
    return elapsed, counter.count, summary.total, int(history)


def pass_in_fresh_process(url: str) -> tuple[float, int, int, int]:
    # A workstation runs its rule pass in a process that never held the
    # 100k row dicts the builder made; timing it here would also time their
    # garbage collection. So the pass runs in a fresh interpreter.
    out = subprocess.run(
        [sys.executable, __file__, "--pass-only", url], capture_output=True, text=True, check=True
    ).stdout
    elapsed, queries, applied, history = json.loads(out.strip().splitlines()[-1])
    return float(elapsed), int(queries), int(applied), int(history)


def bench(kind: str, url_for_size: dict[int, str], due: float) -> None:
    for size, url in url_for_size.items():
        t0 = time.perf_counter()
        build(url, size, due)
        built = time.perf_counter() - t0
        elapsed, queries, applied, history = pass_in_fresh_process(url)
        print(
            f"{kind:<10} {size:>7} tickets  built {built:5.1f} s  one pass {elapsed * 1000:7.1f} ms"
            f"  {queries:>3} SQL statements  {applied:>5} steps applied  {history:>5} history rows",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--due", type=float, default=0.05)
    parser.add_argument("--pass-only", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pass_only:
        print(json.dumps(one_pass(args.pass_only)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        bench("SQLite", {n: f"sqlite:///{Path(tmp) / f'b{n}.sqlite3'}" for n in args.sizes}, args.due)
    pg = os.environ.get("DESKAPP_TEST_PG_URL")
    if not pg:
        print("PostgreSQL: DESKAPP_TEST_PG_URL not set, skipped")
        return 0
    admin = database_from_url(pg)
    schemas = {n: f"bench_{uuid.uuid4().hex[:10]}" for n in args.sizes}
    try:
        for schema in schemas.values():
            raw_sql(admin, f'CREATE SCHEMA "{schema}"')
        sep = "&" if "?" in pg else "?"
        urls = {n: f"{pg}{sep}options={quote(f'-csearch_path={s}')}" for n, s in schemas.items()}
        bench("PostgreSQL", urls, args.due)
    finally:
        for schema in schemas.values():
            raw_sql(admin, f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
