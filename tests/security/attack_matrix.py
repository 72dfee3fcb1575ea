"""The attack matrix: what a curious person with psql and their own credentials tries.

Each `Attack` is one SQL statement, run by every group role it applies to (each
through its own login, plain psycopg, never the app), in its own transaction,
rolled back afterwards, with what must come of it:

- "refused": the server raises an error, or the statement touches no row and
  returns nothing (a secret that is not there cannot be read);
- "recorded": the statement may succeed, but `check(owner, ctx)` must then find
  it recorded truthfully (true actor and server time). The history helper's
  cases (ticket UPDATEs, INSERT INTO history) are appended to `ATTACKS` this way.
  A session that turns its timeouts off (`SET statement_timeout = 0`, ...) and
  stalls (`STALLS`) is "recorded" when the watchdog ends it and names its login.

The guards' cases of tests/security/guard_attacks.py (mail lease, outbox authors,
who re-prioritises) run with them. The ticket attacks of
tests/security/ticket_attacks.py run too, for every group
role, on fresh tickets (tests/security/ticket_matrix.py, named "ticket: ...").

`run_matrix(owner_url)` makes a desk with login roles in a fresh schema, runs
everything, drops the roles and the schema, and returns the `Figures`: tried,
refused, recorded truthfully, escapes (must be 0). `bench/attack_matrix.py` and
tests/security/test_attack_matrix.py both run it.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import psycopg

Expect = Literal["refused", "recorded"]
ROLES = ("tier1", "tier2", "lead", "admin")
NOT_ADMIN = ("tier1", "tier2", "lead")


@dataclass
class Context:
    """What a statement may name: {me}, {admin}, {other}, {ticket}, {admin_group}, ..."""

    schema: str
    prefix: str
    logins: dict[str, str]  # role -> login
    passwords: dict[str, str]
    ticket_id: int
    verifier: str
    conninfo: dict[str, Any]
    owner: str

    def names(self, role: str) -> dict[str, Any]:
        me = self.logins[role]
        other = self.logins["tier1" if role != "tier1" else "tier2"]
        return {
            "me": me, "admin": self.logins["admin"], "other": other, "ticket": self.ticket_id,
            "admin_group": f"{self.prefix}_admin", "owner": self.owner, "prefix": self.prefix,
            "schema": self.schema,
            "verifier": self.verifier, "evil": f"evil_{uuid.uuid4().hex[:8]}",
        }  # fmt: skip


@dataclass(frozen=True)
class Attack:
    name: str
    sql: str  # str.format()ed with Context.names(role); quote names with "{me}" yourself
    expect: Expect = "refused"
    roles: tuple[str, ...] = ROLES
    # For "recorded": did the desk record it truthfully? (owner connection, context, role, started)
    check: Callable[[psycopg.Connection[Any], Context, str, dt.datetime], bool] | None = None
    # Run by the owner before each try (the state the case needs, e.g. another's live lease).
    setup: Callable[[psycopg.Connection[Any], Context], None] | None = None


ATTACKS: list[Attack] = [
    Attack("promote oneself", "UPDATE staff SET role = 'admin' WHERE login = '{me}'"),
    Attack("read password hashes", "SELECT login, password_hash FROM staff WHERE password_hash IS NOT NULL"),
    Attack("read the server's password verifiers", "SELECT rolname, rolpassword FROM pg_authid"),
    Attack(
        "copy a hash onto oneself",
        "UPDATE staff SET password_hash = 'scrypt$16384$8$1$AAAA$AAAA' WHERE login = '{me}'",
    ),
    Attack("make the desk a training desk", "INSERT INTO meta VALUES ('training', 'true')"),
    Attack("mark training by update", "UPDATE meta SET value = 'true' WHERE key = 'training'"),
    Attack("change the schema version", "UPDATE meta SET value = '1' WHERE key = 'schema_version'"),
    Attack("move the desk's role prefix", "UPDATE meta SET value = 'x' WHERE key = 'role_prefix'"),
    Attack("grant oneself the admin group", 'GRANT "{admin_group}" TO "{me}"'),
    Attack("SET ROLE to the admin group", 'SET ROLE "{admin_group}"', roles=NOT_ADMIN),
    Attack("SET ROLE to the owner", 'SET ROLE "{owner}"'),
    Attack("create a role", "CREATE ROLE \"{evil}\" LOGIN PASSWORD 'x'"),
    Attack("give oneself CREATEROLE", 'ALTER ROLE "{me}" CREATEROLE'),
    Attack(
        "add staff through the function",
        "SELECT deskapp_staff_add('{evil}', 'Evil', 'admin', '{verifier}')",
        roles=NOT_ADMIN,
    ),
    Attack(
        "re-role oneself through the function",
        "SELECT deskapp_staff_set_role('{me}', 'admin')",
        roles=NOT_ADMIN,
    ),
    Attack("stop another's sign-in", "SELECT deskapp_staff_set_active('{other}', false)", roles=NOT_ADMIN),
    Attack(
        "set another's password",
        "SELECT deskapp_staff_set_password('{other}', '{verifier}')",
        roles=NOT_ADMIN,
    ),
    Attack("set the owner's password", "SELECT deskapp_staff_set_password('{owner}', '{verifier}')"),
    Attack(
        "make a login with the inner function", "SELECT deskapp_make_login('{evil}', 'admin', '{verifier}')"
    ),
    Attack("delete a ticket", "DELETE FROM ticket WHERE id = {ticket}"),
    Attack("delete history", "DELETE FROM history"),
    Attack("truncate tickets", "TRUNCATE ticket CASCADE"),
    Attack("disable the triggers", "ALTER TABLE ticket DISABLE TRIGGER ALL"),
    Attack("create a table in the desk's schema", "CREATE TABLE {schema}.evil (x int)"),
    Attack("read mail secrets", "SELECT key FROM meta WHERE value ILIKE '%%password%%'"),
    Attack("change the mail server", "UPDATE meta SET value = '{{}}' WHERE key = 'smtp'", roles=NOT_ADMIN),
    Attack(
        "add a reseller",
        "INSERT INTO reseller (name, country, created_at) VALUES ('Evil', 'GB', now())",
        roles=NOT_ADMIN,
    ),
    Attack(
        "shadow the staff table with a temporary one, then set another's password",
        "CREATE TEMP TABLE staff (login text, role text, active boolean); "
        "INSERT INTO staff VALUES ('{me}', 'admin', true); "
        "SELECT deskapp_staff_set_password('{other}', '{verifier}')",
        roles=NOT_ADMIN,
    ),
    Attack("turn off row-level security on meta", "ALTER TABLE meta DISABLE ROW LEVEL SECURITY"),
    Attack(
        "rename a key of meta to the training marker", "UPDATE meta SET key = 'training' WHERE key = 'smtp'"
    ),
    Attack(
        "become another with SET SESSION AUTHORIZATION",
        "SET SESSION AUTHORIZATION '{admin}'",
        roles=NOT_ADMIN,
    ),
    Attack("read a server file", "SELECT pg_read_file('/etc/passwd')"),
    Attack("rewrite a history row's actor", "UPDATE history SET actor = 'someone'"),
    Attack(
        "end the owner's sessions",
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE usename = '{owner}' AND pid <> pg_backend_pid()",
    ),
    Attack("re-role the owner", "SELECT deskapp_staff_set_role('{owner}', 'tier1')", roles=("admin",)),
    Attack("stop one's own sign-in", "SELECT deskapp_staff_set_active('{me}', false)", roles=("admin",)),
    Attack(
        "give up one's own admin role", "SELECT deskapp_staff_set_role('{me}', 'tier1')", roles=("admin",)
    ),
    Attack(
        "add staff by INSERT",
        "INSERT INTO staff (login, name, role, active, created_at) "
        "VALUES ('{evil}', 'E', 'admin', true, now())",
    ),
]


def recorded_in_history(kind: str | None = None) -> Callable[..., bool]:
    """A "recorded" case's check: the ticket's newest history row names the person who
    ran the statement as its actor, at the server's time (and is of `kind`, if given)."""

    def check(owner: psycopg.Connection[Any], ctx: Context, role: str, started: dt.datetime) -> bool:
        row = owner.execute(
            "SELECT actor, kind, at, (now() AT TIME ZONE 'UTC') FROM history WHERE ticket_id = %s "
            "ORDER BY id DESC LIMIT 1",
            (ctx.ticket_id,),
        ).fetchone()
        if row is None:
            return False
        actor, got_kind, at, server_now = row
        begun = started.astimezone(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=1)
        return bool(
            actor == ctx.logins[role] and (kind is None or got_kind == kind) and begun <= at <= server_now
        )

    return check


