"""Search on gui_bench's desk of 1,000,000 tickets, built once and kept between runs.

    python3 bench/search_bench.py --keep DIR [--databases sqlite,postgres] [--repeats 7] [--view]
                                  [--tickets 1000000] [--open 100000] [--pg-url URL] [--drop]

The first run builds the desk with `bench/gui_bench.build` (SQLite in DIR/search.sqlite3,
PostgreSQL in the schema named in DIR/pg-schema, its ticket indexes made after the rows);
later runs reuse it (its schema is upgraded on open, like any desk's). Prints, never
asserts, for each of gui_bench's queries and a few more (MORE) the service call
`search_tickets` for the first page of the Find view (median and worst of --repeats,
after one warm-up), with `uptime`'s load beside it: the machine is shared.
`--view` also runs gui_bench's measured launch (`gui_bench.py --child`) on the kept desk
and prints its search figures: query to first page shown in the Find view.
`--drop` removes the kept desks instead.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import gui_bench  # the desk's builder and queries, beside this file

# Beside gui_bench's queries: a name half typed, a contact's name, two words together.
MORE = {"reseller, half typed": "Reseller 04", "contact name": "Contact 42", "two words": "sync password"}
QUERIES = {**gui_bench.SEARCHES, **MORE}


def _load() -> str:
    """The 1-minute load average (the machine is shared: say how busy it was)."""
    return f"{os.getloadavg()[0]:.2f}"


def _urls(keep: Path, pg_url: str | None, names: list[str]) -> dict[str, str]:
    urls = {}
    if "sqlite" in names:
        urls["sqlite"] = f"sqlite:///{keep / 'search.sqlite3'}"
    if "postgres" in names:
        if not pg_url:
            raise SystemExit("postgres needs --pg-url or DESKAPP_TEST_PG_URL")
        name_file = keep / "pg-schema"
        if not name_file.exists():
            name_file.write_text(f"searchbench_{uuid.uuid4().hex[:12]}\n", encoding="ascii")
        schema = name_file.read_text(encoding="ascii").strip()
        sep = "&" if "?" in pg_url else "?"
        urls["postgres"] = f"{pg_url}{sep}options={quote(f'-csearch_path={schema}')}"
    return urls


def _schema_state(name: str, keep: Path, pg_url: str | None) -> tuple[bool, str]:
    """(whether the kept desk is built, the PostgreSQL schema's name or '')."""
    from deskapp.store.connection import database_from_url, raw_sql

    if name == "sqlite":
        return (keep / "search.built").exists(), ""
    schema = (keep / "pg-schema").read_text(encoding="ascii").strip()
    admin = database_from_url(pg_url or "")
    admin.connect()
    try:
        raw_sql(admin, f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    finally:
        admin.close()
    return (keep / "pg.built").exists(), schema


def _drop(keep: Path, pg_url: str | None) -> None:
    from deskapp.store.connection import database_from_url, raw_sql

    name_file = keep / "pg-schema"
    if name_file.exists() and pg_url:
        admin = database_from_url(pg_url)
        admin.connect()
        raw_sql(admin, f'DROP SCHEMA IF EXISTS "{name_file.read_text(encoding="ascii").strip()}" CASCADE')
        admin.close()
    shutil.rmtree(keep)  # the SQLite desk, its side files and the launches' cache folder


def _pg_build(url: str, size: int, open_count: int) -> None:
    """gui_bench's build, with the ticket table's secondary indexes, the foreign keys and the
    search index set aside while the rows go in and made again after: kept row by row
    through a million COPYed rows, they take most of an hour on a shared server."""
    from deskapp.store.connection import open_database, raw_sql

    db = open_database(url)  # the schema, as a desk has it
    keep = ("ticket_pkey", "history_pkey", "history_ticket_id_id", "ticket_search_pkey")
    indexes = raw_sql(
        db, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename IN ('ticket', 'history', 'ticket_search') AND NOT indexname = ANY(%s)", [list(keep)]
    ).fetchall()  # fmt: skip
    keys = raw_sql(
        db, "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace "
        "AND conrelid::regclass::text IN ('ticket', 'history')",
    ).fetchall()  # fmt: skip
    for table, name, _definition in keys:
        raw_sql(db, f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        raw_sql(db, f'DROP INDEX "{name}"')
    db.close()
    gui_bench.build(url, size, open_count)
    db = open_database(url)
    raw_sql(db, "SET maintenance_work_mem = '256MB'")
    for _name, definition in indexes:
        raw_sql(db, definition)
    for table, name, definition in keys:
        raw_sql(db, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    raw_sql(db, "ANALYZE")
    db.close()


def measure(url: str, repeats: int, limit: int) -> dict[str, tuple[float, float, int]]:
    from deskapp.services.search import search_tickets
    from deskapp.store.connection import open_database

    db = open_database(url)
    found = {}
    for label, query in QUERIES.items():
        search_tickets(db, query, limit=limit)  # warm-up: the pages it reads in cache
        times, rows = [], 0
        for _ in range(repeats):
            t0 = time.perf_counter()
            rows = len(search_tickets(db, query, limit=limit))
            times.append((time.perf_counter() - t0) * 1000)
        found[label] = (statistics.median(times), max(times), rows)
    db.close()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, required=True, help="folder the built desks are kept in")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--limit", type=int, default=100, help="the first page's size")
    parser.add_argument("--pg-url", default=os.environ.get("DESKAPP_TEST_PG_URL"))
    parser.add_argument("--view", action="store_true", help="also query to first page shown, in the app")
    parser.add_argument("--drop", action="store_true", help="remove the kept desks")
    args = parser.parse_args()
    if args.drop:
        _drop(args.keep, args.pg_url)
        return 0
    args.keep.mkdir(parents=True, exist_ok=True)
    names = [n.strip() for n in args.databases.split(",") if n.strip()]
    if unknown := sorted(set(names) - {"sqlite", "postgres"}):
        parser.error(f"--databases: unknown {', '.join(unknown)} (sqlite, postgres)")
    for name, url in _urls(args.keep, args.pg_url, names).items():
        built, _schema = _schema_state(name, args.keep, args.pg_url)
        if not built:
            t = time.perf_counter()
            if name == "sqlite":
                gui_bench.build(url, args.tickets, args.open)
            else:
                _pg_build(url, args.tickets, args.open)
            (args.keep / ("search.built" if name == "sqlite" else "pg.built")).touch()
            print(f"{name}: built {args.tickets:,} tickets in {time.perf_counter() - t:.0f} s", flush=True)
        load_before = _load()
        found = measure(url, args.repeats, args.limit)
        print(f"== {name}: search_tickets, first page of {args.limit} (load {load_before} -> {_load()})")
        for label, (median, worst, rows) in found.items():
            query = QUERIES[label]
            print(
                f"  {label + ':':<22}{median:7.1f} ms median, worst {worst:.1f} ms   ({rows} for {query!r})"
            )
        if args.view:
            _view(url, args.keep)
    return 0


def _view(url: str, keep: Path) -> None:
    """gui_bench's own measured launch on the kept desk; its searches, as the Find view shows them."""
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "XDG_CACHE_HOME": str(keep / "cache")}  # fmt: skip
    load_before = _load()
    done = subprocess.run(
        [sys.executable, gui_bench.__file__, "--child", url, "--ticks", "1"],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        raise SystemExit(f"the measured launch failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    found = json.loads(done.stdout.strip().splitlines()[-1])["searches"]
    print(f"   query to first page shown in the Find view (load {load_before} -> {_load()}):")
    for label, one in found.items():
        print(
            f"  {label + ':':<22}{one['shown_ms']:7.1f} ms median, worst {one['worst_ms']:.1f} ms, "
            f"service alone {one['service_ms']:.1f} ms"
        )


if __name__ == "__main__":
    raise SystemExit(main())
