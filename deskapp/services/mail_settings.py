"""The desk's SMTP server, set by an administrator (the password is not here: it goes
to each workstation's OS keyring).

    smtp_settings(db) -> SmtpSettings | None
    set_smtp_settings(db, actor, *, host, port, security, login, sender) -> SmtpSettings
"""

from __future__ import annotations

import peewee as pw

from deskapp.domain.lifecycle import Role
from deskapp.domain.time_range import quote
from deskapp.mail.sender import load_settings, save_settings
from deskapp.mail.smtp_transport import SECURITY, SmtpSettings
from deskapp.services.errors import PermissionDenied, ValidationError
from deskapp.services.operation import load_staff
from deskapp.store.connection import use


def smtp_settings(db: pw.Database) -> SmtpSettings | None:
    return load_settings(db)


def set_smtp_settings(
    db: pw.Database, actor: str, *, host: str, port: int, security: str, login: str | None, sender: str
) -> SmtpSettings:
    """Check and keep the desk's mail server (administrators only)."""
    use(db)
    if load_staff(actor).role != Role.ADMIN.value:
        raise PermissionDenied("only an administrator sets the desk's mail server")
    host, sender, login = host.strip(), sender.strip(), (login or "").strip() or None
    if not host:
        raise ValidationError("the mail server needs a host name")
    if not 1 <= port <= 65535:
        raise ValidationError(f"port {port} is not a TCP port (1-65535)")
    if security not in SECURITY:
        raise ValidationError(f"security must be one of {', '.join(SECURITY)}")
    if "@" not in sender:
        raise ValidationError(f"the sender {quote(sender)} is not an email address")
    current = load_settings(db)
    timeout = current.timeout if current is not None else SmtpSettings(host).timeout
    settings = SmtpSettings(host=host, port=port, security=security, login=login, sender=sender,
                            timeout=timeout)  # fmt: skip
    save_settings(db, settings)
    return settings
