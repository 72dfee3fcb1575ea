"""Read the desk's mailbox over IMAP (imapclient): each message imported once.

    fetch_once(db, clock, settings, password, *, worker) -> FetchReport
    watch(db, clock, settings, password, *, worker, interval, stop) -> None

Only the holder of the desk's fetcher lease (`deskapp.mail.lease`) connects,
so fifty workstations open one connection, not fifty. A pass reads the UIDs
above the lease's reading position (a poll with nothing new is one UID SEARCH),
imports them COMMIT_EVERY at a time, each batch in one transaction
(`services.inbound.import_batch`, which moves the position in the same
commit), and only after those commits flags them \\Seen on the server (or
moves them to `done_folder`). A crash between a commit and the flag imports
nothing twice: the next pass starts above the position and first flags what
was committed but not yet flagged.

`watch` keeps the connection: IDLE where the server offers it (woken at least
every `RENEW` to renew the lease), else a poll every `interval` seconds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import peewee as pw
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from deskapp.domain.clock import Clock
from deskapp.domain.policy import Policy
from deskapp.mail import lease
from deskapp.store.connection import use, write_transaction
from deskapp.store.models import Message, Meta

log = logging.getLogger(__name__)

SECURITY = ("tls", "starttls", "none")
IMAP_KEY = "imap"
KEYRING_SERVICE = "deskapp-imap"
PASSWORD_ENV = "DESKAPP_IMAP_PASSWORD"
BATCH = 200  # messages fetched per round trip
COMMIT_EVERY = 25  # messages imported per transaction (the write lock is held that long)
RENEW = lease.RENEW_EVERY.total_seconds()


class FetchError(Exception):
    """The mailbox could not be read (server down, login refused, no such folder)."""


class CaFileError(FetchError):
    """The certificate file to trust for the IMAP server cannot be used."""

    def __init__(self, path: str, why: str) -> None:
        super().__init__(f"IMAP CA file {short_repr(path)}: {why}")
        self.why = why


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int = 993
    security: str = "tls"
    login: str = ""
    folder: str = "INBOX"
    done_folder: str | None = None  # move imported messages here (else flag them \Seen)
    timeout: float = 30.0
    verify: bool = True  # check the server's certificate (tests run a self-signed one)
    # A PEM file of the certificate(s) to trust for this server: a desk whose server has
    # a self-signed certificate or its own authority trusts that, not every certificate.
    ca_file: str | None = None

    def __post_init__(self) -> None:
        if self.security not in SECURITY:
            raise ValueError(f"IMAP security must be one of {', '.join(SECURITY)}, not {self.security!r}")

    @property
    def mailbox(self) -> str:
        """The reading position's key: who reads which folder where."""
        return f"{self.login}@{self.host}:{self.port}/{self.folder}"


def load_imap_settings(db: pw.Database) -> ImapSettings | None:
    use(db)
    row = Meta.get_or_none(Meta.key == IMAP_KEY)
    if row is None:
        return None
    return ImapSettings(**json.loads(str(row.value)))


def save_imap_settings(db: pw.Database, settings: ImapSettings) -> None:
    use(db)
    value = json.dumps(asdict(settings))
    with write_transaction(db):
        Meta.insert(key=IMAP_KEY, value=value).on_conflict(
            conflict_target=[Meta.key], update={Meta.value: value}
        ).execute()


def imap_password(settings: ImapSettings) -> str | None:
    """DESKAPP_IMAP_PASSWORD (a headless machine), else the OS keyring."""
    env = os.environ.get(PASSWORD_ENV)
    if env is not None:
        return env
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, f"{settings.login}@{settings.host}")
    except Exception:  # no keyring backend on this machine
        return None


