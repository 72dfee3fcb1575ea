"""The desktop client on a desk of 1,000,000 tickets: ten years of history, 100,000 open.

    python3 bench/gui_bench.py [--tickets 1000000] [--open 100000] [--ticks 300]
                               [--launches 5] [--databases sqlite,postgres] [--pg-url URL]
                               [--keep-at DIR]

--keep-at DIR keeps the desks built and uses them again on the next run: the SQLite
file in DIR, the PostgreSQL desk in a schema named after its size (`guibench_keep_`
tickets `_` open) on the --pg-url server. A desk is used again only once its build
finished (a marker written last: a file beside the SQLite one, the schema's comment),
and is brought up to the current schema first, outside the figures. Building takes
minutes at a million tickets (about 100 s on SQLite, 8 min on PostgreSQL). Drop a
kept schema with `DROP SCHEMA guibench_keep_... CASCADE`.

Prints (never asserts), for each database (SQLite, and PostgreSQL from --pg-url or
DESKAPP_TEST_PG_URL, in a schema of its own dropped afterwards):
- launch to queue painted: wall time from starting a fresh Python process
  (imports included) to the first paint of the queue table with the most
  urgent tickets in it (target <= 1.0 s): the median and worst of --launches
  launches, and the first launch after install (empty user cache folder)
  apart; where the time of one launch goes; and the time to the whole queue
  of open tickets loaded and painted (filters and counts complete);
- a search over the whole history (open and closed), as the Find page does it:
  from the query given to its first page of results in the view (target <=
  100 ms), for a ticket number, a reseller, a contact's email address, a rare
  word and a common one; and the service call alone;
- opening a closed ticket from years ago in the ticket view (target <= 50 ms);
- one countdown tick: `QueueView.on_tick` (visible rows found, remaining and
  bands computed with numpy, dataChanged emitted), and the same including
  the repaint it causes (target <= 5 ms);
- resident memory of that process once the queue is shown and a search and
  a ticket opened (target <= 400 MB), and after each phase before that.

The database is built in bulk (not through the services: this measures the
client, not the setup; the search index is built once at the end, as the
migration does), marked as a training database, with a FixedClock at a
weekday morning so business-hours countdowns run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NOW = dt.datetime(2026, 3, 10, 10, 30, tzinfo=dt.UTC)  # Tuesday, desk open
YEARS = 10
CHUNK = 20_000  # tickets built and inserted at a time
# Summaries are drawn from a vocabulary with a few common words and many rare ones,
# as a desk's are: a search for a common word matches a large share of ten years.
COMMON = ["mailbox", "sign", "license", "calendar", "teams", "error", "sync", "password"]
RARE = [f"{a}{b}" for a in ("exo", "sharo", "intu", "azu", "defo", "purvi", "onedri", "entra")
        for b in ("net", "lab", "gate", "core", "span", "vault", "link", "path", "sum", "grid",
                  "mesh", "dock", "form", "loop", "wave", "zone", "flux", "beam", "hub", "ray")]  # fmt: skip
NOTE = "Reset the tenant's sync and confirmed with the contact"
SEARCHES = {  # what a person types on the Find page
    "ticket number": "INC-424242",
    "reseller": "Reseller 042",
    "contact email": "contact42@reseller042.example",
    "rare word": RARE[77],
    "common word": "mailbox",
}


def _summary(rng: random.Random) -> str:
    words = [rng.choice(COMMON) for _ in range(rng.randint(1, 2))]
    words += [rng.choice(RARE) for _ in range(rng.randint(1, 3))]
    rng.shuffle(words)
    return " ".join(words).capitalize()


Rows = list[dict[str, Any]]


def _tickets(size: int, open_count: int, sellers: list[Any], people: dict[int, Any],
             places: dict[int, Any], engineers: list[int | None],
             seed: int) -> Iterator[tuple[Rows, Rows]]:  # fmt: skip
    """Ticket and history rows in chunks: the oldest `size - open_count` closed over ten
    years (logged, resolved, closed in their history), then the open ones (20 days)."""
    from deskapp.services.intake import NUMBER_FORMAT
    from deskapp.sla import engine

    eng = engine()
    rng = random.Random(seed)
    statuses = ["logged", "assigned", "in_progress", "awaiting_info", "resolved"]
    closed_count = size - open_count
    span = dt.timedelta(days=365 * YEARS)
    tickets: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for i in range(size):
        tid = i + 1
        seller = sellers[rng.randrange(len(sellers))]
        prio = rng.choice(["P1", "P2", "P2", "P3", "P3"])
        engineer = rng.choice(engineers[1:])
        if i < closed_count:
            logged = NOW - span + span * (i / max(1, closed_count)) - dt.timedelta(days=21)
            status = "closed"
        else:
            logged = NOW - dt.timedelta(minutes=rng.uniform(1, 60 * 24 * 20))
            status = rng.choice(statuses)
        due = eng.response_due(prio, logged)
        closed = status == "closed"
        responded = (
            logged + dt.timedelta(minutes=rng.uniform(5, 300)) if closed or rng.random() < 0.7 else None
        )
        resolved = logged + dt.timedelta(hours=rng.uniform(1, 72)) if closed else None
        closed_at = resolved + dt.timedelta(days=5) if resolved else None
        tickets.append({
            "id": tid, "number": NUMBER_FORMAT.format(tid), "reseller": seller.id,
            "contact": people[seller.id].id, "tenant": places[seller.id].id,
            "contact_email": f"contact{seller.id % 100}@reseller{seller.id:03d}.example",
            "summary": _summary(rng), "impact": "some", "priority": prio, "channel": "phone",
            "policy_version": "2026.1", "end_users": "", "description": "",
            "tier": rng.choice([1, 1, 1, 2, 3]), "survey_status": "answered" if closed else "none",
            "status": status,
            "engineer": None if status == "logged" else (engineer if closed else rng.choice(engineers)),
            "logged_at": logged, "response_due": due, "responded_at": responded,
            "resolved_at": resolved, "resolution_reason": "Fixed on the tenant" if closed else None,
            "closed_at": closed_at, "updated_at": closed_at or logged, "version": 3 if closed else 1,
        })  # fmt: skip
        history.append({"ticket": tid, "at": logged, "actor": "lead", "kind": "logged",
                        "to_status": "logged", "to_tier": 1, "note": ""})  # fmt: skip
        if closed:
            history.append({"ticket": tid, "at": resolved, "actor": "dev", "kind": "resolved",
                            "from_status": "in_progress", "to_status": "resolved", "from_tier": 1,
                            "to_tier": 1, "note": NOTE})  # fmt: skip
            history.append({"ticket": tid, "at": closed_at, "actor": "rules", "kind": "closed",
                            "from_status": "resolved", "to_status": "closed", "from_tier": 1,
                            "to_tier": 1, "note": ""})  # fmt: skip
        if len(tickets) >= CHUNK:
            yield tickets, history
            tickets, history = [], []
    if tickets:
        yield tickets, history


def _bulk(db: Any, model: Any, rows: list[dict[str, Any]], sqlite: bool) -> None:
    """Rows straight to the driver (executemany on SQLite, COPY on PostgreSQL), each value
    converted by its field as peewee would: building a million INSERTs in peewee would
    be most of the build's time."""
    fields = {f.name: f for f in model._meta.sorted_fields}
    names = sorted({k for r in rows for k in r})
    columns = ", ".join(fields[n].column_name for n in names)
    convert = [fields[n].db_value for n in names]
    values = ([c(row.get(n)) for c, n in zip(convert, names, strict=True)] for row in rows)
    table = model._meta.table_name
    if sqlite:
        marks = ", ".join("?" * len(names))
        db.connection().executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)
        return
    with db.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)


