"""PostgreSQL as the security boundary: one login role per person, a group role per desk role.

    secure_desk(db) -> SecureReport      # the owner, from `deskapp init --first-admin`
    is_secured(db) -> bool               # the desk has group roles (meta 'security' = 'roles')
    scram_verifier(password) -> str      # what the server keeps instead of a password
    call_staff_function(db, name, *args) # an administrator's change, checked by the server
    drop_desk_roles(db) -> list[str]     # the owner takes the desk's roles off the server

Roles are the server's while a desk is one database and schema, so the group
roles carry a per-desk prefix (`dk_` and a digest of database and schema, kept
in `meta`): `dk_1a2b3c4d5e_tier1`, ..._tier2, ..._lead, ..._admin. Each person's
login role is named exactly as their deskapp login and is a member of one group;
`staff.role` says the same (the functions of v0009_security.sql change both).

What each group may do is `GRANTS` below: every group works tickets and their
mail, nobody deletes a ticket or a history row, the staff table is read-only
(written through the functions; it holds no password hash: a CHECK says so), `reseller` is the
administrators', and `meta` is written by the owner only, except the mail and
template keys an administrator sets (row-level security on `meta`); who may change a
priority (`reprioritise_role`) is the administrators' to set. The mail lease, the
outbox and priority changes are further kept by schema v12's triggers. A session
of any group starts with lock, statement and idle-in-transaction timeouts; one
that SETs them away is ended by the watchdog of schema v13 (`deskapp.store.watchdog`),
and a person's sessions end when they are stopped: the owner is made a member of
each login role so that it may signal them (v0013_sessions.sql says why).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from deskapp.domain.lifecycle import Role
from deskapp.store.connection import is_sqlite, raw_sql
from deskapp.store.migrations import get_meta, set_meta
from deskapp.store.migrations.v0009_security import (
    IDLE_TIMEOUT,
    LOCK_TIMEOUT,
    RESERVED,
    STATEMENT_TIMEOUT,
    function_sql,
)
from deskapp.store.migrations.v0013_sessions import function_sql as session_function_sql
from deskapp.store.privileges import current_schema, quote_ident

PREFIX_KEY, SECURITY_KEY = "role_prefix", "security"
# Keys of `meta` an administrator may write (mail server, mailbox, templates, replies,
# the desk's name); every other key (schema_version, training, role_prefix, ...) is the owner's.
ADMIN_META = ("smtp", "imap", "canned_replies", "desk_name")
ADMIN_META_PREFIXES = ("template.",)

# Table -> what every group may do; ADMIN_EXTRA adds the administrators' part. A table
# not named here (a later step's) is readable only, until its step says otherwise.
GRANTS: dict[str, str] = {
    "ticket": "SELECT, INSERT, UPDATE",
    "history": "SELECT",  # written by the database itself (schema v11), never by a session
    "priority_change": "SELECT, INSERT",
    "survey_answer": "SELECT, INSERT, UPDATE",
    "survey_invitation": "SELECT, INSERT, UPDATE",
    "outbox": "SELECT, INSERT, UPDATE",
    "editing": "SELECT, INSERT, UPDATE, DELETE",  # presence: who has a ticket open
    "message": "SELECT, INSERT, UPDATE",
    "attachment": "SELECT, INSERT",
    "mail_lease": "SELECT, INSERT, UPDATE",
    "saved_view": "SELECT, INSERT, UPDATE, DELETE",
    "ticket_seen": "SELECT, INSERT, UPDATE",
    "ticket_search": "SELECT, INSERT, UPDATE, DELETE",  # kept by triggers, as the writer
    "contact": "SELECT, INSERT, UPDATE",  # intake records a caller
    "tenant": "SELECT, INSERT",
    "reseller": "SELECT",
    "meta": "SELECT",
    # Read only, written by the functions; its password_hash column is NULL by a CHECK
    # constraint on a desk with login roles, so there is no hash to read or copy.
    "staff": "SELECT",
    # Who may change a priority (schema v12): the administrators set it.
    "reprioritise_role": "SELECT",
}
ADMIN_EXTRA: dict[str, str] = {
    "reseller": "INSERT, UPDATE", "meta": "INSERT, UPDATE, DELETE", "reprioritise_role": "INSERT, DELETE",
}  # fmt: skip
STAFF_FUNCTIONS = {  # function -> who may call it (it checks the caller again itself)
    "deskapp_staff_add(text, text, text, text)": "admin",
    "deskapp_staff_set_active(text, boolean)": "admin",
    "deskapp_staff_set_role(text, text)": "admin",
    "deskapp_staff_set_name(text, text)": "admin",
    "deskapp_staff_set_password(text, text)": "all",  # one's own, or an administrator's
}
SESSION_DEFAULTS = {
    "lock_timeout": LOCK_TIMEOUT,
    "statement_timeout": STATEMENT_TIMEOUT,
    "idle_in_transaction_session_timeout": IDLE_TIMEOUT,
}
RESERVED_LOGINS = frozenset(RESERVED)
_INIT_LOCK = 0x6465_736B_696E_6974  # "deskinit": one init of a desk at a time


class SecurityError(ValueError):
    """The desk cannot be secured as asked; the message says why."""


def is_postgres_secured(db: pw.Database) -> bool:
    return not is_sqlite(db) and get_meta(SECURITY_KEY) == "roles"


is_secured = is_postgres_secured


def reserved_login(login: str) -> bool:
    return login in RESERVED_LOGINS or login.startswith("pg_")


def role_prefix(database: str, schema: str) -> str:
    """`dk_` and ten hex digits of database and schema: short enough that
    `<prefix>_admin` stays far inside PostgreSQL's 63 characters."""
    digest = hashlib.sha256(f"{database}\0{schema}".encode()).hexdigest()[:10]
    return f"dk_{digest}"