@dataclass
class Outcome:
    attack: str
    role: str
    verdict: Literal["refused", "recorded", "escape"]
    detail: str


@dataclass
class Figures:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def tried(self) -> int:
        return len(self.outcomes)

    def count(self, verdict: str) -> int:
        return sum(1 for o in self.outcomes if o.verdict == verdict)

    @property
    def escapes(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.verdict == "escape"]

    def summary(self) -> str:
        return (
            f"attack matrix: tried {self.tried}, refused {self.count('refused')}, "
            f"recorded truthfully {self.count('recorded')}, escapes {len(self.escapes)}"
        )


def connect_as(ctx: Context, role: str) -> psycopg.Connection[Any]:
    return psycopg.connect(
        **ctx.conninfo, user=ctx.logins[role], password=ctx.passwords[role],
        options=f"-csearch_path={ctx.schema}",
    )  # fmt: skip


def try_attack(conn: psycopg.Connection[Any], owner: psycopg.Connection[Any], ctx: Context,
               attack: Attack, role: str) -> Outcome:  # fmt: skip
    sql = attack.sql.format(**ctx.names(role))
    if attack.setup is not None:
        attack.setup(owner, ctx)
    started = owner.execute("SELECT now()").fetchone()[0]  # type: ignore[index]
    try:
        with conn.transaction():
            cur = conn.execute(sql)
            rows = cur.fetchall() if cur.description else []
            touched = cur.rowcount if cur.description is None else len(rows)
            if attack.expect != "recorded":
                raise _Rollback(touched, rows)  # never keep what a refused case did
    except _Rollback as back:
        if back.touched <= 0 and not back.rows:
            return Outcome(attack.name, role, "refused", "no row touched, nothing returned")
        return Outcome(attack.name, role, "escape", f"touched {back.touched}, returned {back.rows[:3]!r}")
    except psycopg.Error as exc:
        conn.rollback()
        return Outcome(attack.name, role, "refused", (exc.diag.message_primary or str(exc))[:120])
    # "recorded": it ran and committed; the desk must say truthfully who and when.
    assert attack.check is not None, attack.name
    if attack.check(owner, ctx, role, started):
        return Outcome(attack.name, role, "recorded", "recorded with the true actor and time")
    return Outcome(attack.name, role, "escape", "ran without a truthful record")


