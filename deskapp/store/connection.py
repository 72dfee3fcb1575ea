"""Open a database from a URL: SQLite (the embedded default) or PostgreSQL.

    open_database(url=None) -> peewee.Database

`url` is `sqlite:////absolute/file.sqlite3`, `sqlite:///relative.sqlite3`, a plain file path, or
`postgresql://user:password@host:port/dbname[?options=-csearch_path%3Dschema]`.
With no URL: the `DESKAPP_DB` environment variable, else a SQLite file in the
platformdirs user data folder. The schema is created, or upgraded by
`deskapp.store.migrations`, on open; the models are bound to the database.
"""

from __future__ import annotations

import contextlib
import glob
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

import peewee as pw

from deskapp.private_files import private_file, private_folder, tighten_files
from deskapp.store.kerberos import choose_gssencmode, explain
from deskapp.store.models import MODELS

ENV_DB = "DESKAPP_DB"
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "busy_timeout": 15_000,  # ms: wait for another workstation's write, never fail at once
    "foreign_keys": 1,
    "synchronous": "normal",
    # 64 MiB of page cache (SQLite's default is 2 MiB): a desk's database of
    # 100k tickets is ~50 MB, and a rule pass over it re-reads far fewer pages.
    "cache_size": -65536,
}


# The window's SQLite connections (one a thread: the GUI's, and each worker's kept for a
# day of reads) keep at most this much page cache each: at 64 MiB apiece a desk of a
# million tickets filled them with what the queue, searches and opened tickets read, the
# largest part of the window's memory. The operating system caches the file as well; a
# rule pass raises its own connection's back (`RULE_PASS_CACHE_KIB`), which it re-reads.
GUI_SQLITE_CACHE_KIB = 8_192
RULE_PASS_CACHE_KIB = 65_536

SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")

# A server that accepts and never answers must not hang a window or a command: libpq gives
# up connecting after this (the whole start-up, not just the TCP handshake).
CONNECT_TIMEOUT_S = 10
# The app's own sessions on PostgreSQL: no statement of the window's waits longer than this
# (a lock held elsewhere, a server that stopped answering mid-query); the CLI has none.
GUI_STATEMENT_TIMEOUT_MS = 30_000


class DatabaseUrlError(ValueError):
    pass


def default_sqlite_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("deskapp", appauthor=False)) / "deskapp.sqlite3"


def default_database_url() -> str:
    return os.environ.get(ENV_DB) or f"sqlite:///{default_sqlite_path()}"