def group_name(prefix: str, role: Role | str) -> str:
    return f"{prefix}_{Role(role).value}"


def groups(prefix: str) -> dict[Role, str]:
    return {role: group_name(prefix, role) for role in Role}


def desk_prefix(db: pw.Database) -> str | None:
    """This connection's desk's group-role prefix (read through `db` itself, whatever
    database the models are bound to)."""
    if is_sqlite(db) or raw_sql(db, "SELECT to_regclass('meta')").fetchone()[0] is None:
        return None
    row = raw_sql(db, "SELECT value FROM meta WHERE key = %s", (PREFIX_KEY,)).fetchone()
    return None if row is None else str(row[0])


def scram_verifier(password: str, *, iterations: int = 4096) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL keeps (RFC 5802/7677): the password itself
    never reaches the server, its statement log or a table."""
    if not password:
        raise ValueError("a password cannot be empty")
    salt = os.urandom(16)
    text = unicodedata.normalize("NFKC", password)  # SASLprep's normalisation
    salted = hashlib.pbkdf2_hmac("sha256", text.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
    b64 = base64.b64encode
    return (
        f"SCRAM-SHA-256${iterations}:{b64(salt).decode()}$"
        f"{b64(stored_key).decode()}:{b64(server_key).decode()}"
    )


def session_login(db: pw.Database) -> str:
    (who,) = raw_sql(db, "SELECT session_user").fetchone()
    return str(who)


def is_owner(db: pw.Database) -> bool:
    """The connection may act as the owner of the desk's schema."""
    (owner,) = raw_sql(
        db,
        "SELECT pg_has_role(session_user, n.nspowner, 'MEMBER') FROM pg_namespace n "
        "WHERE n.nspname = current_schema()",
    ).fetchone()
    return bool(owner)


def call_staff_function(db: pw.Database, name: str, *args: Any) -> None:
    marks = ", ".join(["%s"] * len(args))
    raw_sql(db, f"SELECT {name}({marks})", args)


@dataclass
class SecureReport:
    prefix: str
    schema: str
    created_groups: list[str] = field(default_factory=list)
    converted: list[tuple[str, str]] = field(default_factory=list)  # (login, one-time password)
    revoked_roles: list[str] = field(default_factory=list)


