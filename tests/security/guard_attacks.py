"""The attack matrix's cases for schema v12's guards: the mail lease, the outbox's
authors, and who may change a priority (tests/security/attack_matrix.py runs them
with the rest, each as every group role it names, through that role's own login).

- The mail lease is held, live, by another person (a second Tier 1 engineer, signed
  in as themselves) before each case that needs it (`Attack.setup`): taking it over,
  releasing it, backdating it or moving its reading position must touch no row;
  taking a free lease in another's name, or for a year, is recorded truthfully (the
  lease names the session's own login, and runs out by the server's clock).
- A message queued by another person waits in the outbox: its body, recipient,
  author and Message-ID cannot be rewritten; a new message cannot claim another
  author, a desk step it does not say it runs, another session, or a delivery; one
  that says it runs the rule pass is recorded with the session's own login beside it.
- A priority change by a group the desk does not allow (Tier 1, administrators, by
  the default policy) is refused by the database; by a Tier 2 engineer or a team lead
  it is recorded with the session's login. Only administrators change who may.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import psycopg

from deskapp.mail.lease import TTL
from tests.security.attack_matrix import NOT_ADMIN, ROLES, Attack, Context, connect_as

HOLDER = "t1b"  # Context.logins key of the second Tier 1 engineer (ticket_matrix.prepare)
OTHERS_MESSAGE = "<guard.others@acme.example>"

_COLUMNS = (
    "ticket_id, kind, recipient, subject, body, message_id, created_at, status, attempts, next_attempt_at"
)


def lease_held_by_another(owner: psycopg.Connection[Any], ctx: Context) -> None:
    """The lease free, then taken (live, with a reading position) by the second Tier 1
    engineer's own session, as the app takes it."""
    lease_free(owner, ctx)
    with connect_as(ctx, HOLDER) as other:
        taken = other.execute(
            "UPDATE mail_lease SET holder = 'tom-pc:4242', acquired_at = now() AT TIME ZONE 'UTC', "
            "expires_at = now() AT TIME ZONE 'UTC' + interval '40 seconds' WHERE name = 'imap'"
        ).rowcount
        moved = other.execute(
            "UPDATE mail_lease SET mailbox = 'desk@imap.acme.example/INBOX', uidvalidity = 7, last_uid = 5 "
            "WHERE name = 'imap'"
        ).rowcount
        other.commit()
    assert (taken, moved) == (1, 1), "the other person takes the free lease and reads"


def lease_free(owner: psycopg.Connection[Any], ctx: Context) -> None:
    owner.execute("INSERT INTO mail_lease (name) VALUES ('imap') ON CONFLICT DO NOTHING")
    owner.execute("UPDATE mail_lease SET holder = NULL, expires_at = NULL WHERE name = 'imap'")


def lease_recorded(owner: psycopg.Connection[Any], ctx: Context, role: str, started: dt.datetime) -> bool:
    """The lease names the session's own login, and runs out by the server's clock."""
    row = owner.execute(
        "SELECT db_user, expires_at, clock_timestamp() AT TIME ZONE 'UTC' FROM mail_lease WHERE name = 'imap'"
    ).fetchone()
    assert row is not None
    db_user, expires, server_now = row
    return bool(db_user == ctx.logins[role] and expires is not None and expires <= server_now + TTL)


def message_queued_by_another(owner: psycopg.Connection[Any], ctx: Context) -> None:
    """A reply the second Tier 1 engineer queued (once; the cases below roll back)."""
    if owner.execute("SELECT 1 FROM outbox WHERE message_id = %s", (OTHERS_MESSAGE,)).fetchone():
        return
    with owner.transaction():  # the owner vouches for the author, as the app's old shared role did
        owner.execute("SELECT set_config('deskapp.actor', %s, true)", (ctx.logins[HOLDER],))
        owner.execute(
            f"INSERT INTO outbox ({_COLUMNS}, author) VALUES (%s, 'reply', 'pat@acme.example', "
            "'About your ticket', 'We are on it.', %s, now(), 'pending', 0, now(), %s)",
            (ctx.ticket_id, OTHERS_MESSAGE, ctx.logins[HOLDER]),
        )


def outbox_recorded(author: str | None = None):  # type: ignore[no-untyped-def]
    """The newest message names `author` (None: the session's login) and the session's login."""

    def check(owner: psycopg.Connection[Any], ctx: Context, role: str, started: dt.datetime) -> bool:
        row = owner.execute("SELECT author, db_user FROM outbox ORDER BY id DESC LIMIT 1").fetchone()
        return row == (author or ctx.logins[role], ctx.logins[role])

    return check


def priority_recorded(owner: psycopg.Connection[Any], ctx: Context, role: str, started: dt.datetime) -> bool:
    """The priority change and the ticket's history both name the session's login, at the server's time."""
    change = owner.execute(
        "SELECT actor, at, clock_timestamp() AT TIME ZONE 'UTC' FROM priority_change WHERE ticket_id = %s "
        "ORDER BY id DESC LIMIT 1",
        (ctx.ticket_id,),
    ).fetchone()
    history = owner.execute(
        "SELECT actor, db_user FROM history WHERE ticket_id = %s ORDER BY id DESC LIMIT 1", (ctx.ticket_id,)
    ).fetchone()
    if change is None or history is None:
        return False
    actor, at, server_now = change
    begun = started.astimezone(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=1)
    login = ctx.logins[role]
    return bool(actor == login and begun <= at <= server_now and history == (login, login))


