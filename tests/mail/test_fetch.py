"""Fetching the desk's mailbox from a real Dovecot: TLS and STARTTLS, exactly once,
flagged on the server only after the import's commit."""

from __future__ import annotations

import datetime as dt

import pytest

from deskapp.mail import fetch, lease
from deskapp.mail.fetch import Fetcher, FetchError, fetch_once
from deskapp.store.models import MailLease, Message
from tests.desk_setup import Desk
from tests.mail.dovecot import Mailbox
from tests.mail.letters import letter, settings_for

ARRIVED = dt.datetime(2026, 3, 9, 8, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_fetch_imports_each_message_once_and_flags_it_after(
    desk: Desk, mailbox: Mailbox, security: str
) -> None:
    mailbox.deliver(letter("one"), letter("two"), letter("three"), at=ARRIVED)
    settings = settings_for(mailbox, security)
    report = fetch_once(desk.db, desk.clock, settings, mailbox.password, worker="ws1")
    assert len(report.imported) == 3 and report.marked == 3
    rows = list(Message.select().order_by(Message.imap_uid))
    assert [r.subject for r in rows] == ["one", "two", "three"]
    assert {r.received_at for r in rows} == {ARRIVED}, "the arrival in the mailbox, not the import"
    assert all(r.server_marked_at is not None for r in rows)
    assert mailbox.flagged_seen() == mailbox.uids()

    again = fetch_once(desk.db, desk.clock, settings, mailbox.password, worker="ws1")
    assert again.imported == [] and again.duplicates == 0
    assert Message.select().count() == 3
    mailbox.deliver(letter("four"), at=ARRIVED)
    later = fetch_once(desk.db, desk.clock, settings, mailbox.password, worker="ws2")
    assert len(later.imported) == 1
    assert Message.select().count() == 4


def test_the_same_message_twice_in_the_mailbox_is_imported_once(desk: Desk, mailbox: Mailbox) -> None:
    copy = letter("copied", message_id="<same@acme.example>")
    mailbox.deliver(copy, copy)
    report = fetch_once(desk.db, desk.clock, settings_for(mailbox), mailbox.password, worker="ws1")
    assert len(report.imported) == 1 and report.duplicates == 1
    assert mailbox.flagged_seen() == mailbox.uids(), "the copy is flagged too"


@pytest.mark.parametrize("commit_every", [1, fetch.COMMIT_EVERY], ids=["commit-each", "commit-batch"])
def test_a_commit_that_was_not_followed_by_the_flag_is_flagged_next_time(
    desk: Desk, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch, commit_every: int
) -> None:
    monkeypatch.setattr(fetch, "COMMIT_EVERY", commit_every)
    mailbox.deliver(letter("one"), letter("two"))
    settings = settings_for(mailbox)

    class Crash(Exception):
        pass

    committed: list[int] = []

    def die(uid: int) -> None:
        committed.append(uid)
        raise Crash(uid)

    fetcher = Fetcher(desk.db, desk.clock, settings, mailbox.password, worker="ws1", after_commit=die)
    with pytest.raises(Crash):
        fetcher.fetch_once()
    fetcher.close()
    in_first_commit = min(commit_every, 2)
    assert committed == [mailbox.uids()[in_first_commit - 1]], "told the last UID of the commit"
    assert Message.select().count() == in_first_commit, "the first commit's messages were committed"
    assert mailbox.flagged_seen() == [], "and not flagged: the fetcher died in between"
    desk.at(desk.clock.now() + lease.TTL + dt.timedelta(seconds=1))  # its lease runs out
    report = fetch_once(desk.db, desk.clock, settings, mailbox.password, worker="ws2")
    assert len(report.imported) == 2 - in_first_commit and report.duplicates == 0
    assert report.marked == 2, "the committed ones are flagged first, then the new one"
    assert Message.select().count() == 2
    assert mailbox.flagged_seen() == mailbox.uids()


def test_a_wrong_password_or_folder_is_an_error_that_names_it(desk: Desk, mailbox: Mailbox) -> None:
    with pytest.raises(FetchError, match=r"127\.0\.0\.1"):
        fetch_once(desk.db, desk.clock, settings_for(mailbox), "wrong", worker="ws1")
    with pytest.raises(FetchError, match="'Nowhere'"):
        fetch_once(
            desk.db, desk.clock, settings_for(mailbox, folder="Nowhere"), mailbox.password, worker="ws1"
        )
    assert MailLease.get().holder is None, "a failed pass gives the lease back"


def test_a_message_that_cannot_be_imported_leaves_the_rest_of_its_batch_committed(
    desk: Desk, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One commit per batch, but a message that fails does not take the batch with it: the
    ones before it are imported one by one, and its error stops the pass as before."""
    from deskapp.mail.incident_form import read_form
    from deskapp.services import inbound

    mailbox.deliver(letter("a"), letter("poison"), letter("c"))

    def picky(subject: str, text: str) -> object:
        if subject == "poison":
            raise RuntimeError("cannot route this one")
        return read_form(subject, text)

    monkeypatch.setattr(inbound, "read_form", picky)
    with pytest.raises(RuntimeError, match="cannot route"):
        fetch_once(desk.db, desk.clock, settings_for(mailbox), mailbox.password, worker="ws1")
    assert [m.subject for m in Message.select()] == ["a"], "the one before it, committed alone"
    monkeypatch.setattr(inbound, "read_form", read_form)
    report = fetch_once(desk.db, desk.clock, settings_for(mailbox), mailbox.password, worker="ws1")
    assert len(report.imported) == 2 and report.duplicates == 0
    assert sorted(m.subject for m in Message.select()) == ["a", "c", "poison"]
    assert mailbox.flagged_seen() == mailbox.uids()


def test_leftovers_are_looked_for_again_when_the_lease_may_have_lapsed(
    desk: Desk, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection that keeps its lease does not scan for leftovers on each poll; once the
    lease may have been another's, it does, and flags what that one committed."""
    settings = settings_for(mailbox)
    first = Fetcher(desk.db, desk.clock, settings, mailbox.password, worker="ws1")
    scans: list[int] = []
    scan = Fetcher._mark_leftovers

    def counted(self: Fetcher, *args: object) -> None:
        scans.append(1)
        scan(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Fetcher, "_mark_leftovers", counted)
    try:
        first.fetch_once()
        first.fetch_once()
        desk.at(desk.clock.now() + dt.timedelta(seconds=10))
        first.fetch_once()
        assert len(scans) == 1, "a connection that kept its lease scans once"

        class Crash(Exception):
            pass

        def die(uid: int) -> None:
            raise Crash(uid)

        lease.release(desk.db, "ws1")  # ws1 stalls; ws2 takes over, commits, dies before the flag
        mailbox.deliver(letter("late"))
        doomed = Fetcher(desk.db, desk.clock, settings, mailbox.password, worker="ws2", after_commit=die)
        with pytest.raises(Crash):
            doomed.fetch_once()
        doomed.close()
        assert mailbox.flagged_seen() == []
        desk.at(desk.clock.now() + lease.TTL + dt.timedelta(seconds=1))
        report = first.fetch_once()
        assert report.held and report.marked == 1 and len(scans) == 3, "ws2 scanned once, ws1 again"
        assert mailbox.flagged_seen() == mailbox.uids()
    finally:
        first.close()


def test_a_connection_kept_between_passes_sees_mail_that_arrived_meanwhile(
    desk: Desk, mailbox: Mailbox
) -> None:
    """The app's holder keeps its connection from turn to turn (no IDLE in between): the
    server tells that session of new mail only in answer to a command."""
    fetcher = Fetcher(desk.db, desk.clock, settings_for(mailbox), mailbox.password, worker="ws1")
    try:
        mailbox.deliver(letter("one"))
        assert len(fetcher.fetch_once().imported) == 1
        mailbox.deliver(letter("two"))
        again = fetcher.fetch_once()
        assert fetcher.client is not None, "the same connection"
        assert len(again.imported) == 1 and again.marked == 1
        assert [m.subject for m in Message.select().order_by(Message.imap_uid)] == ["one", "two"]
    finally:
        fetcher.close()
