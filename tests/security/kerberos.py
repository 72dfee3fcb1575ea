"""A throw-away Kerberos realm and a private PostgreSQL that signs people in with it (GSSAPI).

    realm = Realm.start(base)                    # MIT krb5kdc on a free port, KRB5_CONFIG in `env`
    realm.add_service("postgres/localhost", keytab)   # the server's key
    realm.add_user("tina")                       # a keytab of her own: kinit needs no password
    realm.kinit("tina"); realm.kdestroy()        # her ticket in realm.env's KRB5CCNAME file
    server = PrivatePostgres.start(base, keytab, env=realm.env)
    server.sql("CREATE ROLE ...")                # as the cluster's superuser, over its socket
    server.stop(); realm.stop()

Everything lives under one temporary folder: the KDC's database, stash and log, the
krb5.conf the client libraries read (KRB5_CONFIG: never /etc/krb5.conf), the ticket
cache (KRB5CCNAME), and a PostgreSQL cluster of its own (initdb, its own port and
socket folder). The machine's shared cluster on 5432 is never touched. Run as root,
initdb and the server run as the `postgres` OS user (they refuse root), so the cluster's
folders and the server's keytab are that user's.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")
KERBEROS_TOOLS = ("krb5kdc", "kdb5_util", "kadmin.local", "kinit", "kdestroy", "klist")
SERVER_USER = "postgres"


class KerberosSetupError(RuntimeError):
    """The realm or the private cluster did not come up (the message carries its log)."""


def missing_tools() -> list[str]:
    """What this module needs and the machine lacks (packages krb5-kdc, krb5-user,
    krb5-admin-server, postgresql-15)."""
    tools = (*KERBEROS_TOOLS, "runuser") if _is_root() else KERBEROS_TOOLS
    needed = [t for t in tools if shutil.which(t, path=_sbin_path()) is None]
    needed += [str(PG_BIN / t) for t in ("initdb", "pg_ctl", "postgres") if not (PG_BIN / t).exists()]
    return needed


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0  # (no geteuid on Windows: never root)


def _sbin_path() -> str:
    # krb5kdc, kdb5_util and kadmin.local are in /usr/sbin, often not on a user's PATH.
    return os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(argv: Sequence[str], env: dict[str, str], what: str, timeout: float = 60) -> str:
    done = subprocess.run(list(argv), env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise KerberosSetupError(f"{what} failed ({done.returncode}): {done.stdout}{done.stderr}")
    return done.stdout


def _wait_for_port(port: int, seconds: float, log: Path, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.05)
    text = log.read_text(errors="replace") if log.exists() else "(no log)"
    raise KerberosSetupError(f"{what} did not listen on port {port} in {seconds:.0f} s:\n{text}")


KDC_CONF = """\
[kdcdefaults]
    kdc_listen = 127.0.0.1:{port}
    kdc_tcp_listen = 127.0.0.1:{port}

[realms]
    {realm} = {{
        database_name = {dir}/principal
        key_stash_file = {dir}/stash
        acl_file = {dir}/kadm5.acl
        max_life = 1h
        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
    }}

[logging]
    kdc = FILE:{dir}/kdc.log
    admin_server = FILE:{dir}/kadmin.log
"""

# The client side, for kinit, libpq (psycopg's bundled libgssapi_krb5) and the server's
# acceptor: the realm's KDC by address, no DNS at all, and "localhost" taken as written
# (no canonicalisation), so the service principal is postgres/localhost.
KRB5_CONF = """\
[libdefaults]
    default_realm = {realm}
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
    udp_preference_limit = 1
    ticket_lifetime = 1h

[realms]
    {realm} = {{
        kdc = 127.0.0.1:{port}
    }}

[domain_realm]
    localhost = {realm}
