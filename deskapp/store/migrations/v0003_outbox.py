"""v3: the outbox of messages to resellers, and survey invitations with their
unique references."""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator

from deskapp.store.migrations.frozen import FrozenModel, Instant, create, stub

VERSION = 3

_Ticket = stub("ticket")


class SurveyInvitation(FrozenModel):
    id = pw.AutoField()
    ticket = pw.ForeignKeyField(_Ticket, unique=True, on_delete="RESTRICT")
    ref = pw.CharField(unique=True, max_length=32)
    created_at = Instant()

    class Meta:
        table_name = "survey_invitation"


class Outbox(FrozenModel):
    id = pw.AutoField()
    ticket = pw.ForeignKeyField(_Ticket, null=True, on_delete="RESTRICT")
    kind = pw.CharField(max_length=32)
    recipient = pw.CharField(max_length=254)
    subject = pw.CharField(max_length=500)
    body = pw.TextField()
    message_id = pw.CharField(unique=True, max_length=200)
    created_at = Instant()
    status = pw.CharField(max_length=16, default="pending")
    attempts = pw.IntegerField(default=0)
    next_attempt_at = Instant()
    claimed_by = pw.CharField(null=True, max_length=100)
    claimed_until = Instant(null=True)
    sent_at = Instant(null=True)
    last_error = pw.TextField(null=True)

    class Meta:
        table_name = "outbox"
        indexes = ((("status", "next_attempt_at"), False),)


def apply(db: pw.Database, migrator: SchemaMigrator) -> None:
    create(db, SurveyInvitation, Outbox)
