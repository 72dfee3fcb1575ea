"""Inbound mail: import throughput, and the cost of a poll with nothing new.

    python3 bench/mail_bench.py [--messages 10000] [--postgres]

Starts a private Dovecot (as the mail tests do), fills one mailbox with
`--messages` messages (IMAP MULTIAPPEND), then on a new SQLite desk (and on
PostgreSQL with --postgres and DESKAPP_TEST_PG_URL set, in a throw-away schema):
- import: one fetch pass over the whole mailbox (lease, UID SEARCH, BODY.PEEK
  fetches of 200 messages, one transaction per 25 messages with the reading
  position in it, the \\Seen flags after each fetch's commits): messages per
  second (target >= 50);
- empty poll: further passes on the open connection, as `mail fetch --watch`
  makes them, with nothing new on the 10,000-message mailbox (lease renewal,
  leftover check, UID SEARCH): median and worst of 20 (target <= 50 ms); and a
  cold pass (connect, log in, select) for comparison.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deskapp.domain.clock import SystemClock
from deskapp.mail.fetch import Fetcher, fetch_once
from deskapp.store.connection import database_from_url, open_database, raw_sql
from tests.mail.dovecot import Dovecot, Mailbox
from tests.mail.letters import settings_for


def fill(box: Mailbox, count: int) -> None:
    with box.client() as client:
        batch: list[bytes] = []
        for i in range(count):
            msg = EmailMessage()
            msg["From"] = f"user{i % 50}@reseller{i % 7}.example"
            msg["To"] = "desk@example.co.uk"
            msg["Subject"] = f"Question {i} about our tenant"
            msg["Message-ID"] = f"<{uuid.uuid4().hex}@bench.example>"
            msg.set_content(f"Message {i}.\n" + "Some text a reseller writes. " * 20)
            batch.append(msg.as_bytes())
            if len(batch) == 500:
                client.multiappend("INBOX", batch)
                batch = []
        if batch:
            client.multiappend("INBOX", batch)


def run(url: str, label: str, box: Mailbox, count: int) -> None:
    db = open_database(url)
    clock = SystemClock()
    settings = settings_for(box)
    fetcher = Fetcher(db, clock, settings, box.password, worker="bench")
    started = time.perf_counter()
    report = fetcher.fetch_once()
    took = time.perf_counter() - started
    print(f"{label}: imported {len(report.imported)} of {count} in {took:.1f} s: "
          f"{len(report.imported) / took:.0f} messages/s (target >= 50)")  # fmt: skip
    polls = []
    for _ in range(20):
        t0 = time.perf_counter()
        again = fetcher.fetch_once()
        polls.append((time.perf_counter() - t0) * 1000)
        assert not again.imported
    print(f"{label}: empty poll on {count} messages, open connection: median "
          f"{statistics.median(polls):.1f} ms, worst {max(polls):.1f} ms (target <= 50 ms)")  # fmt: skip
    fetcher.close()
    t0 = time.perf_counter()
    fetch_once(db, clock, settings, box.password, worker="bench")
    print(f"{label}: empty poll with connect, log in and select: {(time.perf_counter() - t0) * 1000:.0f} ms")
    db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--postgres", action="store_true", help="also on DESKAPP_TEST_PG_URL")
    args = parser.parse_args()
    server = Dovecot().start()
    try:
        targets = [("sqlite", "sqlite:///{dir}/bench.sqlite3")]
        pg = os.environ.get("DESKAPP_TEST_PG_URL")
        if args.postgres and pg:
            targets.append(("postgresql", pg))
        for label, url in targets:
            box = server.mailbox()
            t0 = time.perf_counter()
            fill(box, args.messages)
            print(
                f"{label}: mailbox filled with {args.messages} messages in {time.perf_counter() - t0:.1f} s"
            )
            if label == "sqlite":
                run(url.format(dir=server.dir), label, box, args.messages)
            else:
                schema = f"bench_{uuid.uuid4().hex[:12]}"
                admin = database_from_url(url)
                admin.connect()
                raw_sql(admin, f'CREATE SCHEMA "{schema}"')
                sep = "&" if "?" in url else "?"
                try:
                    run(f"{url}{sep}options={quote(f'-csearch_path={schema}')}", label, box, args.messages)
                finally:
                    raw_sql(admin, f'DROP SCHEMA "{schema}" CASCADE')
                    admin.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