def _queue(author: str, *, status: str = "pending", db_user: str | None = None) -> str:
    extra, value = (", db_user", f", '{db_user}'") if db_user else ("", "")
    return (
        f"INSERT INTO outbox ({_COLUMNS}, author{extra}) VALUES ({{ticket}}, 'reply', 'pat@acme.example', "
        f"'Your invoice', 'Pay to account 99-99-99', '<{{evil}}@acme.example>', now(), '{status}', 0, now(), "
        f"'{author}'{value})"
    )


_OTHERS = f"WHERE message_id = '{OTHERS_MESSAGE}'"
_CHANGE = (
    "INSERT INTO priority_change (ticket_id, at, actor, from_priority, to_priority, reason, from_due, to_due)"
)
_REPRIORITISE = (
    _CHANGE + " "
    "SELECT id, now(), '{me}', priority, 'P3', 'a how-to after all', response_due, "
    "response_due + interval '1 day' FROM ticket WHERE id = {ticket}; "
    "UPDATE ticket SET priority = 'P3', response_due = response_due + interval '1 day', "
    "version = version + 1, updated_at = now() AT TIME ZONE 'UTC' WHERE id = {ticket}"
)
MAY_REPRIORITISE = ("tier2", "lead")  # the default policy's process.reprioritise_roles
MAY_NOT_REPRIORITISE = tuple(r for r in ROLES if r not in MAY_REPRIORITISE)

GUARD_ATTACKS: list[Attack] = [
    # --- the mail lease ---
    Attack(
        "take over another's live mail lease",
        "UPDATE mail_lease SET holder = 'my-pc:1', acquired_at = now(), "
        "expires_at = now() + interval '45 seconds' WHERE name = 'imap'",
        setup=lease_held_by_another,
    ),
    Attack(
        "release another's live mail lease",
        "UPDATE mail_lease SET holder = NULL, expires_at = NULL WHERE name = 'imap'",
        setup=lease_held_by_another,
    ),
    Attack(
        "backdate another's live mail lease so that it has run out",
        "UPDATE mail_lease SET expires_at = now() - interval '1 hour' WHERE name = 'imap'",
        setup=lease_held_by_another,
    ),
    Attack(
        "move the reading position of another's mail lease (mail skipped)",
        "UPDATE mail_lease SET last_uid = 999999 WHERE name = 'imap'",
        setup=lease_held_by_another,
    ),
    Attack("delete the mail lease", "DELETE FROM mail_lease", setup=lease_held_by_another),
    Attack(
        "add a live mail lease row",
        "INSERT INTO mail_lease (name, holder, expires_at) "
        "VALUES ('imap2', 'my-pc:1', now() + interval '1 day')",
    ),
    Attack(
        "take the free mail lease in another's name",
        "UPDATE mail_lease SET holder = 'tom-pc:4242', db_user = '{other}', acquired_at = now(), "
        "expires_at = now() + interval '45 seconds' WHERE name = 'imap'",
        expect="recorded",
        setup=lease_free,
        check=lease_recorded,
    ),
    Attack(
        "take the free mail lease for a year",
        "UPDATE mail_lease SET holder = 'my-pc:1', acquired_at = now(), "
        "expires_at = now() + interval '365 days' WHERE name = 'imap'",
        expect="recorded",
        setup=lease_free,
        check=lease_recorded,
    ),
    # --- the outbox ---
    Attack("queue a message as another staff member", _queue("{other}")),
    Attack("queue a message as the rule pass without saying so", _queue("rules")),
    Attack("queue a message as the mail sender without saying so", _queue("mailer")),
    Attack("queue a message naming another session", _queue("{me}", db_user="{other}")),
    Attack("queue a message marked as sent already", _queue("{me}", status="sent")),
    Attack(
        "queue a message saying one runs the rule pass",
        "SET LOCAL deskapp.actor = 'rules'; " + _queue("rules"),
        expect="recorded",
        check=outbox_recorded("rules"),
    ),
    Attack("queue a message in one's own name", _queue("{me}"), expect="recorded", check=outbox_recorded()),
    Attack(
        "rewrite the body of another's queued message",
        f"UPDATE outbox SET body = 'Pay to account 99-99-99' {_OTHERS}",
        setup=message_queued_by_another,
    ),
    Attack(
        "redirect another's queued message",
        f"UPDATE outbox SET recipient = 'evil@example.com' {_OTHERS}",
        setup=message_queued_by_another,
    ),
    Attack(
        "put one's name on another's queued message",
        f"UPDATE outbox SET author = '{{me}}' {_OTHERS}",
        setup=message_queued_by_another,
    ),
    Attack(
        "change a queued message's Message-ID",
        f"UPDATE outbox SET message_id = '<{{evil}}@acme.example>' {_OTHERS}",
        setup=message_queued_by_another,
    ),
    Attack("delete a queued message", f"DELETE FROM outbox {_OTHERS}", setup=message_queued_by_another),
    # --- who re-prioritises ---
    Attack("change a priority as a group the desk does not allow", _REPRIORITISE, roles=MAY_NOT_REPRIORITISE),
    Attack(
        "record a priority change as if made at logging (no earlier due time)",
        _CHANGE + " SELECT id, now(), '{me}', 'P2', 'P3', 'set at logging', NULL, response_due "
        "FROM ticket WHERE id = {ticket}",
        roles=MAY_NOT_REPRIORITISE,
    ),
    Attack(
        "change a priority as a group the desk allows",
        _REPRIORITISE,
        roles=MAY_REPRIORITISE,
        expect="recorded",
        check=priority_recorded,
    ),
    Attack(
        "let one's own group change priorities",
        "INSERT INTO reprioritise_role VALUES ('tier1')",
        roles=NOT_ADMIN,
    ),
    Attack(
        "stop the leads changing priorities",
        "DELETE FROM reprioritise_role WHERE role = 'lead'",
        roles=NOT_ADMIN,
    ),
]