def trust_context(ca_file: str | None) -> ssl.SSLContext:
    """The TLS context for the IMAP server: the system's authorities, or only those in
    `ca_file` (a PEM file) when one is given; a file that cannot be read is named."""
    if not ca_file:
        return ssl.create_default_context()
    try:
        return ssl.create_default_context(cafile=ca_file)
    except FileNotFoundError:
        raise CaFileError(ca_file, "no such file") from None
    except (OSError, ssl.SSLError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
        raise CaFileError(ca_file, f"not a PEM certificate file ({reason})") from None


def short_repr(text: str, limit: int = 80) -> str:
    """A value quoted for a message: its two ends when it is long."""
    return repr(text if len(text) <= limit else text[: limit // 2] + "…" + text[-limit // 2 :])


def certificate_problem(where: str, exc: ssl.SSLCertVerificationError, ca_file: str | None) -> str:
    """Why the server's certificate was refused, and what to do about it."""
    why = exc.verify_message or exc.reason or str(exc)
    trusted = f"the certificates in {short_repr(ca_file)}" if ca_file else "this machine's authorities"
    advice = (
        "check the file is the server's certificate or its authority's"
        if ca_file
        else "if the server's certificate is self-signed or from the desk's own authority, "
        "trust it with: deskapp --as ADMIN mail settings --imap-ca-file PATH"
    )
    refused = f"its TLS certificate is not trusted ({why}; checked against {trusted})"
    return f"IMAP server {where}: {refused}; {advice}"


def connect(settings: ImapSettings, password: str | None) -> IMAPClient:
    context = trust_context(settings.ca_file)
    if not settings.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    where = f"{settings.host}:{settings.port}"
    try:
        client = IMAPClient(
            settings.host, port=settings.port, ssl=settings.security == "tls",
            ssl_context=context, timeout=settings.timeout,
        )  # fmt: skip
        if settings.security == "starttls":
            client.starttls(context)
        if settings.login:
            if password is None:
                raise FetchError(
                    f"no IMAP password for {settings.login}: set {PASSWORD_ENV} or keep it in the keyring"
                )
            client.login(settings.login, password)
        return client
    except FetchError:
        raise
    except ssl.SSLCertVerificationError as exc:
        raise FetchError(certificate_problem(where, exc, settings.ca_file)) from exc
    except (OSError, IMAPClientError, ssl.SSLError) as exc:
        raise FetchError(f"IMAP server {where}: {exc}") from exc


@dataclass
class FetchReport:
    imported: list[int] = field(default_factory=list)  # message rows
    duplicates: int = 0
    marked: int = 0
    held: bool = True  # False: another workstation holds the lease; nothing done
    holder: str | None = None

    def lines(self) -> list[str]:
        if not self.held:
            return [f"another workstation ({self.holder or 'unknown'}) is fetching the desk's mail"]
        return [f"imported {len(self.imported)}, copies skipped {self.duplicates}, flagged {self.marked}"]


def default_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# Called after each commit of imported messages, with the last UID it carried (tests
# stop a fetcher there: committed, not yet flagged on the server).
AfterCommit = Callable[[int], None]


class Fetcher:
    """One workstation's reading of the desk's mailbox over one connection."""

    def __init__(
        self, db: pw.Database, clock: Clock, settings: ImapSettings, password: str | None, *,
        worker: str | None = None, policy: Policy | None = None, after_commit: AfterCommit | None = None,
    ) -> None:  # fmt: skip
        self.db, self.clock, self.settings, self.password = db, clock, settings, password
        self.worker = worker or default_worker()
        self.policy = policy
        self.after_commit = after_commit
        self.client: IMAPClient | None = None
        # Whether the last pass on this connection ran to its end, with the lease ours
        # since: then everything committed was flagged, and the next pass need not look
        # for leftovers (a scan that grows with the mailbox). A new connection, a broken
        # pass, or a lease that may have lapsed meanwhile (`_held_at`, its last renewal,
        # a TTL ago or more) looks again.
        self._clean = False
        self._held_at: dt.datetime | None = None
        self.uidvalidity: int | None = None
        self._synced = False

    # -- connection -----------------------------------------------------------------
    def open(self) -> IMAPClient:
        if self.client is None:
            client = connect(self.settings, self.password)
            try:
                info = client.select_folder(self.settings.folder)
            except IMAPClientError as exc:
                client.logout()
                raise FetchError(f"IMAP folder {self.settings.folder!r}: {exc}") from exc
            self.uidvalidity = int(info[b"UIDVALIDITY"])
            self.client = client
            self._clean = False
            self._synced = True  # SELECT told this session of everything in the folder
        return self.client

    def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):  # closing a broken connection
                self.client.logout()
            self.client = None

    # -- one pass ---------------------------------------------------------------------
    def fetch_once(self) -> FetchReport:
        report = FetchReport()
        now = self.clock.now()
        if self._held_at is None or now >= self._held_at + lease.TTL:
            self._clean = False  # the lease may have been another's meanwhile: look again
        if not lease.acquire(self.db, self.clock, self.worker):
            self._held_at = None
            report.held = False
            report.holder = lease.holder_of(self.db, self.clock.now())
            self.close()  # a workstation without the lease keeps no connection
            return report
        self._held_at = now
        try:
            self._pass(report)
        except (OSError, IMAPClientError, ssl.SSLError) as exc:
            self.close()
            raise FetchError(f"IMAP server {self.settings.host}:{self.settings.port}: {exc}") from exc
        return report

    def _pass(self, report: FetchReport) -> None:
        from deskapp.services.inbound import Incoming

        client = self.open()
        assert self.uidvalidity is not None
        if not self._synced:
            # A connection kept from an earlier pass: the server tells a session of mail
            # that arrived since only in answer to a command, and a UID SEARCH "last+1:*"
            # asked before that sees none of it (Dovecot). NOOP is that command.
            client.noop()
        self._synced = False  # until the next SELECT
        mailbox, validity = self.settings.mailbox, self.uidvalidity
        if not self._clean:
            self._mark_leftovers(client, mailbox, validity, report)
        self._clean = False  # until this pass ends
        position = lease.cursor(self.db, mailbox)
        last = position[1] if position is not None and position[0] == validity else 0
        uids = sorted(int(u) for u in client.search(["UID", f"{last + 1}:*"]) if int(u) > last)
        renewed = time.monotonic()
        for start in range(0, len(uids), BATCH):
            chunk = uids[start : start + BATCH]
            # BODY.PEEK: reading must not set \Seen; that waits for the commit.
            rows = client.fetch(chunk, ["BODY.PEEK[]", "INTERNALDATE"])
            items = [
                Incoming(uid, bytes(data.get(b"BODY[]") or b""), _arrival(data.get(b"INTERNALDATE")))
                for uid, data in ((uid, rows.get(uid)) for uid in chunk)
                if data is not None  # else expunged meanwhile
            ]
            done: list[int] = []
            lost = False
            for at in range(0, len(items), COMMIT_EVERY):
                batch = items[at : at + COMMIT_EVERY]
                self._import(batch, mailbox, validity, report)
                done.extend(item.uid for item in batch)
                if self.after_commit is not None:
                    self.after_commit(batch[-1].uid)
                if time.monotonic() - renewed > RENEW:  # a long pass keeps its lease
                    renewed_at = self.clock.now()
                    if not lease.acquire(self.db, self.clock, self.worker):
                        lost = True  # the lease went to another workstation: stop here
                        break
                    self._held_at = renewed_at
                    renewed = time.monotonic()
            self._mark(client, done, mailbox, validity, report)
            if lost:
                return
        self._clean = True

    def _import(self, batch: list[Any], mailbox: str, validity: int, report: FetchReport) -> None:
        """One commit for the batch; if one of its messages cannot be imported, the others
        are imported one by one (each in its own commit) and that one's error is raised, as
        a pass with a commit per message would."""
        from deskapp.services.inbound import ImapSource, import_batch, import_message

        try:
            results = import_batch(self.db, self.clock, batch, mailbox=mailbox, uidvalidity=validity,
                                   holder=self.worker, policy=self.policy)  # fmt: skip
        except lease.LeaseLost:
            raise
        except Exception:
            if len(batch) == 1:
                raise
            results = []
            for item in batch:
                results.append(import_message(
                    self.db, self.clock, item.raw, received_at=item.received_at,
                    source=ImapSource(mailbox, validity, item.uid, self.worker), policy=self.policy,
                ))  # fmt: skip
        for result in results:
            if result.duplicate:
                report.duplicates += 1
            elif result.message_id is not None:
                report.imported.append(result.message_id)

    def _mark_leftovers(self, client: IMAPClient, mailbox: str, validity: int, report: FetchReport) -> None:
        """Messages committed by an earlier pass that died before flagging them."""
        pending = (
            Message.select(Message.imap_uid)
            .where(
                Message.imap_mailbox == mailbox, Message.imap_uidvalidity == validity,
                Message.server_marked_at.is_null(),
            )
            .tuples()
        )  # fmt: skip
        uids = [int(values[0]) for values in _rows(pending)]
        if uids:
            # A connection that stayed open may not have seen those messages arrive; the
            # server ignores a flag for a UID it has not told this session about yet.
            client.noop()
            self._mark(client, uids, mailbox, validity, report)

    def _mark(
        self, client: IMAPClient, uids: list[int], mailbox: str, validity: int, report: FetchReport
    ) -> None:
        if not uids:
            return
        if self.settings.done_folder:
            client.move(uids, self.settings.done_folder)
        else:
            client.add_flags(uids, [b"\\Seen"], silent=True)
        with write_transaction(self.db):
            Message.update(server_marked_at=self.clock.now()).where(
                Message.imap_mailbox == mailbox, Message.imap_uidvalidity == validity,
                Message.imap_uid.in_(uids), Message.server_marked_at.is_null(),
            ).execute()  # fmt: skip
        report.marked += len(uids)

    # -- keep watching ----------------------------------------------------------------
    def wait(self, seconds: float) -> None:
        """Until the server says something changed (IDLE) or `seconds` pass; wakes at
        least every RENEW seconds so the lease is renewed in time."""
        seconds = max(0.0, min(seconds, RENEW))
        client = self.client
        if client is None or b"IDLE" not in client.capabilities():
            time.sleep(seconds)
            return
        try:
            client.idle()
            client.idle_check(timeout=seconds)
            client.idle_done()
        except (OSError, IMAPClientError, ssl.SSLError):
            self.close()

    def wait_for_news(self, seconds: float, stop: Callable[[], bool], slice_s: float = 0.5) -> bool:
        """IDLE for up to `seconds` (at most RENEW), in short slices so `stop` is heard
        within one: True as soon as the server says something changed. False at once
        when the server has no IDLE (the caller polls) or the connection broke."""
        client = self.client
        if client is None or b"IDLE" not in client.capabilities():
            return False
        deadline = time.monotonic() + max(0.0, min(seconds, RENEW))
        try:
            client.idle()
            try:
                while not stop():
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    if client.idle_check(timeout=min(slice_s, left)):
                        return True
                return False
            finally:
                client.idle_done()
        except (OSError, IMAPClientError, ssl.SSLError):
            self.close()
            return False


def _arrival(value: object) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    moment: dt.datetime = value
    if moment.tzinfo is None:  # imapclient gives local naive time unless normalised
        moment = moment.astimezone()
    return moment.astimezone(dt.UTC)


def _rows(query: Any) -> Iterable[tuple[Any, ...]]:
    return list(query)


def fetch_once(
    db: pw.Database, clock: Clock, settings: ImapSettings, password: str | None, *,
    worker: str | None = None, policy: Policy | None = None,
) -> FetchReport:  # fmt: skip
    fetcher = Fetcher(db, clock, settings, password, worker=worker, policy=policy)
    try:
        return fetcher.fetch_once()
    finally:
        fetcher.close()
        lease.release(db, fetcher.worker)


def watch(
    db: pw.Database, clock: Clock, settings: ImapSettings, password: str | None, *,
    interval: float, worker: str | None = None, policy: Policy | None = None,
    report: Callable[[FetchReport], None] | None = None, stop: Callable[[], bool] = lambda: False,
) -> None:  # fmt: skip
    fetcher = Fetcher(db, clock, settings, password, worker=worker, policy=policy)
    try:
        while not stop():
            started = time.monotonic()
            try:
                result = fetcher.fetch_once()
            except FetchError as exc:
                log.warning("mail fetch: %s", exc)
                time.sleep(min(interval, RENEW))
                continue
            if report is not None:
                report(result)
            left = interval - (time.monotonic() - started)
            if result.held:
                fetcher.wait(left)
            else:
                time.sleep(max(0.0, min(left, RENEW)))
    finally:
        fetcher.close()
        lease.release(db, fetcher.worker)
