"""A real IMAP server for tests: a private Dovecot on 127.0.0.1, one per test session.

    server = Dovecot().start()          # free ports, self-signed cert, passwd-file users
    box = server.mailbox()               # a fresh user (login, password) with its own Maildir
    box.deliver(raw_bytes, internaldate) # IMAP APPEND as that user
    server.stop()

Every path lives under one temporary folder (readable by the `dovecot` user,
which owns the mail). Each user has a passwd-file of its own (`users/<login>`), so each test
gets a mailbox of its own without restarting or reloading the server. If Dovecot cannot
start, `start` raises with the server's log: a mail test fails, it never skips.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pwd
import shutil
import ssl
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient

from tests.mail.smtp_server import free_port

CONFIG = """\
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
info_log_path = {dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{dir}/cert.pem
ssl_key = <{dir}/key.pem
auth_mechanisms = plain login
disable_plaintext_auth = no
mail_location = maildir:~/Maildir
first_valid_uid = 100
default_internal_user = dovecot
default_login_user = dovenull
mail_max_userip_connections = 100
passdb {{
  driver = passwd-file
  args = {dir}/users/%u
}}
userdb {{
  driver = passwd-file
  args = {dir}/users/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
  }}
}}
"""


class DovecotError(RuntimeError):
    pass


def unverified_context() -> ssl.SSLContext:
    """The test server's certificate is self-signed."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@dataclass
class Mailbox:
    server: Dovecot
    login: str
    password: str

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.server.imaps_port, ssl=True,
                            ssl_context=unverified_context(), timeout=30)  # fmt: skip
        client.login(self.login, self.password)
        return client

    def deliver(self, *messages: bytes, at: dt.datetime | None = None, folder: str = "INBOX") -> None:
        """Put messages in the mailbox as a mail server would (IMAP APPEND)."""
        with self.client() as client:
            for raw in messages:
                client.append(folder, raw, msg_time=at)

    def uids(self, folder: str = "INBOX", criteria: str = "ALL") -> list[int]:
        with self.client() as client:
            client.select_folder(folder)
            return sorted(int(u) for u in client.search(criteria))

    def flagged_seen(self, folder: str = "INBOX") -> list[int]:
        return self.uids(folder, "SEEN")


class Dovecot:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="deskapp-dovecot-", dir="/tmp"))
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self._users: list[str] = []

    @property
    def cert_path(self) -> Path:
        """The server's self-signed certificate (valid for 127.0.0.1): what a client trusts."""
        return self.dir / "cert.pem"

    @property
    def log(self) -> str:
        path = self.dir / "dovecot.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def start(self) -> Dovecot:
        binary = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")
        if binary is None:
            raise DovecotError("dovecot is not installed (apt-get install dovecot-imapd; .ci/run does)")
        try:
            owner = pwd.getpwnam("dovecot")
        except KeyError:
            raise DovecotError("there is no 'dovecot' user: is dovecot-imapd installed?") from None
        self._uid, self._gid = owner.pw_uid, owner.pw_gid
        os.chmod(self.dir, 0o755)
        for sub in ("run", "state", "mail", "users"):
            (self.dir / sub).mkdir()
        os.chown(self.dir / "mail", self._uid, self._gid)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
             "-keyout", str(self.dir / "key.pem"),
             "-out", str(self.dir / "cert.pem")],
            check=True, capture_output=True,
        )  # fmt: skip
        (self.dir / "dovecot.conf").write_text(
            CONFIG.format(dir=self.dir, imap_port=self.imap_port, imaps_port=self.imaps_port),
            encoding="utf-8",
        )
        # The master daemonises and keeps its standard streams: they go to a file, not a
        # pipe (a pipe would never reach end-of-file and the start would hang).
        errors = self.dir / "start.err"
        with errors.open("wb") as err:
            done = subprocess.run([binary, "-c", str(self.dir / "dovecot.conf")],
                                  stdin=subprocess.DEVNULL, stdout=err, stderr=err, timeout=60)  # fmt: skip
        if done.returncode != 0:
            message = errors.read_text(encoding="utf-8", errors="replace").strip()
            raise DovecotError(f"dovecot did not start: {message}\n{self.log}")
        self._wait_listening()
        return self

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + 30
        probe = self.mailbox()
        while True:
            try:
                with probe.client() as client:
                    client.noop()
                return
            except Exception as exc:
                if time.monotonic() > deadline:
                    self.stop()
                    raise DovecotError(
                        f"dovecot did not answer on {self.imaps_port}: {exc}\n{self.log}"
                    ) from exc
                time.sleep(0.1)

    def mailbox(self) -> Mailbox:
        """A new user with an empty Maildir."""
        login = f"desk{uuid.uuid4().hex[:10]}"
        password = uuid.uuid4().hex
        home = self.dir / "mail" / login
        line = f"{login}:{{PLAIN}}{password}:{self._uid}:{self._gid}::{home}\n"
        # One passwd-file per user (`users/%u`): a new user is a new file, read when
        # first asked for, so no reload of a shared file can be missed.
        (self.dir / "users" / login).write_text(line, encoding="utf-8")
        self._users.append(login)
        return Mailbox(self, login, password)

    def stop(self) -> None:
        pid_file = self.dir / "run" / "master.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().strip())
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 15)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        shutil.rmtree(self.dir, ignore_errors=True)
