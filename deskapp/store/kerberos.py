"""Signing in to PostgreSQL with Kerberos (GSSAPI; SSPI on Windows): no password at all.

A server whose pg_hba line says `gss` (or `sspi`) checks the person's Kerberos ticket,
the one their domain sign-on or `kinit` gave them; the URL names only the login
(`postgresql://tina@dbhost/desk`) and deskapp asks for no password, because the server
never asks for one (`deskapp.cli.session`, `deskapp.gui.launch` ask only when it does).

Two things make that dependable whichever libpq psycopg loads:

- `gssencmode`: libpq's documented default is `prefer` (encrypt the session with
  Kerberos when there is a ticket), but the libpq bundled in psycopg[binary] is built
  with `disable`, and psycopg warns on every Kerberos sign-in that relies on the
  default. Unless the URL or PGGSSENCMODE says otherwise, deskapp asks for `prefer`;
  with no ticket libpq skips it at once, and a server without Kerberos declines it.
  But libpq prefers Kerberos encryption to TLS whatever `sslmode` says, so a URL (or
  PGSSLMODE) that requires TLS gets `disable`: TLS as asked, with the server's
  certificate checked as asked, and Kerberos still signs the person in inside it.
- when the server refuses a ticket, or there is none, libpq's words ("GSSAPI
  continuation error: ... No Kerberos credentials available") do not say what to do:
  `explain` adds that.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

GSSENC_ENV = "PGGSSENCMODE"
SSLMODE_ENV = "PGSSLMODE"
TLS_REQUIRED = frozenset({"require", "verify-ca", "verify-full"})
# libpq's phrases for a Kerberos sign-in that failed: no ticket, a ticket the server
# could not use, or a ticket for another person than the URL's login.
GSS_WORDS = ("gssapi", "sspi", "kerberos")


def choose_gssencmode(params: MutableMapping[str, object]) -> None:
    """`gssencmode` where the URL and the environment leave it to libpq: `prefer`, or
    `disable` when TLS is required (see the module docstring)."""
    if "gssencmode" in params or os.environ.get(GSSENC_ENV):
        return
    sslmode = str(params.get("sslmode") or os.environ.get(SSLMODE_ENV) or "").strip().lower()
    params["gssencmode"] = "disable" if sslmode in TLS_REQUIRED else "prefer"


# The server asked for a password after all (a scram line): that is what to say, even where
# libpq's message also mentions a Kerberos attempt it made first (gssencmode=prefer).
PASSWORD_WORDS = ("no password supplied", "password authentication failed")


def is_kerberos_refusal(message: str) -> bool:
    text = message.lower()
    return any(word in text for word in GSS_WORDS) and not any(word in text for word in PASSWORD_WORDS)


def explain(message: str, login: str | None) -> str:
    """`message` with what to do when the server wanted a Kerberos ticket it did not get."""
    if not is_kerberos_refusal(message):
        return message
    ticket = f"a ticket for {login} with `kinit {login}`" if login else "a ticket with `kinit LOGIN`"
    return (
        f"{message.rstrip('. ')}; this server signs people in with Kerberos (GSSAPI/SSPI), "
        f"not a password: sign in to the domain, or get {ticket}, and try again "
        "(the URL's login must be the person the ticket is for; `klist` shows who)"
    )
