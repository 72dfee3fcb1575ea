"""The desk's message templates and canned replies, edited by an administrator.

template_rows(db) -> list[TemplateRow]                  every kind, its text, edited or shipped
set_template(db, actor, kind, text) -> None             administrators only; checked first
reset_template(db, actor, kind) -> None                 back to the shipped default
canned_replies(db) -> list[CannedReply]                 for the composer (everyone)
set_canned_replies(db, actor, replies) -> None          administrators only
preview(db, kind, text, number=None) -> RenderedMessage  a template as a ticket would get it
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from deskapp.domain.lifecycle import Role
from deskapp.mail import templates
from deskapp.mail.templates import CannedReply, RenderedMessage, TemplateError
from deskapp.services.errors import PermissionDenied, ValidationError
from deskapp.services.operation import load_staff
from deskapp.store.connection import use, write_transaction


@dataclass(frozen=True)
class TemplateRow:
    kind: str
    label: str
    text: str
    edited: bool


def template_rows(db: pw.Database) -> list[TemplateRow]:
    use(db)
    return [
        TemplateRow(kind, templates.LABELS[kind], templates.template_text(kind), templates.is_edited(kind))
        for kind in templates.KINDS
    ]


def _admin(actor: str, what: str) -> None:
    if load_staff(actor).role != Role.ADMIN.value:
        raise PermissionDenied(f"only an administrator edits {what}")


def set_template(db: pw.Database, actor: str, kind: str, text: str) -> None:
    use(db)
    with write_transaction(db):
        _admin(actor, "the message templates")
        try:
            templates.save_template(kind, text)
        except TemplateError as exc:
            raise ValidationError(str(exc)) from None


def reset_template(db: pw.Database, actor: str, kind: str) -> None:
    use(db)
    with write_transaction(db):
        _admin(actor, "the message templates")
        try:
            templates.reset_template(kind)
        except TemplateError as exc:
            raise ValidationError(str(exc)) from None


def canned_replies(db: pw.Database) -> list[CannedReply]:
    use(db)
    return templates.canned_replies()


def set_canned_replies(db: pw.Database, actor: str, replies: list[CannedReply]) -> None:
    use(db)
    with write_transaction(db):
        _admin(actor, "the canned replies")
        try:
            templates.save_canned_replies(replies)
        except TemplateError as exc:
            raise ValidationError(str(exc)) from None


SAMPLE = {
    "number": "WC-000123", "contact": "Pat", "summary": "Mail down for two users",
    "priority": "P2", "priority_name": "Normal", "note": "(the engineer's words)",
    "closes_at": "Sat 14 Mar 2026 24:00 GMT", "auto_resolve_at": "Thu 12 Mar 2026 10:00 GMT",
    "tier_name": "Tier 2", "author": "Tina", "survey_ref": "SV-000123-ABCD",
}  # fmt: skip


def preview(db: pw.Database, kind: str, text: str) -> RenderedMessage:
    """A template text filled with sample values (the editor's preview)."""
    use(db)
    from deskapp.services.outbox import common_values

    try:
        return templates.fill_text(text, {**common_values(None), **SAMPLE}, kind)
    except TemplateError as exc:
        raise ValidationError(str(exc)) from None
