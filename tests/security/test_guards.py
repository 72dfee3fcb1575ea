"""Schema v12's guards, through the app, signed in as each person (a desk with login
roles on a real PostgreSQL): the app's paths still work, and the database keeps the
lease, the outbox's authors and the priority to what the desk allows.

The attack matrix (tests/security/guard_attacks.py) tries the same with plain SQL.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import peewee
import psycopg
import pytest

from deskapp import services as sv
from deskapp.domain.lifecycle import DeskError, PermissionDenied
from deskapp.domain.policy import default_policy
from deskapp.mail import lease
from deskapp.mail.sender import drain
from deskapp.mail.smtp_transport import SmtpSettings
from deskapp.store.connection import open_database, raw_sql, use, write_transaction
from deskapp.store.db_clock import desk_clock
from deskapp.store.models import Outbox
from tests.security.attack_matrix import Context, desk_url, secured_desk

pytestmark = pytest.mark.postgres


@pytest.fixture
def owner_url() -> str:
    url = os.environ.get("DESKAPP_TEST_PG_URL")
    if not url:
        if os.environ.get("CI") or os.environ.get("DESKAPP_REQUIRE_PG"):
            pytest.fail("DESKAPP_TEST_PG_URL is not set, and CI needs the PostgreSQL tests to run")
        pytest.skip("DESKAPP_TEST_PG_URL is not set")
    return url


@pytest.fixture
def secured(owner_url: str) -> Iterator[tuple[Context, psycopg.Connection[Any]]]:
    with secured_desk(owner_url) as (ctx, owner, _tickets):
        yield ctx, owner


@contextmanager
def signed_in(owner_url: str, ctx: Context, role: str) -> Iterator[peewee.Database]:
    """The app's database, signed in as that group's login with its own password."""
    db = open_database(desk_url(ctx, owner_url, role))
    try:
        yield db
    finally:
        db.close()


def test_the_lease_is_taken_renewed_and_handed_over_in_each_persons_own_name(
    owner_url: str, secured: tuple[Context, psycopg.Connection[Any]]
) -> None:
    ctx, owner = secured
    with signed_in(owner_url, ctx, "tier1") as a, signed_in(owner_url, ctx, "lead") as b:
        ca, cb = desk_clock(a), desk_clock(b)
        assert lease.acquire(a, ca, "pc-a:1"), "free: taken"
        assert not lease.acquire(b, cb, "pc-b:2"), "held by pc-a"
        assert lease.holder_of(b, cb.now()) == "pc-a:1"
        assert lease.acquire(a, ca, "pc-a:1"), "renewed by its holder"
        lease.release(b, "pc-a:1")  # naming the other's workstation does not make it one's own
        assert lease.holder_of(a, ca.now()) == "pc-a:1"
        assert owner.execute("SELECT db_user FROM mail_lease").fetchone() == (ctx.logins["tier1"],)
        with write_transaction(a):  # the holder moves the reading position in its import
            lease.fence("pc-a:1", ca.now(), "desk@imap/INBOX", 7, 3)
        lease.release(a, "pc-a:1")
        assert lease.acquire(b, cb, "pc-b:2"), "released: the other takes over at once"
        assert owner.execute("SELECT db_user FROM mail_lease").fetchone() == (ctx.logins["lead"],)
        # pc-b vanishes: its lease runs out by the server's clock (backdated here by the owner)
        owner.execute("UPDATE mail_lease SET expires_at = now() AT TIME ZONE 'UTC' - interval '1 second'")
        assert lease.acquire(a, ca, "pc-a:1"), "expired: taken over"
        use(b)
        with pytest.raises(lease.LeaseLost), write_transaction(b):
            lease.fence("pc-b:2", cb.now(), "desk@imap/INBOX", 7, 9)  # the stalled one imports nothing
        assert lease.cursor(a, "desk@imap/INBOX") == (7, 3)


def test_messages_are_written_in_their_authors_name_and_sent_as_written(
    owner_url: str, secured: tuple[Context, psycopg.Connection[Any]]
) -> None:
    ctx, owner = secured
    me, lead = ctx.logins["tier1"], ctx.logins["lead"]
    with signed_in(owner_url, ctx, "tier1") as db:
        clock = desk_clock(db)
        ticket = sv.log_ticket(
            db, clock, me, reseller="Acme Networks", contact="Pat", email="pat@acme.example",
            tenant="acme", impact="some", channel="email", summary="Mail is down",
        )  # fmt: skip
        sv.reply(db, clock, me, ticket.number, text="We are on it.")
        message = Outbox.get(Outbox.ticket == ticket.id)
        assert (message.author, message.db_user) == (me, me)
        with pytest.raises(DeskError, match="sent as it was written"), write_transaction(db):
            Outbox.update(body="Pay to account 99-99-99").where(Outbox.id == message.id).execute()
    with signed_in(owner_url, ctx, "lead") as db:  # another workstation sends it
        sent: list[Any] = []
        settings = SmtpSettings(host="smtp.acme.example", port=587, security="starttls",
                                sender="desk@acme.example")  # fmt: skip
        report = drain(db, desk_clock(db), settings, None, transport=lambda _s, email, _p: sent.append(email))
        assert report.sent == [message.id] and len(sent) == 1
        assert "We are on it." in sent[0].get_content()
    row = owner.execute(
        "SELECT o.status, o.author, o.body LIKE '%%We are on it.%%', h.actor, h.db_user FROM outbox o "
        "JOIN history h ON h.ticket_id = o.ticket_id WHERE o.id = %s ORDER BY h.id DESC LIMIT 1",
        (message.id,),
    ).fetchone()
    assert row == ("sent", me, True, "mailer", lead), "sent as written; the mailer's step names its session"


def test_only_the_groups_the_desk_allows_change_a_priority(
    owner_url: str, secured: tuple[Context, psycopg.Connection[Any]]
) -> None:
    ctx, owner = secured
    number = owner.execute("SELECT number FROM ticket WHERE id = %s", (ctx.ticket_id,)).fetchone()[0]  # type: ignore[index]
    with signed_in(owner_url, ctx, "tier2") as db:
        sv.reprioritise(
            db, desk_clock(db), ctx.logins["tier2"], number, priority="P3", reason="one user only"
        )
    # A workstation whose policy file lets Tier 1 re-prioritise passes the client's check;
    # the desk's own list (default policy: Tier 2, lead) is the database's.
    lenient = dataclasses.replace(default_policy(), reprioritise_roles=("tier1", "tier2", "lead"))
    with signed_in(owner_url, ctx, "tier1") as db:
        with pytest.raises(PermissionDenied) as refused:
            sv.reprioritise(db, desk_clock(db), ctx.logins["tier1"], number, priority="P2",
                            reason="a how-to", policy=lenient)  # fmt: skip
        assert "only a Tier 2 engineer or a team lead may change a ticket's priority" in str(refused.value)
        assert "Traceback" not in str(refused.value)
    with signed_in(owner_url, ctx, "admin") as db:  # an administrator changes who may
        raw_sql(db, "INSERT INTO reprioritise_role (role) VALUES ('tier1')")
    with signed_in(owner_url, ctx, "tier1") as db:
        sv.reprioritise(db, desk_clock(db), ctx.logins["tier1"], number, priority="P2", reason="a how-to",
                        policy=lenient)  # fmt: skip
    actors = [r[0] for r in owner.execute("SELECT actor FROM priority_change ORDER BY id").fetchall()]
    assert actors[-2:] == [ctx.logins["tier2"], ctx.logins["tier1"]]
