"""Many workstations, one mailbox: each message imported once, whoever fetches,
and nothing lost or doubled when a fetcher is killed in the middle."""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing as mp
import signal
import time
from collections import Counter

import pytest

from deskapp.mail import lease
from deskapp.mail.fetch import fetch_once
from deskapp.services.inbound import ImapSource, import_message
from deskapp.store.models import Message
from tests.desk_setup import Desk
from tests.mail.dovecot import Mailbox
from tests.mail.fetch_worker import fetch_loop, fetch_until_killed
from tests.mail.letters import letter, settings_for


def _box(mailbox: Mailbox) -> dict[str, object]:
    return {"settings": dataclasses.asdict(settings_for(mailbox)), "password": mailbox.password}


def _ids(n: int, tag: str) -> list[str]:
    return [f"<{tag}-{i}@acme.example>" for i in range(n)]


def _assert_each_once(expected: list[str], mailbox: Mailbox) -> None:
    counts = Counter(m.message_id for m in Message.select(Message.message_id))
    assert set(counts) == set(expected), "nothing lost"
    assert max(counts.values()) == 1, "nothing twice"
    assert mailbox.flagged_seen() == mailbox.uids(), "every message flagged on the server"


def test_two_fetchers_at_once_import_each_message_once(desk: Desk, db_url: str, mailbox: Mailbox) -> None:
    ids = _ids(60, "two")
    mailbox.deliver(*(letter(f"m{i}", message_id=m) for i, m in enumerate(ids[:30])))
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    now = desk.clock.now().isoformat()
    workers = [
        ctx.Process(target=fetch_loop, args=(db_url, _box(mailbox), now, f"ws{k}", 8, results))
        for k in (1, 2)
    ]
    for w in workers:
        w.start()
    mailbox.deliver(*(letter(f"m{i}", message_id=m) for i, m in enumerate(ids[30:], 30)))
    imported = [results.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    fetch_once(desk.db, desk.clock, settings_for(mailbox), mailbox.password, worker="ws3")
    assert len(imported[0]) + len(imported[1]) <= 60
    _assert_each_once(ids, mailbox)


@pytest.mark.parametrize("kill_after", [3, None], ids=["after-a-commit", "anywhere"])
def test_a_fetcher_killed_mid_import_loses_and_doubles_nothing(
    desk: Desk, db_url: str, mailbox: Mailbox, kill_after: int | None
) -> None:
    ids = _ids(120, "kill")
    mailbox.deliver(*(letter(f"k{i}", message_id=m) for i, m in enumerate(ids)))
    ctx = mp.get_context("spawn")
    child = ctx.Process(
        target=fetch_until_killed, args=(db_url, _box(mailbox), desk.clock.now().isoformat(), kill_after)
    )
    child.start()
    if kill_after is None:
        # Kill it in the middle, whenever it has imported some but not all.
        while child.is_alive() and Message.select().count() < 10:
            time.sleep(0.02)
        child.kill()
    child.join(timeout=120)
    assert child.exitcode == -signal.SIGKILL
    got = Message.select().count()
    assert 0 < got < len(ids), f"killed in the middle ({got} imported)"
    # The dead fetcher's lease runs out, and another workstation takes over.
    desk.at(desk.clock.now() + lease.TTL + dt.timedelta(seconds=1))
    report = fetch_once(desk.db, desk.clock, settings_for(mailbox), mailbox.password, worker="heir")
    assert report.held and report.duplicates == 0
    _assert_each_once(ids, mailbox)


def test_a_holder_that_lost_its_lease_cannot_import(desk: Desk) -> None:
    db, clock = desk.db, desk.clock
    assert lease.acquire(db, clock, "ws1")
    assert not lease.acquire(db, clock, "ws2"), "held by ws1"
    clock.advance(lease.TTL + dt.timedelta(seconds=1))  # ws1 stalls past its expiry
    assert lease.acquire(db, clock, "ws2"), "taken over within a minute"
    with pytest.raises(lease.LeaseLost):
        import_message(db, clock, letter("late"), received_at=None,
                       source=ImapSource("box", 1, 1, "ws1"))  # fmt: skip
    assert Message.select().count() == 0, "rolled back"
    import_message(db, clock, letter("on time"), received_at=None, source=ImapSource("box", 1, 1, "ws2"))
    assert Message.select().count() == 1
    assert lease.cursor(db, "box") == (1, 1)