class _Rollback(Exception):
    def __init__(self, touched: int, rows: list[Any]) -> None:
        super().__init__("roll back")
        self.touched, self.rows = touched, rows


def run_attacks(ctx: Context, owner: psycopg.Connection[Any], attacks: list[Attack] | None = None) -> Figures:
    figures = Figures()
    for role in ROLES:
        with connect_as(ctx, role) as conn:
            for attack in attacks or ATTACKS:
                if role in attack.roles:
                    figures.outcomes.append(try_attack(conn, owner, ctx, attack, role))
    return figures


def hold_rules_lock_then_run(ctx: Context, owner_url: str, wait: float = 1.0) -> Outcome:
    """A person holds the rules' advisory lock (session-level: no idle timeout frees
    it); a `rules run` by another must end within the wait, saying why."""
    import contextlib
    import io

    from deskapp.cli.main import main
    from deskapp.rules import engine

    lock_key = engine._ADVISORY_KEY
    holder = connect_as(ctx, "tier1")
    holder.autocommit = True
    holder.execute("SELECT pg_advisory_lock(%s)", (lock_key,))
    saved = engine.RULES_LOCK_WAIT
    engine.RULES_LOCK_WAIT = wait
    err = io.StringIO()
    url = desk_url(ctx, owner_url, "lead")
    started = time.monotonic()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["--db", url, "rules", "run"])
    finally:
        engine.RULES_LOCK_WAIT = saved
        holder.close()
    took = time.monotonic() - started
    message = err.getvalue()
    ok = code == 1 and "rules' lock has been held" in message and took < wait + 5
    detail = f"rules run ended in {took:.1f} s, code {code}: {message.strip()[:160]}"
    return Outcome("hold the rules lock", "tier1", "refused" if ok else "escape", detail)