def database_from_url(url: str) -> pw.Database:
    """An unopened peewee database for `url` (see the module docstring)."""
    text = url.strip()
    if not text:
        raise DatabaseUrlError("the database URL is empty")
    if "://" not in text:
        return _sqlite(text)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535"
        raise DatabaseUrlError(f"{redact(text)}: not a URL deskapp can read ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative.sqlite3, sqlite:////absolute/path.sqlite3 (SQLAlchemy style)
        path = unquote(text[len("sqlite://") :].split("?", 1)[0])
        path = path[1:] if path.startswith("/") else path
        return _sqlite(path or ":memory:")
    if scheme in ("postgres", "postgresql", "psycopg3"):
        from deskapp.store.reconnect import ReconnectingPostgres

        params: dict[str, object] = dict(parse_qsl(parts.query))
        if parts.username:
            params["user"] = unquote(parts.username)
        if parts.password:
            params["password"] = unquote(parts.password)
        if parts.hostname:
            params["host"] = parts.hostname
        if port:
            params["port"] = port
        params.setdefault("connect_timeout", CONNECT_TIMEOUT_S)  # the URL may say otherwise
        choose_gssencmode(params)  # a Kerberos sign-on alike with every libpq (store.kerberos)
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise DatabaseUrlError(f"{redact(text)}: no database name after the host")
        pg: pw.Database = ReconnectingPostgres(name, **params)  # carries on after a restart
        return pg
    raise DatabaseUrlError(
        f"{redact(text)}: unknown database kind {scheme!r} (use sqlite:/// or postgresql://)"
    )


def _sqlite(path: str) -> pw.SqliteDatabase:
    if path != ":memory:":
        from deskapp.store.network_share import network_kind

        path = str(Path(path).expanduser())
        kind = network_kind(path)
        if kind is not None:
            raise DatabaseUrlError(
                f"{path} is on a network share ({kind}): a SQLite desk must be on this "
                "workstation's own disk, because SQLite cannot share a file safely over the "
                "network; a desk for several workstations belongs on PostgreSQL "
                "(--db postgresql://LOGIN@server/desk)"
            )
    return pw.SqliteDatabase(path, pragmas=SQLITE_PRAGMAS)


def _prepare_sqlite_file(db: pw.Database, *, create: bool) -> None:
    """Make a new SQLite file's folder when creating; otherwise refuse a missing file
    instead of leaving an empty one (after which the app's first run never appears).

    The file (and its -wal, -shm and migration backups) is readable by its owner
    only: made 0600 before SQLite opens it, so SQLite gives the -wal and -shm it
    makes the same mode, and tightened when found looser; a folder made for it is
    0700, and so is deskapp's own data folder (`deskapp.private_files`)."""
    name = str(db.database)
    if name == ":memory:":
        return
    path = Path(name)
    if path.is_dir():
        raise DatabaseUrlError(
            f"{path} is a folder, not a SQLite file: name a file in it, e.g. {path / 'desk.sqlite3'}"
        )
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise DatabaseUrlError(f"cannot use {path}: {parent} is a file, not a folder")
            break
    if path.exists():
        _keep_private(path)
        return
    if not create:
        raise DatabaseUrlError(
            f"there is no desk at {path}: make one with `deskapp init` (or start the app), "
            "or name another with --db"
        )
    try:
        private_folder(path.parent, tighten=_is_own_folder(path.parent))
        private_file(path)
    except OSError as exc:
        raise DatabaseUrlError(f"cannot make the folder for {path}: {exc.strerror or exc}") from None


def _is_own_folder(folder: Path) -> bool:
    """deskapp's data folder (tightened to 0700), not a folder the user named (left alone)."""
    with contextlib.suppress(OSError):
        return folder.resolve() == default_sqlite_path().parent.resolve()
    return False


def _keep_private(path: Path) -> None:
    if _is_own_folder(path.parent):
        private_folder(path.parent)
    siblings = [path.with_name(path.name + suffix) for suffix in SQLITE_SIDE_FILES]
    tighten_files([path, *siblings, *path.parent.glob(glob.escape(path.name) + ".v*.bak")])


SECRET_QUERY_KEYS = frozenset({"password", "sslpassword"})  # libpq's: the login's, the TLS key's


def redact(url: str) -> str:
    """The URL with its password replaced by ***, for messages and `--version`: the
    one in `user:pw@` and a `password=` (or `sslpassword=`) in the query string alike.
    Never raises: a URL too broken to parse loses everything that could be secret."""
    try:
        parts = urlsplit(url)
        if parts.password:
            url = url.replace(f":{parts.password}@", ":***@")
            parts = urlsplit(url)
        if parts.query:
            pairs = parse_qsl(parts.query, keep_blank_values=True)
            if any(key.lower() in SECRET_QUERY_KEYS for key, _ in pairs):
                query = "&".join(
                    f"{quote(key)}=***" if key.lower() in SECRET_QUERY_KEYS
                    else f"{quote(key)}={quote(value, safe='')}"
                    for key, value in pairs
                )  # fmt: skip
                url = urlunsplit(parts._replace(query=query))
    except ValueError:  # "Invalid IPv6 URL" and the like
        head, sep, rest = url.partition("://")
        if "@" in rest:
            rest = "***@" + rest.rsplit("@", 1)[1]
        if "?" in rest:
            rest = rest.split("?", 1)[0] + "?***"
        url = head + sep + rest
    return url


def describe(db: pw.Database) -> str:
    """A human name for a database (no password)."""
    if isinstance(db, pw.SqliteDatabase):
        return f"SQLite {db.database}"
    params = db.connect_params
    return f"PostgreSQL {params.get('host', 'localhost')}/{db.database}"


def raw_sql(db: pw.Database, query: str, params: Sequence[Any] = ()) -> Any:
    """Run one SQL statement; returns the cursor (typed wrapper for peewee's execute_sql)."""
    return db.execute_sql(query, params)  # type: ignore[no-untyped-call]


def is_sqlite(db: pw.Database) -> bool:
    return isinstance(db, pw.SqliteDatabase)


def use(db: pw.Database) -> None:
    """Bind the models to `db` (a no-op when they already are)."""
    if MODELS[0]._meta.database is not db:
        db.bind(MODELS, bind_refs=False, bind_backrefs=False)


def limit_statements(db: pw.Database, milliseconds: int) -> None:
    """On PostgreSQL, cancel any statement running longer than `milliseconds`: on this
    thread's open connection now, and on every connection opened later (each thread has its
    own). SQLite waits for a lock at most its busy_timeout already (SQLITE_PRAGMAS)."""
    if is_sqlite(db):
        return
    setting = f"-c statement_timeout={int(milliseconds)}"
    options = str(db.connect_params.get("options", "")).strip()
    db.connect_params["options"] = f"{options} {setting}".strip()
    if not db.is_closed():
        raw_sql(db, f"SET statement_timeout = {int(milliseconds)}")


def limit_cache(db: pw.Database, kib: int) -> None:
    """SQLite: at most `kib` KiB of page cache on this thread's open connection now, and
    on every connection opened later (each thread has its own); PostgreSQL: nothing."""
    if not isinstance(db, pw.SqliteDatabase):
        return
    pragmas = [(k, v) for k, v in db._pragmas if k != "cache_size"]  # type: ignore[attr-defined]
    db._pragmas = [*pragmas, ("cache_size", -int(kib))]  # type: ignore[attr-defined]
    if not db.is_closed():
        raw_sql(db, f"PRAGMA cache_size = {-int(kib)}")


def cache_here(db: pw.Database, kib: int) -> None:
    """SQLite: `kib` KiB of page cache on this thread's connection alone (opened if need
    be), until it closes; PostgreSQL: nothing."""
    if isinstance(db, pw.SqliteDatabase):
        raw_sql(db, f"PRAGMA cache_size = {-int(kib)}")


def open_database(
    url: str | None = None, *, create: bool = True, check: bool = False, password: str | None = None,
    on_full: Callable[[str], None] | None = None, statement_timeout_ms: int | None = None,
) -> pw.Database:  # fmt: skip
    """Connect, bind the models, and create or upgrade the schema.

    A PostgreSQL server with no free connection slot is waited for, saying so
    through `on_full` before each new attempt (`deskapp.store.server_full`); when
    none comes free in time, `DatabaseUrlError` says the server is full.

    A SQLite file made by an older release is backed up next to itself
    before it is migrated. `create=False` refuses a database with no schema.
    `check` (init) reads every page of a SQLite file first and refuses a damaged
    one (`DamagedDatabase`) instead of migrating it and reporting success.
    `password`: PostgreSQL's, for a URL that carries none (the person's own).
    `statement_timeout_ms` limits every later statement (`limit_statements`; the
    schema's upgrade, if any, runs before it applies)."""
    from deskapp.store.migrations import ensure_schema

    db = database_from_url(url or default_database_url())
    if password and not is_sqlite(db) and not db.connect_params.get("password"):
        db.connect_params["password"] = password
    if is_sqlite(db):
        _prepare_sqlite_file(db, create=create)
    from deskapp.store.server_full import ServerFull, connect_patiently

    try:
        if is_sqlite(db):
            db.connect(reuse_if_open=True)
        else:
            connect_patiently(db, describe(db), on_full)
    except ServerFull as exc:
        raise DatabaseUrlError(str(exc)) from None
    except pw.OperationalError as exc:
        login = db.connect_params.get("user")
        message = explain(f"cannot open {describe(db)}: {exc}".strip(), str(login) if login else None)
        raise DatabaseUrlError(message) from None
    if check and is_sqlite(db):
        check_sqlite_integrity(db)
    use(db)
    ensure_schema(db, create=create)
    if statement_timeout_ms is not None:
        limit_statements(db, statement_timeout_ms)
    return db


class DamagedDatabase(DatabaseUrlError):
    """A SQLite file whose pages do not read back as a database."""


def check_sqlite_integrity(db: pw.Database) -> None:
    """Refuse a SQLite file that `PRAGMA integrity_check` finds damaged (it reads every
    page: seconds for a big desk, so `init` runs it, not every command)."""
    try:
        rows = [str(r[0]) for r in raw_sql(db, "PRAGMA integrity_check(5)").fetchall()]
    except (
        pw.DatabaseError,
        sqlite3.DatabaseError,
    ) as exc:  # "file is not a database", "malformed" at the header
        db.close()
        raise DamagedDatabase(
            f"{describe(db)} is damaged or not a desk: {exc}; restore it from a backup"
        ) from None
    if rows != ["ok"]:
        db.close()
        first = rows[0].replace("*** in database main ***", "").strip().splitlines()[0] if rows else "?"
        raise DamagedDatabase(f"{describe(db)} is damaged ({first[:120]}); restore it from a backup")


@contextlib.contextmanager
def write_transaction(db: pw.Database) -> Iterator[None]:
    """One atomic write. On SQLite it takes the write lock at BEGIN (IMMEDIATE),
    so two workstations never both read-then-write the same row.

    If the connection to PostgreSQL is lost, it raises `DatabaseUnavailable`,
    saying whether the commit may have happened (`deskapp.store.reconnect`);
    the next operation reconnects."""
    if is_sqlite(db):
        with db.atomic("IMMEDIATE"):
            yield
        return
    from deskapp.store.reconnect import DatabaseUnavailable, connection_lost, drop_connection
    from deskapp.store.refusals import refusal

    body_done = False
    try:
        with db.atomic():
            yield
            body_done = True  # what fails from here on is the COMMIT
    except (pw.DatabaseError, pw.InterfaceError) as exc:
        # A change the database's triggers refused (schema v11), in the app's words.
        refused = refusal(exc)
        if refused is not None:
            raise refused from None
        if not isinstance(exc, (pw.OperationalError, pw.InterfaceError)):
            raise
        if isinstance(exc, DatabaseUnavailable) or not connection_lost(db):
            raise
        drop_connection(db)
        raise DatabaseUnavailable(describe(db), exc, maybe_saved=body_done) from exc