def build(url: str, size: int, open_count: int, seed: int = 1) -> None:
    from deskapp.domain.clock import FixedClock
    from deskapp.services import directory
    from deskapp.store.connection import is_sqlite, open_database, raw_sql
    from deskapp.store.migrations import v0008_views
    from deskapp.store.models import Contact, History, Reseller, Staff, Tenant, Ticket

    db = open_database(url)
    directory.mark_training(db)
    clock = FixedClock(NOW - dt.timedelta(days=400))
    directory.add_staff(db, clock, None, "admin", name="Alex Admin", role="admin")
    for login, name, role in [("lead", "Lee Lead", "lead"), ("amy", "Amy Tier1", "tier1"),
                              ("dev", "Dev Tier2", "tier2")]:  # fmt: skip
        directory.add_staff(db, clock, "admin", login, name=name, role=role)
    engineers = [None, *(s.id for s in Staff.select().where(Staff.role.in_(["tier1", "tier2", "lead"])))]
    sellers = [Reseller.create(name=f"Reseller {i:03d}", country="GB" if i % 3 else "IE", created_at=NOW)
               for i in range(200)]  # fmt: skip
    people = {s.id: Contact.create(reseller=s, name=f"Contact {s.id}") for s in sellers}
    places = {s.id: Tenant.create(reseller=s, name=f"tenant-{s.id}") for s in sellers}
    sqlite = is_sqlite(db)
    # The search index is built once at the end, as the migration builds it: kept row by
    # row while a million rows go in, it would be most of the build's time. On PostgreSQL
    # the process's triggers are off too (tickets set down in every state at once, with
    # their history, by the owner: deskapp.store.bulk_setup does the same for fewer).
    if sqlite:
        for (name,) in raw_sql(db, "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                   "AND name LIKE 'ticket_fts_%'").fetchall():  # fmt: skip
            raw_sql(db, f"DROP TRIGGER {name}")
    else:
        for table in ("ticket", "history"):
            raw_sql(db, f"ALTER TABLE {table} DISABLE TRIGGER USER")
    with db.atomic():
        for tickets, history in _tickets(size, open_count, sellers, people, places, engineers, seed):
            for rows, model in ((tickets, Ticket), (history, History)):
                _bulk(db, model, rows, sqlite)
    if sqlite:
        v0008_views._apply_sqlite(db)
    else:
        for table in ("ticket", "history"):
            raw_sql(db, f"ALTER TABLE {table} ENABLE TRIGGER USER")
        for table in ("ticket", "history"):
            raw_sql(
                db, f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        raw_sql(db, "SELECT ticket_search_refresh(ARRAY(SELECT id FROM ticket))")
    _settle(db)
    db.close()


def _settle(db: Any) -> None:
    """The desk as ten years of use leave it: its statistics gathered (SQLite's ANALYZE) and,
    on PostgreSQL, its tables vacuumed as autovacuum will have done: a table loaded in bulk
    has no page marked all-visible, so no index-only scan (the customer's history counts)
    is planned until then. Only this schema's tables: the server is shared."""
    from deskapp.store.connection import is_sqlite, raw_sql

    if is_sqlite(db):
        raw_sql(db, "ANALYZE")
        return
    tables = raw_sql(db, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()
    for (table,) in tables:
        raw_sql(db, f'VACUUM (ANALYZE) "{table}"')


def child(url: str, ticks: int) -> None:
    """The measured process: launch, sign in (training), show, paint; then tick.
    It starts the way `deskapp.gui.launch.run_gui` does: the Qt-free modules first."""
    marks = {"interpreter": time.time()}
    from deskapp.gui.preload import preload
    from deskapp.user_cache import use_holiday_cache

    use_holiday_cache()  # as `deskapp.cli.main` does
    preload()
    marks["Qt-free imports"] = time.time()
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, QTimer

    from deskapp.domain.clock import FixedClock
    from deskapp.domain.lifecycle import Role
    from deskapp.gui.app import DeskApp
    from deskapp.gui.launch import application
    from deskapp.gui.session import Session
    from deskapp.store.connection import open_database

    marks["Qt and view imports"] = time.time()
    app = application([sys.argv[0]])
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.Format.IniFormat)
    clock = FixedClock(NOW)
    db = open_database(url)
    desk_app = DeskApp(db, clock, settings)
    marks["policy, database, app"] = time.time()
    window = desk_app.start(Session("lead", "Lee Lead", Role.LEAD), start_timers=False, load_async=True)
    window.resize(1600, 900)
    marks["views built"] = time.time()
    loaded_at: list[float] = []  # the most urgent page is in the model
    all_loaded_at: list[float] = []  # every row is
    desk_app.queue_first_page.connect(lambda _n: loaded_at.append(time.time()))
    desk_app.queue_loaded.connect(lambda _n: all_loaded_at.append(time.time()))
    assert desk_app.queue_view is not None and desk_app.model is not None
    viewport = desk_app.queue_view.table.viewport()
    painted: list[float] = []  # first paint of the table with the rows in it
    rss: list[float] = []  # resident memory then
    window_painted: list[float] = []

    class PaintWatch(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                if not window_painted:
                    window_painted.append(time.time())
                if loaded_at and not painted:
                    painted.append(time.time())
                    rss.append(_rss_mb())
                    QTimer.singleShot(0, loop.quit)
            return False

    watch = PaintWatch()
    viewport.installEventFilter(watch)
    loop = QEventLoop()
    desk_app.queue_first_page.connect(lambda _n: viewport.update())
    window.show()
    marks["window shown"] = time.time()
    loop.exec()
    painted_rss = rss[0]
    if not all_loaded_at:  # the rest of the queue (an event loop, so the loader thread runs)
        rest = QEventLoop()
        desk_app.queue_loaded.connect(lambda _n: QTimer.singleShot(0, rest.quit))
        rest.exec()
    memory = {"queue painted": painted_rss}
    app.processEvents()
    full_painted = time.time()
    memory["whole queue loaded"] = _rss_mb()
    loaded = desk_app.model.rowCount()
    searches = _searches(desk_app, app)
    memory["searches done"] = _rss_mb()
    opened = _open_closed(desk_app, app, url)
    memory["closed tickets opened"] = _rss_mb()
    view = desk_app.queue_view
    compute, with_paint = [], []
    for _ in range(ticks):
        now = clock.advance(dt.timedelta(seconds=1))
        t0 = time.perf_counter()
        view.on_tick(now)
        t1 = time.perf_counter()
        app.processEvents()
        t2 = time.perf_counter()
        compute.append((t1 - t0) * 1000)
        with_paint.append((t2 - t0) * 1000)
    rss_mb = _rss_mb()
    visible = len(view.visible_source_rows())
    desk_app.stop()
    print(json.dumps({
        "painted_at": painted[0], "window_at": window_painted[0], "rows": loaded, "visible": visible,
        "all_painted_at": full_painted, "first_at": loaded_at[0], "all_at": all_loaded_at[0],
        "rss_mb": rss_mb, "memory": memory, "marks": marks, "searches": searches, "open_closed_ms": opened,
        "tick_ms": statistics.median(compute) if compute else None,
        "tick_p95_ms": sorted(compute)[int(0.95 * len(compute))] if compute else None,
        "tick_paint_ms": statistics.median(with_paint) if with_paint else None,
    }))  # fmt: skip


def _wait(signal: Any, start: Any, seconds: float = 30.0) -> tuple[float, Any]:
    """Call `start`, run the event loop until `signal` fires; (ms taken, its argument)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    got: list[tuple[float, Any]] = []

    def fired(value: Any = None) -> None:
        if not got:
            got.append((time.perf_counter(), value))
            QTimer.singleShot(0, loop.quit)

    signal.connect(fired)
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    t0 = time.perf_counter()
    start()
    if not got:
        loop.exec()
    signal.disconnect(fired)
    if not got:
        raise RuntimeError(f"no answer within {seconds:.0f} s")
    return (got[0][0] - t0) * 1000, got[0][1]


def _searches(desk_app: Any, app: Any, repeats: int = 5) -> dict[str, Any]:
    """Each query as the Find page runs it, from the query given to its first page
    shown in the view (the worker thread, the index, the rows read, the model reset,
    the view painted), and the service call alone."""
    view = desk_app.search_view
    found: dict[str, Any] = {}
    for label, query in SEARCHES.items():
        shown, service, rows = [], [], 0
        for _ in range(repeats):
            view.search("")  # a new search each time, not the same generation's rows
            ms, rows = _wait(view.results_shown, lambda q=query: view.search(q))
            t0 = time.perf_counter()
            app.processEvents()  # the repaint the new rows cause
            shown.append(ms + (time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            desk_app.desk.search(query, limit=view.model.page_size, offset=0)
            service.append((time.perf_counter() - t0) * 1000)
        found[label] = {"query": query, "rows": rows, "shown_ms": statistics.median(shown),
                        "worst_ms": max(shown), "service_ms": statistics.median(service)}  # fmt: skip
    return found


def _open_closed(desk_app: Any, app: Any, url: str, count: int = 20) -> dict[str, float]:
    """Opening closed tickets from across the ten years in the ticket view, each until
    the view has shown it (its read on the worker, then the paint)."""
    import peewee as pw

    from deskapp.services.intake import NUMBER_FORMAT
    from deskapp.store.models import Ticket

    # Picked by the key, a few rows read: a list of every closed ticket (900k peewee
    # objects made in the measured process) would count in its memory and its GUI thread.
    is_closed = Ticket.status == "closed"
    low, high = (
        Ticket.select(pw.fn.MIN(Ticket.id), pw.fn.MAX(Ticket.id)).where(is_closed).scalar(as_tuple=True)
    )
    rng = random.Random(7)
    picks = []
    for _ in range(count if low is not None else 0):
        at = rng.randint(low, high)
        picks.append(Ticket.select(Ticket.id).where(is_closed, Ticket.id >= at).order_by(Ticket.id).scalar())
    times = []
    view = desk_app.ticket_view
    for number in (NUMBER_FORMAT.format(tid) for tid in picks):
        # from the request to the page painted: the read runs on the ticket view's worker
        ms, _page = _wait(view.shown, lambda n=number: desk_app.open_ticket(n))
        t0 = time.perf_counter()
        app.processEvents()
        times.append(ms + (time.perf_counter() - t0) * 1000)
    if not times:
        return {}
    return {"median": statistics.median(times), "worst": max(times)}


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _launch(url: str, ticks: int, env: dict[str, str]) -> dict[str, Any]:
    """One measured launch in a fresh interpreter; its figures, with the instant it was started."""
    started = time.time()
    done = subprocess.run(
        [sys.executable, __file__, "--child", url, "--ticks", str(ticks)],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"the measured launch failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    out = done.stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["started"] = started
    return result


def _pg_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(f'-csearch_path={schema}')}"


def _pg_schema(base: str) -> tuple[str, Any]:
    """A URL on a new schema of the server at `base`, and a function that drops it."""
    from deskapp.store.connection import database_from_url, raw_sql

    schema = f"guibench_{uuid.uuid4().hex[:12]}"
    admin = database_from_url(base)
    admin.connect()
    raw_sql(admin, f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        raw_sql(admin, f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()

    return _pg_url(base, schema), drop


def _built_mark(size: int, open_count: int) -> str:
    return f"guibench desk built: {size} tickets, {open_count} open"


def _kept_sqlite(folder: Path, size: int, open_count: int) -> tuple[str, bool, Any]:
    """The kept SQLite desk's URL in `folder`, whether its build finished (a marker file
    written after it), and a function writing that marker: an unfinished desk is
    removed, to be built again."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"guibench-{size}-{open_count}.sqlite3"
    marker = path.with_name(path.name + ".built")
    done = marker.exists() and marker.read_text(encoding="utf-8") == _built_mark(size, open_count)
    if not done:
        for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
            leftover.unlink(missing_ok=True)

    def mark() -> None:
        marker.write_text(_built_mark(size, open_count), encoding="utf-8")

    return f"sqlite:///{path}", done, mark


def _kept_schema(base: str, size: int, open_count: int) -> tuple[str, bool, Any]:
    """The kept PostgreSQL desk's URL (schema `guibench_keep_<size>_<open>`), whether its
    build finished (the schema's comment says so), and a function marking it finished.
    An unfinished schema is dropped and made again, to be built again."""
    from deskapp.store.connection import database_from_url, raw_sql

    schema = f"guibench_keep_{size}_{open_count}"
    admin = database_from_url(base)
    admin.connect()
    try:
        row = raw_sql(
            admin,
            "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s",
            (schema,),
        ).fetchone()
        done = row is not None and row[0] == _built_mark(size, open_count)
        if not done:
            raw_sql(admin, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            raw_sql(admin, f'CREATE SCHEMA "{schema}"')
    finally:
        admin.close()

    def mark() -> None:
        admin.connect()
        try:
            raw_sql(admin, f"COMMENT ON SCHEMA \"{schema}\" IS '{_built_mark(size, open_count)}'")
        finally:
            admin.close()

    return _pg_url(base, schema), done, mark


def _upgrade(url: str) -> None:
    """A kept desk brought up to this checkout's schema (its migrations, e.g. a new
    index over a million rows), so no measured launch pays for it."""
    from deskapp.store.connection import open_database

    db = open_database(url)
    _settle(db)  # the step's new indexes: their statistics, and all-visible pages on PostgreSQL
    db.close()


def _report(name: str, size: int, open_count: int, runs: list[dict[str, Any]]) -> None:
    cold, warm = runs[0], runs[1:]
    painted = [r["painted_at"] - r["started"] for r in warm]
    print(
        f"\n== {name}: {size:,} tickets "
        f"({size - open_count:,} closed over {YEARS} years, {open_count:,} open)"
    )
    print(f"queue rows loaded:            {warm[-1]['rows']:,} ({warm[-1]['visible']} visible)")
    print(
        f"launch to queue painted:      {statistics.median(painted):.2f} s median of "
        f"{len(painted)} launches, worst {max(painted):.2f} s   "
        "(target <= 1.0 s; the most urgent tickets, sorted by due)"
    )
    print(f"  each launch:                {', '.join(f'{p:.2f}' for p in painted)} s")
    print(
        f"  first launch after install: {cold['painted_at'] - cold['started']:.2f} s "
        "(holidays read from the library, then kept in the user cache folder)"
    )
    result = warm[-1]
    started = result["started"]
    print(f"launch to window painted:     {result['window_at'] - started:.2f} s   (the last launch)")
    last = started
    for step, at in result["marks"].items():
        print(f"  {step + ':':<28}{at - last:.2f} s")
        last = at
    print(f"  {'queue painted:':<28}{result['painted_at'] - last:.2f} s")
    whole = result["all_painted_at"] - started
    print(f"launch to whole queue loaded: {whole:.2f} s   (counts and filters complete)")
    first_at, all_at = result["first_at"] - started, result["all_at"] - started
    print(f"  (first page in the model at {first_at:.2f} s, all rows at {all_at:.2f} s)")
    print("search over the whole history, query to first page shown (target <= 100 ms):")
    for label, found in result["searches"].items():
        print(
            f"  {label + ':':<16}{found['shown_ms']:7.1f} ms median, worst {found['worst_ms']:.1f} ms, "
            f"service alone {found['service_ms']:.1f} ms   ({found['rows']} shown for {found['query']!r})"
        )
    opened = result["open_closed_ms"]
    if opened:
        print(
            f"opening a closed ticket:      {opened['median']:.1f} ms median, worst {opened['worst']:.1f} ms"
            "   (target <= 50 ms)"
        )
    tick, p95 = result["tick_ms"], result["tick_p95_ms"]
    print(f"one countdown tick:           {tick:.2f} ms median, {p95:.2f} ms p95   (target <= 5 ms)")
    print(f"  tick including its repaint: {result['tick_paint_ms']:.2f} ms median")
    print(f"resident memory:              {result['rss_mb']:.0f} MB   (target <= 400 MB)")
    print("  " + ", ".join(f"{phase} {mb:.0f} MB" for phase, mb in result["memory"].items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000, help="all tickets, open and closed")
    parser.add_argument("--open", type=int, default=100_000, help="how many of them are open")
    parser.add_argument("--ticks", type=int, default=300)
    parser.add_argument("--launches", type=int, default=5, help="launches measured after the first")
    parser.add_argument("--databases", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument("--pg-url", default=os.environ.get("DESKAPP_TEST_PG_URL"),
                        help="the PostgreSQL server (default: DESKAPP_TEST_PG_URL)")  # fmt: skip
    parser.add_argument("--keep-at", metavar="DIR", type=Path,
                        help="keep the desks built (SQLite in DIR, PostgreSQL in a named schema) "
                        "and use them again when their build finished")  # fmt: skip
    parser.add_argument("--child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.ticks)
        return 0
    if not 1 <= args.open <= args.tickets:
        parser.error("--open must be between 1 and --tickets")
    names = [n.strip() for n in args.databases.split(",") if n.strip()]
    if unknown := sorted(set(names) - {"sqlite", "postgres"}):
        parser.error(f"--databases: unknown {', '.join(unknown)} (sqlite, postgres)")
    if "postgres" in names and not args.pg_url:
        parser.error("postgres needs --pg-url or DESKAPP_TEST_PG_URL")
    for name in names:
        with tempfile.TemporaryDirectory(prefix="deskapp-guibench-") as tmp:
            drop = mark = None
            built = False
            if args.keep_at is not None and name == "sqlite":
                url, built, mark = _kept_sqlite(args.keep_at, args.tickets, args.open)
            elif args.keep_at is not None:
                url, built, mark = _kept_schema(args.pg_url, args.tickets, args.open)
            elif name == "sqlite":
                url = f"sqlite:///{Path(tmp) / 'training.sqlite3'}"
            else:
                url, drop = _pg_schema(args.pg_url)
            try:
                t = time.perf_counter()
                if built:
                    _upgrade(url)
                    print(f"{name}: using the kept desk of {args.tickets:,} tickets", flush=True)
                else:
                    build(url, args.tickets, args.open)
                    if mark is not None:
                        mark()
                    print(
                        f"{name}: built {args.tickets:,} tickets in {time.perf_counter() - t:.0f} s",
                        flush=True,
                    )
                env = {
                    **os.environ,
                    "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
                    "XDG_CACHE_HOME": str(Path(tmp) / "cache"),  # starts empty: the first launch is cold
                }
                runs = [_launch(url, 0, env)]  # first launch after install: no holiday cache yet
                runs += [_launch(url, 0, env) for _ in range(args.launches - 1)]
                runs.append(_launch(url, args.ticks, env))  # the one whose ticks and memory are reported
            finally:
                if drop is not None:
                    drop()
        _report(name, args.tickets, args.open, runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