# Sessions that turn their own timeouts off, then stall the desk (schema v13's watchdog):
# (name, statements run first, what it then does: "idle" sits in its transaction or on
# its session's lock, "statement" runs one statement for ever). Each must be ended, and
# named truthfully by the watchdog (which the server's log records too).
TIMEOUTS_OFF = (
    "SET idle_in_transaction_session_timeout = 0",
    "SET statement_timeout = 0",
    "SET lock_timeout = 0",
)
STALLS: list[tuple[str, tuple[str, ...], str]] = [
    (
        "SET every timeout to 0, then sit in a transaction on the rules' lock and a ticket's row",
        (
            *TIMEOUTS_OFF,
            "BEGIN",
            "SELECT pg_advisory_xact_lock({rules_key})",
            "SELECT id FROM ticket WHERE id = {ticket} FOR UPDATE",
        ),
        "idle",
    ),
    (
        "SET every timeout to 0, then hold the rules' lock for the session, outside a transaction",
        (*TIMEOUTS_OFF, "SELECT pg_advisory_lock({rules_key})"),
        "idle",
    ),
    ("SET statement_timeout = 0, then run one statement for ever", (*TIMEOUTS_OFF,), "statement"),
    (
        # PostgreSQL lets every role ALTER ROLE its own defaults: the watchdog, run by a
        # colleague with no arguments, must go by the group's limit all the same.
        "ALTER ROLE one's own login SET every timeout to 0, then sit in a transaction on the rules' lock",
        (
            'ALTER ROLE "{me}" SET idle_in_transaction_session_timeout = 0',
            'ALTER ROLE "{me}" SET statement_timeout = 0',
            *TIMEOUTS_OFF,
            "BEGIN",
            "SELECT pg_advisory_xact_lock({rules_key})",
        ),
        "idle, by a colleague",
    ),
]
SHORT = "0.5 s"  # the owner's limits for the matrix, instead of the groups' 60 s and 2 min


