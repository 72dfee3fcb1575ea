"""v6: the conversation by mail. `message` holds every message in and out
(inbound imported from the desk's IMAP mailbox, outbound written with its
step), `attachment` the files an inbound message carried (in the database, so
every workstation sees them), `mail_lease` which workstation holds the desk's
one IMAP connection and how far it has read; tickets gain
`engineer_flagged_at` (a reply to a resolved ticket that is neither a confirm
nor a refusal). See deskapp/store/models.py for what each column holds."""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator, migrate

from deskapp.store.migrations.frozen import FrozenModel, Instant, create, stub

VERSION = 6

_Ticket = stub("ticket")
_Outbox = stub("outbox")


class Message(FrozenModel):
    id = pw.AutoField()
    direction = pw.CharField(max_length=3)
    kind = pw.CharField(max_length=32)
    ticket = pw.ForeignKeyField(_Ticket, null=True, on_delete="RESTRICT", index=False)
    outbox = pw.ForeignKeyField(_Outbox, null=True, unique=True, on_delete="RESTRICT")
    message_id = pw.CharField(max_length=500)
    in_reply_to = pw.TextField(null=True)
    refs = pw.TextField(null=True)
    from_addr = pw.CharField(max_length=254, default="")
    from_header = pw.TextField(default="")
    to_addr = pw.TextField(default="")
    subject = pw.TextField(default="")
    text = pw.TextField(default="")
    notes = pw.TextField(default="")
    status = pw.CharField(max_length=16)
    error = pw.TextField(null=True)
    author = pw.CharField(null=True, max_length=64)
    created_at = Instant()
    dated_at = Instant(null=True)
    received_at = Instant(null=True)
    sent_at = Instant(null=True)
    size = pw.IntegerField(default=0)
    imap_mailbox = pw.CharField(null=True, max_length=500)
    imap_uidvalidity = pw.BigIntegerField(null=True)
    imap_uid = pw.BigIntegerField(null=True)
    server_marked_at = Instant(null=True)
    inbox_state = pw.CharField(null=True, max_length=16)
    inbox_reason = pw.TextField(null=True)
    inbox_by = pw.CharField(null=True, max_length=64)
    inbox_at = Instant(null=True)
    fields = pw.TextField(null=True)

    class Meta:
        table_name = "message"
        indexes = (
            (("direction", "message_id"), True),
            (("imap_mailbox", "imap_uidvalidity", "imap_uid"), True),
            (("ticket", "id"), False),
            (("inbox_state", "received_at"), False),
            (("message_id",), False),
        )


class Attachment(FrozenModel):
    id = pw.AutoField()
    message = pw.ForeignKeyField(Message, on_delete="CASCADE")
    name = pw.TextField(default="")
    content_type = pw.CharField(max_length=200, default="application/octet-stream")
    size = pw.IntegerField(default=0)
    data = pw.BlobField(null=True)
    note = pw.TextField(default="")

    class Meta:
        table_name = "attachment"


class MailLease(FrozenModel):
    name = pw.CharField(primary_key=True, max_length=64)
    holder = pw.CharField(null=True, max_length=200)
    acquired_at = Instant(null=True)
    expires_at = Instant(null=True)
    mailbox = pw.CharField(null=True, max_length=500)
    uidvalidity = pw.BigIntegerField(null=True)
    last_uid = pw.BigIntegerField(null=True)
    polled_at = Instant(null=True)

    class Meta:
        table_name = "mail_lease"


def apply(db: pw.Database, migrator: SchemaMigrator) -> None:
    if "engineer_flagged_at" not in {c.name for c in db.get_columns("ticket")}:
        migrate(migrator.add_column("ticket", "engineer_flagged_at", Instant(null=True)))
    create(db, Message, Attachment, MailLease)
