"""Hand one message to an SMTP server (plain, STARTTLS or TLS; optional login)."""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime

SECURITY = ("starttls", "tls", "none")
KEYRING_SERVICE = "deskapp-smtp"
PASSWORD_ENV = "DESKAPP_SMTP_PASSWORD"


class SendError(Exception):
    """The server could not take the message; `permanent` means retrying will not help."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class KeyringUnavailable(SendError, ValueError):
    """No OS keyring answered for the SMTP password."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    security: str = "starttls"
    login: str | None = None
    sender: str = "support@localhost"
    timeout: float = 20.0

    def __post_init__(self) -> None:
        # Also what the desk's stored settings are held to: a port saved before the
        # checks (or edited by hand) stops `mail send` with this, not inside smtplib.
        if self.security not in SECURITY:
            raise ValueError(f"SMTP security must be one of {SECURITY}, not {self.security!r}")
        if isinstance(self.port, bool) or not isinstance(self.port, int) or not 1 <= self.port <= 65535:
            shown = repr(self.port)[:30]
            raise ValueError(
                f"the SMTP port {shown} is not a TCP port (1-65535): set it again with mail settings"
            )


def sender_domain(settings: SmtpSettings | None) -> str:
    """The domain of the desk's From address: where our Message-IDs live."""
    if settings is None or "@" not in settings.sender:
        return "deskapp.invalid"
    return settings.sender.rpartition("@")[2].strip(" >").lower() or "deskapp.invalid"


def password_from_keyring(settings: SmtpSettings) -> str | None:
    """The SMTP password: DESKAPP_SMTP_PASSWORD on a headless machine, else the OS
    keyring (never a settings file). A machine with neither raises SendError saying so."""
    if not settings.login:
        return None
    env = os.environ.get(PASSWORD_ENV)
    if env:
        return env
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, f"{settings.login}@{settings.host}")
    except KeyringError as exc:
        raise KeyringUnavailable(
            f"the SMTP password for {settings.login}@{settings.host} cannot be read: this machine "
            f"has no OS keyring ({exc.__class__.__name__}); set {PASSWORD_ENV} instead"
        ) from exc


def build_message(
    settings: SmtpSettings, to: str, subject: str, body: str, message_id: str, *,
    date: dt.datetime | None = None, in_reply_to: str | None = None, references: Sequence[str] = (),
    automatic: bool = True,
) -> EmailMessage:  # fmt: skip
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = to
    msg["Subject"] = subject
    # A stable Message-ID lets a resend after a lost reply be recognised downstream.
    msg["Message-ID"] = message_id
    msg["Date"] = format_datetime(date or dt.datetime.now(dt.UTC))
    if in_reply_to:
        # The reseller's mail client threads the ticket's messages together.
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = " ".join(references)
    if automatic:
        # A notice, not a person writing: auto-responders must not answer it (RFC 3834).
        msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body)
    return msg


def send(settings: SmtpSettings, message: EmailMessage, password: str | None = None) -> None:
    _session(settings, password, message)


def check_connection(settings: SmtpSettings, password: str | None = None) -> str:
    """Connect, secure and log in as a send would, and send nothing: what an administrator
    wants to know before the first real message waits in the outbox. Raises SendError."""
    greeting = _session(settings, password, None)
    login = f", logged in as {settings.login}" if settings.login else ", no login"
    security = {"starttls": "STARTTLS", "tls": "TLS", "none": "no encryption"}[settings.security]
    return f"{settings.host}:{settings.port} answered ({security}{login}): {greeting}"


def _session(settings: SmtpSettings, password: str | None, message: EmailMessage | None) -> str:
    """One SMTP conversation; sends `message` if given. Returns the server's greeting."""
    context = ssl.create_default_context()
    try:
        client: smtplib.SMTP
        if settings.security == "tls":
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            code, banner = client.ehlo()
            if settings.security == "starttls":
                client.starttls(context=context)
            if settings.login:
                client.login(settings.login, password or "")
            if message is not None:
                client.send_message(message)
            else:
                client.noop()
            first_line = banner.decode("utf-8", "replace").splitlines()[0] if banner else ""
            return f"{code} {first_line}".strip()
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(f"the mail server refused the recipient: {exc.recipients}", permanent=True) from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(f"the mail server refused the login: {exc.smtp_error!r}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(f"cannot send through {settings.host}:{settings.port}: {exc}") from exc