def stall_then_watchdog(ctx: Context, owner: psycopg.Connection[Any]) -> list[Outcome]:
    """Each stall of `STALLS` for each group role, then the watchdog as the owner runs it
    with short limits; and each role trying to end a colleague's open transaction by
    calling the watchdog with limits of 0 s (refused: only the owner may shorten them)."""
    import threading

    from deskapp.rules.engine import _ADVISORY_KEY
    from deskapp.store.migrations.v0009_security import IDLE_TIMEOUT, STATEMENT_TIMEOUT

    outcomes = []
    for role in ROLES:
        names = {**ctx.names(role), "rules_key": _ADVISORY_KEY}
        for name, statements, kind in STALLS:
            conn = connect_as(ctx, role)
            conn.autocommit = True
            failed: list[BaseException] = []
            for statement in statements:
                conn.execute(statement.format(**names))
            thread = None
            if kind == "statement":

                def run(c: psycopg.Connection[Any] = conn, out: list[BaseException] = failed) -> None:
                    try:
                        c.execute("SELECT pg_sleep(30)")
                    except BaseException as exc:
                        out.append(exc)

                thread = threading.Thread(target=run)
                thread.start()
            group = f'"{ctx.prefix}_{role}"'
            if kind == "idle, by a colleague":  # the group's limit, short for the matrix
                owner.execute(f"ALTER ROLE {group} SET idle_in_transaction_session_timeout = '{SHORT}'")
            time.sleep(0.8)
            if kind == "idle, by a colleague":
                colleague = "lead" if role != "lead" else "tier1"
                with connect_as(ctx, colleague) as other:
                    ended = other.execute(
                        "SELECT login, reason FROM deskapp_end_stalled_sessions()"
                    ).fetchall()
                owner.execute(
                    f"ALTER ROLE {group} SET idle_in_transaction_session_timeout = '{IDLE_TIMEOUT}'"
                )
                owner.execute(f'ALTER ROLE "{ctx.logins[role]}" SET idle_in_transaction_session_timeout = '
                              f"'{IDLE_TIMEOUT}'")  # fmt: skip
                owner.execute(
                    f"ALTER ROLE \"{ctx.logins[role]}\" SET statement_timeout = '{STATEMENT_TIMEOUT}'"
                )
            else:
                ended = owner.execute(
                    "SELECT login, reason FROM deskapp_end_stalled_sessions(%s, %s)", (SHORT, SHORT)
                ).fetchall()
            if thread is not None:
                thread.join(10)
                gone = bool(failed) and not thread.is_alive()
            else:
                try:
                    conn.execute("SELECT 1")
                    gone = False
                except psycopg.OperationalError:
                    gone = True
            conn.close()
            named = [reason for login, reason in ended if login == ctx.logins[role]]
            if gone and named:
                outcomes.append(Outcome(name, role, "recorded", f"ended by the watchdog: {named[0]}"))
            else:
                outcomes.append(Outcome(name, role, "escape", f"not ended (watchdog said {ended!r})"))
        victim_role = "lead" if role != "lead" else "tier1"
        victim = connect_as(ctx, victim_role)
        victim.execute("SELECT count(*) FROM ticket")  # a transaction open a moment, as the app's are
        time.sleep(0.3)
        with connect_as(ctx, role) as conn:
            ended = conn.execute("SELECT login FROM deskapp_end_stalled_sessions('0 s', '0 s')").fetchall()
        try:
            victim.execute("SELECT 1")
            alive = True
        except psycopg.OperationalError:
            alive = False
        victim.close()
        name = "end a colleague's open transaction by calling the watchdog with limits of 0 s"
        verdict: Literal["refused", "escape"] = "refused" if alive and not ended else "escape"
        outcomes.append(Outcome(name, role, verdict, f"ended {ended!r}; colleague's session alive: {alive}"))
    return outcomes


def desk_url(ctx: Context, owner_url: str, role: str) -> str:
    parts = urlsplit(owner_url)
    host = f"{parts.hostname}:{parts.port or 5432}"
    login, password = ctx.logins[role], quote(ctx.passwords[role], safe="")
    options = quote(f"-csearch_path={ctx.schema}")
    return f"postgresql://{login}:{password}@{host}{parts.path}?options={options}"


