"""Email addresses checked when they are typed, so a typo is caught before every message
to that contact goes astray: syntax only (email-validator, no network lookups; a desk's
workstation may have no DNS to ask, and a reseller's domain may refuse to answer)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from deskapp.services.errors import ValidationError


def checked_email(value: str | None, what: str = "the email address") -> str | None:
    """The address normalised (domain lower-cased), None when empty; ValidationError
    naming the address and what is wrong with it otherwise."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return str(validate_email(text, check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise ValidationError(f"{what} {text!r} is not an email address: {exc}; nothing was saved") from None