"""


class Realm:
    def __init__(self, base: Path, name: str = "DESK.TEST") -> None:
        self.dir = base / "krb5"
        self.name = name
        self.port = free_port()
        self.ccache = self.dir / "ccache"
        # What a client (kinit, libpq, deskapp) needs to use this realm and this ticket cache.
        self.vars = {
            "KRB5_CONFIG": str(self.dir / "krb5.conf"),
            "KRB5_KDC_PROFILE": str(self.dir / "kdc.conf"),
            "KRB5CCNAME": f"FILE:{self.ccache}",
        }
        self.env = {**os.environ, **self.vars, "PATH": _sbin_path()}
        self._kdc: subprocess.Popen[bytes] | None = None

    @classmethod
    def start(cls, base: Path, name: str = "DESK.TEST") -> Realm:
        realm = cls(base, name)
        try:
            realm._start()
        except BaseException:
            realm.stop()
            raise
        return realm

    def _start(self) -> None:
        self.dir.mkdir(mode=0o755)
        os.chmod(self.dir, 0o755)  # the server (another OS user) reads krb5.conf
        values = {"realm": self.name, "port": self.port, "dir": self.dir}
        (self.dir / "kdc.conf").write_text(KDC_CONF.format(**values))
        (self.dir / "krb5.conf").write_text(KRB5_CONF.format(**values))
        os.chmod(self.dir / "krb5.conf", 0o644)
        (self.dir / "kadm5.acl").write_text("")
        # -s: a stash file, so krb5kdc starts without asking for the master password;
        # -W: the master key from the fast random source (a test realm, gone in seconds).
        _run(["kdb5_util", "create", "-s", "-W", "-r", self.name, "-P", "throwaway-master"],
             self.env, "kdb5_util create")  # fmt: skip
        log = self.dir / "kdc.log"
        self._kdc = subprocess.Popen(
            ["krb5kdc", "-n", "-r", self.name], env=self.env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        _wait_for_port(self.port, 15, log, "krb5kdc")

    def kadmin(self, query: str) -> str:
        return _run(["kadmin.local", "-r", self.name, "-q", query], self.env, f"kadmin.local {query!r}")

    def add_service(self, principal: str, keytab: Path) -> None:
        """A service principal with a random key, written to `keytab` (added to it if it exists)."""
        self.kadmin(f"addprinc -randkey {principal}@{self.name}")
        self.kadmin(f"ktadd -k {keytab} {principal}@{self.name}")

    def keytab(self, login: str) -> Path:
        return self.dir / f"{login}.keytab"

    def add_user(self, login: str) -> None:
        """A person's principal; their key in a keytab of their own, so that a ticket is
        had with `kinit -k` and no password is typed or stored anywhere."""
        self.kadmin(f"addprinc -randkey {login}@{self.name}")
        self.kadmin(f"ktadd -k {self.keytab(login)} {login}@{self.name}")

    def kinit(self, login: str) -> None:
        _run(["kinit", "-k", "-t", str(self.keytab(login)), f"{login}@{self.name}"], self.env, "kinit")

    def kdestroy(self) -> None:
        subprocess.run(["kdestroy", "-q"], env=self.env, capture_output=True, timeout=30)

    def has_ticket(self) -> bool:
        return subprocess.run(["klist", "-s"], env=self.env, timeout=30).returncode == 0

    def stop(self) -> None:
        if self._kdc is not None:
            self._kdc.terminate()
            try:
                self._kdc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._kdc.kill()
                self._kdc.wait(timeout=10)
            self._kdc = None


def _as_server_user(argv: Sequence[str], env: dict[str, str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` OS user then
    (with the realm's KRB5_CONFIG, which runuser would not pass on by itself)."""
    if not _is_root():
        return list(argv)
    krb = [f"{k}={env[k]}" for k in ("KRB5_CONFIG",) if k in env]
    return ["runuser", "-u", SERVER_USER, "--", "env", *krb, *argv]


def _give_to_server_user(*paths: Path) -> None:
    if not _is_root():
        return
    import pwd  # POSIX only, like everything here

    user = pwd.getpwnam(SERVER_USER)
    for path in paths:
        os.chown(path, user.pw_uid, user.pw_gid)


class PrivatePostgres:
    """A PostgreSQL 15 cluster of the test's own: its port, socket folder and pg_hba."""

    def __init__(self, base: Path, env: dict[str, str]) -> None:
        self.dir = base / "pg"
        self.data = self.dir / "data"
        self.socket_dir = self.dir / "sock"
        self.log = self.dir / "server.log"
        self.port = free_port()
        self.env = env
        self._started = False

    @classmethod
    def start(cls, base: Path, keytab: Path, hba: str, env: dict[str, str]) -> PrivatePostgres:
        server = cls(base, env)
        try:
            server._start(keytab, hba)
        except BaseException:
            server.stop()
            raise
        return server

    def _start(self, keytab: Path, hba: str) -> None:
        self.dir.mkdir(mode=0o755)
        os.chmod(self.dir, 0o755)
        self.socket_dir.mkdir(mode=0o755)
        self.log.touch()
        _give_to_server_user(self.dir, self.socket_dir, self.log, keytab)
        os.chmod(keytab, 0o600)  # the server's key: readable by the server alone
        _run(_as_server_user([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                              "--auth-local=trust", "--auth-host=reject", "-E", "UTF8", "--no-sync",
                              "--no-instructions"], self.env),
             self.env, "initdb")  # fmt: skip
        conf = self.data / "postgresql.conf"
        with conf.open("a") as out:
            out.write(
                f"\nport = {self.port}\n"
                "listen_addresses = 'localhost'\n"
                f"unix_socket_directories = '{self.socket_dir}'\n"
                f"krb_server_keyfile = 'FILE:{keytab}'\n"
                "max_connections = 20\n"
                "shared_buffers = 16MB\n"
                "fsync = off\n"
            )
        (self.data / "pg_hba.conf").write_text(hba)
        _give_to_server_user(self.data / "pg_hba.conf")
        _run(_as_server_user([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                              "-w", "-t", "30", "start"], self.env),
             self.env, f"pg_ctl start (log: {self.log})")  # fmt: skip
        self._started = True

    def sql(self, statement: str, database: str = "postgres") -> None:
        """Run SQL as the cluster's superuser over its unix socket (trust: the private cluster
        has no other local users)."""
        import psycopg

        with psycopg.connect(host=str(self.socket_dir), port=self.port, user="postgres",
                             dbname=database, autocommit=True) as conn:  # fmt: skip
            conn.execute(statement.encode())  # test SQL written here (no parameters)

    def reconfigure(self, hba: str, ident: str = "") -> None:
        """New pg_hba.conf and pg_ident.conf, and a reload (the server reads them for each
        new connection once the postmaster has had its SIGHUP)."""
        (self.data / "pg_hba.conf").write_text(hba)
        (self.data / "pg_ident.conf").write_text(ident)
        self.sql("SELECT pg_reload_conf()")

    def server_log(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self._started or (self.data / "postmaster.pid").exists():
            subprocess.run(
                _as_server_user([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                                 "-w", "-t", "30", "stop"], self.env),
                env=self.env, capture_output=True, timeout=60,
            )  # fmt: skip
            self._started = False