def _check_owner(db: pw.Database) -> None:
    if not is_owner(db):
        raise SecurityError(
            f"{session_login(db)} does not own the desk's schema: run `deskapp init` as the owner role"
        )
    (create_role,) = raw_sql(
        db, "SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    if not create_role:
        raise SecurityError(
            f"the owner role {session_login(db)} needs CREATEROLE to make the desk's roles "
            f"(ALTER ROLE {quote_ident(session_login(db))} CREATEROLE, as a superuser)"
        )


def secure_desk(db: pw.Database) -> SecureReport:
    """Create or bring up to date the desk's group roles, their grants and session
    defaults; give every staff row a login role (a one-time password each, returned);
    revoke the rights of any other role (an old shared app role). Run by the owner,
    inside the caller's transaction; concurrent runs wait for each other."""
    if is_sqlite(db):
        raise SecurityError("database roles are PostgreSQL's: a SQLite desk has none")
    raw_sql(db, "SELECT pg_advisory_xact_lock(%s)", (_INIT_LOCK,))
    _check_owner(db)
    schema = current_schema(db)
    (database,) = raw_sql(db, "SELECT current_database()").fetchone()
    prefix = get_meta(PREFIX_KEY) or role_prefix(str(database), schema)
    report = SecureReport(prefix, schema)
    raw_sql(db, function_sql(schema))  # the functions as this release has them: v9's,
    raw_sql(db, session_function_sql(schema))  # then v13's, which replace two of them
    names = groups(prefix)
    for name in names.values():
        if raw_sql(db, "SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is None:
            raw_sql(db, f"CREATE ROLE {quote_ident(name)} NOLOGIN")
            report.created_groups.append(name)
        elif get_meta(PREFIX_KEY) is None:
            raise SecurityError(f"a role {name} exists already on the server but is not this desk's")
        for setting, value in SESSION_DEFAULTS.items():
            raw_sql(db, f"ALTER ROLE {quote_ident(name)} SET {setting} = '{value}'")
    set_meta(PREFIX_KEY, prefix)
    set_meta(SECURITY_KEY, "roles")
    report.revoked_roles = _revoke_other_roles(db, schema, set(names.values()))
    for statement in grant_statements(schema, names, _tables(db, schema)):
        raw_sql(db, statement)
    report.converted = _give_logins(db)
    raw_sql(db, "UPDATE staff SET password_hash = NULL WHERE password_hash IS NOT NULL")
    if not _has_constraint(db, "staff", "staff_no_password_hash"):
        # The server checks passwords: a hash in a table is only something to steal.
        raw_sql(db, "ALTER TABLE staff ADD CONSTRAINT staff_no_password_hash CHECK (password_hash IS NULL)")
    return report


def _tables(db: pw.Database, schema: str) -> list[str]:
    rows = raw_sql(
        db, "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", (schema,)
    ).fetchall()
    return [str(r[0]) for r in rows]


def _has_constraint(db: pw.Database, table: str, name: str) -> bool:
    row = raw_sql(
        db,
        "SELECT 1 FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
        "WHERE t.relname = %s AND t.relnamespace = current_schema()::regnamespace AND c.conname = %s",
        (table, name),
    ).fetchone()
    return row is not None


def grant_statements(schema: str, names: dict[Role, str], tables: list[str]) -> list[str]:
    """Every group's rights on the schema, from nothing (so a re-run also takes back
    what an older release granted)."""
    s = quote_ident(schema)
    everyone = ", ".join(quote_ident(n) for n in names.values())
    admin = quote_ident(names[Role.ADMIN])
    out = [
        f"REVOKE CREATE ON SCHEMA {s} FROM PUBLIC",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM PUBLIC",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {everyone}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {everyone}",
        f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {s} FROM PUBLIC",
        f"REVOKE ALL ON SCHEMA {s} FROM {everyone}",
        f"GRANT USAGE ON SCHEMA {s} TO {everyone}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {everyone}",
    ]
    for table in tables:
        t = f"{s}.{quote_ident(table)}"
        out.append(f"GRANT {GRANTS.get(table, 'SELECT')} ON {t} TO {everyone}")
        if table in ADMIN_EXTRA:
            out.append(f"GRANT {ADMIN_EXTRA[table]} ON {t} TO {admin}")
    # The search triggers' functions, and the staff functions to those they are for.
    out.append(f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {s} TO {everyone}")
    for function in ("deskapp_prefix()", "deskapp_group(text)", "deskapp_caller_is_owner()",
                     "deskapp_require_admin(text)", "deskapp_target(text)",
                     "deskapp_session_defaults(text)", "deskapp_make_login(text, text, text)",
                     "deskapp_watch_login(text)", "deskapp_role_limit(oid, text)"):  # fmt: skip
        out.append(f"REVOKE ALL ON FUNCTION {s}.{function} FROM {everyone}")
    for function, who in STAFF_FUNCTIONS.items():
        out.append(f"REVOKE ALL ON FUNCTION {s}.{function} FROM {everyone}")
        out.append(f"GRANT EXECUTE ON FUNCTION {s}.{function} TO {everyone if who == 'all' else admin}")
    if "meta" in tables:
        keys = ", ".join("'" + k + "'" for k in ADMIN_META)
        likes = " OR ".join(f"key LIKE '{p}%%'" for p in ADMIN_META_PREFIXES)
        rule = f"(key IN ({keys}) OR {likes})"
        out += [
            f"ALTER TABLE {s}.meta ENABLE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS meta_read ON {s}.meta",
            f"DROP POLICY IF EXISTS meta_admin ON {s}.meta",
            f"CREATE POLICY meta_read ON {s}.meta FOR SELECT TO {everyone} USING (true)",
            # The owner (not subject to its own table's policies) writes the rest.
            f"CREATE POLICY meta_admin ON {s}.meta FOR ALL TO {admin} USING ({rule}) WITH CHECK ({rule})",
        ]
    return out


def _revoke_other_roles(db: pw.Database, schema: str, ours: set[str]) -> list[str]:
    """Roles other than the owner and the desk's groups with rights on the schema's
    tables (a shared app role from `init --app-role`): their rights are taken back."""
    rows = raw_sql(
        db,
        "SELECT DISTINCT grantee FROM information_schema.role_table_grants "
        "WHERE table_schema = %s AND grantee <> 'PUBLIC' AND grantee <> current_user "
        "AND grantee NOT IN (SELECT n.nspowner::regrole::text FROM pg_namespace n "
        "WHERE n.nspname = %s) ORDER BY grantee",
        (schema, schema),
    ).fetchall()
    revoked = []
    s = quote_ident(schema)
    for (grantee,) in rows:
        name = str(grantee)
        if name in ours:
            continue
        is_login = raw_sql(
            db,
            "SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = %s AND g.rolname = ANY(%s)",
            (name, list(ours)),
        ).fetchone()
        if is_login:
            continue
        r = quote_ident(name)
        for statement in (
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}",
            f"REVOKE ALL ON SCHEMA {s} FROM {r}",
        ):
            raw_sql(db, statement)
        revoked.append(name)
    return revoked


def _give_logins(db: pw.Database) -> list[tuple[str, str]]:
    """A login role for each staff row that has none, with a fresh one-time password."""
    rows = raw_sql(
        db,
        "SELECT s.login, s.role FROM staff s WHERE NOT EXISTS "
        "(SELECT 1 FROM pg_roles r WHERE r.rolname = s.login) ORDER BY s.login",
    ).fetchall()
    made = []
    for login, role in rows:
        if reserved_login(str(login)):
            raise SecurityError(f"the staff login {login!r} is reserved on PostgreSQL: rename it first")
        password = secrets.token_urlsafe(12)
        call_staff_function(db, "deskapp_make_login", str(login), str(role), scram_verifier(password))
        made.append((str(login), password))
    taken = raw_sql(
        db,
        "SELECT s.login FROM staff s JOIN pg_roles r ON r.rolname = s.login WHERE NOT EXISTS "
        "(SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
        " WHERE m.member = r.oid AND g.rolname LIKE %s) ORDER BY s.login",
        (f"{desk_prefix(db)}\\_%",),
    ).fetchall()
    if taken:
        names = ", ".join(str(t[0]) for t in taken)
        raise SecurityError(
            f"the server has roles named like staff of this desk that are not its logins ({names}): "
            "rename those staff members or drop those roles, then run init again"
        )
    # Each login's membership follows staff.role (a row changed by hand since is mended).
    for login, role in raw_sql(db, "SELECT login, role FROM staff").fetchall():
        for other in Role:
            action = "GRANT" if other.value == role else "REVOKE"
            target = quote_ident(group_name(str(desk_prefix(db)), other))
            raw_sql(db, f"{action} {target} {'TO' if action == 'GRANT' else 'FROM'} {quote_ident(login)}")
        call_staff_function(db, "deskapp_session_defaults", str(login))
        call_staff_function(db, "deskapp_watch_login", str(login))  # the owner may end its sessions
        active = raw_sql(db, "SELECT active FROM staff WHERE login = %s", (login,)).fetchone()[0]
        raw_sql(db, f"ALTER ROLE {quote_ident(login)} {'LOGIN' if active else 'NOLOGIN'}")
    return made


def drop_desk_roles(db: pw.Database) -> list[str]:
    """Take the desk's login and group roles off the server (the owner; tests, and a
    desk being retired). Their rights on the schema go first, so DROP ROLE can run."""
    prefix = desk_prefix(db)
    if not prefix:
        return []
    schema = current_schema(db)
    s = quote_ident(schema)
    names = list(groups(prefix).values())
    logins = [
        str(r[0])
        for r in raw_sql(
            db,
            "SELECT DISTINCT r.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles r ON r.oid = m.member WHERE g.rolname = ANY(%s)",
            (names,),
        ).fetchall()
    ]
    existing = {str(r[0]) for r in raw_sql(db, "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)",
                                           (names + logins,)).fetchall()}  # fmt: skip
    if True:  # desk_prefix found the meta table
        raw_sql(db, f"DROP POLICY IF EXISTS meta_read ON {s}.meta")
        raw_sql(db, f"DROP POLICY IF EXISTS meta_admin ON {s}.meta")
    dropped = []
    for name in logins + names:
        if name not in existing:
            continue
        r = quote_ident(name)
        for statement in (
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}",
            f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {s} FROM {r}",
            f"REVOKE ALL ON SCHEMA {s} FROM {r}",
            f"DROP ROLE {r}",
        ):
            raw_sql(db, statement)
        dropped.append(name)
    return dropped