@contextmanager
def secured_desk(owner_url: str) -> Iterator[tuple[Context, psycopg.Connection[Any], Any]]:
    """A fresh schema with a desk with login roles: one login per group role, a
    reseller, a ticket, mail settings. Dropped afterwards, roles and all. Yields the
    context, the owner's psycopg connection and the ticket attacks' desk (the owner's
    peewee database, for the services)."""
    import contextlib
    import io
    import os

    from deskapp import services as sv
    from deskapp.cli.main import main
    from deskapp.domain.clock import SystemClock
    from deskapp.mail.sender import save_settings
    from deskapp.mail.smtp_transport import SmtpSettings
    from deskapp.store.connection import open_database, raw_sql
    from deskapp.store.security import desk_prefix, drop_desk_roles, scram_verifier

    tag = uuid.uuid4().hex[:8]
    schema = f"t_atk_{tag}"
    parts = urlsplit(owner_url)
    conninfo = {"host": parts.hostname, "port": parts.port or 5432, "dbname": parts.path.lstrip("/")}
    owner = psycopg.connect(owner_url.split("?")[0], autocommit=True)
    owner.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in owner_url else "?"
    url = f"{owner_url}{sep}options={quote(f'-csearch_path={schema}')}"
    logins = {role: f"{role}_{tag}" for role in ROLES}
    passwords = {role: f"pw-{role}-{uuid.uuid4().hex[:10]}" for role in ROLES}
    db = None
    try:
        os.environ["DESKAPP_NEW_PASSWORD"] = passwords["admin"]
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                code = main(["--db", url, "init", "--first-admin", logins["admin"], "--name", "Adm"])
        finally:
            del os.environ["DESKAPP_NEW_PASSWORD"]
        assert code == 0, "init --first-admin failed"
        db = open_database(url)
        clock = SystemClock()
        for role in NOT_ADMIN:
            sv.add_staff(db, clock, None, logins[role], name=role, role=role, password=passwords[role])
        sv.add_reseller(db, clock, logins["admin"], "Acme Networks", country="GB")
        ticket = sv.log_ticket(
            db, clock, logins["tier1"], reseller="Acme Networks", contact="Pat", phone="+44 20 7946 0000",
            tenant="acme", impact="some", channel="phone", summary="Mail is down", end_users="sales",
        )  # fmt: skip
        save_settings(db, SmtpSettings(host="smtp.example", port=587, security="starttls",
                                       login="desk", sender="desk@acme.example"))  # fmt: skip
        ctx = Context(
            schema, str(desk_prefix(db)), logins, passwords, int(ticket.id),
            scram_verifier("evil-password-1"), conninfo, str(parts.username),
        )  # fmt: skip
        owner.execute(f'SET search_path = "{schema}"')
        from tests.security.ticket_matrix import prepare

        t1b_password = f"pw-t1b-{uuid.uuid4().hex[:10]}"
        desk = prepare(db, clock, ctx, t1b_password)
        # The second Tier 1 engineer signs in too (the guard cases' other person).
        ctx.logins["t1b"], ctx.passwords["t1b"] = desk.logger, t1b_password
        yield ctx, owner, desk
    finally:
        if db is not None:
            db.close()
        cleanup = open_database(url)
        try:
            with cleanup.atomic():
                drop_desk_roles(cleanup)
            raw_sql(cleanup, f'DROP SCHEMA "{schema}" CASCADE')
        finally:
            cleanup.close()
            owner.close()


def run_matrix(owner_url: str) -> Figures:
    """Every statement of `ATTACKS` and of the guards' (tests/security/guard_attacks.py),
    the rules' lock, the stalls (`STALLS`), then the ticket attacks
    (tests/security/ticket_matrix.py), each for every group role: one set of figures."""
    from tests.security.guard_attacks import GUARD_ATTACKS
    from tests.security.ticket_matrix import run_ticket_attacks

    with secured_desk(owner_url) as (ctx, owner, tickets):
        figures = run_attacks(ctx, owner, ATTACKS + GUARD_ATTACKS)
        figures.outcomes.append(hold_rules_lock_then_run(ctx, owner_url))
        figures.outcomes += stall_then_watchdog(ctx, owner)
        figures.outcomes += run_ticket_attacks(ctx, owner, tickets).outcomes
    return figures
