"""The tables: resellers, contacts, tenants, staff, tickets, history, surveys, meta,
messages in and out with their attachments, the IMAP lease.

Models are bound to a database by `deskapp.store.connection.open_database`;
nothing here opens one. Every instant is a `UtcDateTimeField`. Only the
services (`deskapp.services`) and the rule engine (`deskapp.rules`) write.
"""

from __future__ import annotations

import peewee as pw

from deskapp.store.fields import UtcDateTimeField

TERRITORY = ("GB", "IE")


class BaseModel(pw.Model):
    class Meta:
        database = None
        legacy_table_names = False


class Meta(BaseModel):
    """Key/value facts about the database: schema_version, training, created_at."""

    key = pw.CharField(primary_key=True, max_length=64)
    value = pw.TextField()

    class Meta:
        table_name = "meta"


class Reseller(BaseModel):
    id = pw.AutoField()
    name = pw.CharField(unique=True, max_length=200)
    country = pw.CharField(max_length=2)  # ISO 3166 code; the Territory is GB and IE
    email = pw.CharField(null=True, max_length=254)
    phone = pw.CharField(null=True, max_length=64)
    created_at = UtcDateTimeField()
    active = pw.BooleanField(default=True)  # retired: kept with its tickets, offered for none new


class Contact(BaseModel):
    id = pw.AutoField()
    reseller = pw.ForeignKeyField(Reseller, backref="contacts", on_delete="RESTRICT")
    name = pw.CharField(max_length=200)
    email = pw.CharField(null=True, max_length=254)
    phone = pw.CharField(null=True, max_length=64)

    class Meta:
        indexes = ((("reseller", "name"), True),)


class Tenant(BaseModel):
    id = pw.AutoField()
    reseller = pw.ForeignKeyField(Reseller, backref="tenants", on_delete="RESTRICT")
    name = pw.CharField(max_length=200)

    class Meta:
        indexes = ((("reseller", "name"), True),)


class Staff(BaseModel):
    id = pw.AutoField()
    login = pw.CharField(unique=True, max_length=64)
    name = pw.CharField(max_length=200)
    role = pw.CharField(max_length=16)  # deskapp.domain.lifecycle.Role
    password_hash = pw.TextField(null=True)  # scrypt; see deskapp.store.passwords
    active = pw.BooleanField(default=True)
    created_at = UtcDateTimeField()


class Ticket(BaseModel):
    id = pw.AutoField()
    number = pw.CharField(unique=True, max_length=32)  # INC-000123, from the id (see intake)
    # contract step 1
    reseller = pw.ForeignKeyField(Reseller, backref="tickets", on_delete="RESTRICT")
    contact = pw.ForeignKeyField(Contact, on_delete="RESTRICT")
    contact_phone = pw.CharField(null=True, max_length=64)
    contact_email = pw.CharField(null=True, max_length=254)
    tenant = pw.ForeignKeyField(Tenant, on_delete="RESTRICT")
    end_users = pw.TextField(default="")
    summary = pw.CharField(max_length=500)
    description = pw.TextField(default="")
    impact = pw.CharField(max_length=16)
    priority = pw.CharField(max_length=8)
    channel = pw.CharField(max_length=16)
    # where it stands
    status = pw.CharField(max_length=16)
    tier = pw.SmallIntegerField(default=1)
    engineer = pw.ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    engineer_id: int | None  # peewee's accessor for the engineer's id
    logged_by = pw.ForeignKeyField(Staff, null=True, on_delete="RESTRICT", backref="+")
    logged_at = UtcDateTimeField()
    policy_version = pw.CharField(max_length=32)
    # the response
    response_due = UtcDateTimeField()
    responded_at = UtcDateTimeField(null=True)
    breach_recorded_at = UtcDateTimeField(null=True)
    # waiting for information
    awaiting_info_since = UtcDateTimeField(null=True)
    next_chaser_due = UtcDateTimeField(null=True)
    chaser_flagged_at = UtcDateTimeField(null=True)
    auto_resolve_at = UtcDateTimeField(null=True)
    agreed_update_at = UtcDateTimeField(null=True)
    # the end
    resolved_at = UtcDateTimeField(null=True)
    resolution_reason = pw.TextField(null=True)
    closes_at = UtcDateTimeField(null=True)
    closed_at = UtcDateTimeField(null=True)
    survey_status = pw.CharField(max_length=16, default="none")  # none|to_send|sent|answered
    survey_sent_at = UtcDateTimeField(null=True)
    # Tier 3 and links
    provider = pw.CharField(null=True, max_length=200)
    provider_ref = pw.CharField(null=True, max_length=200)
    linked_to = pw.ForeignKeyField("self", null=True, on_delete="RESTRICT", backref="follow_ups")
    lead_flagged_at = UtcDateTimeField(null=True)  # schema v2
    # schema v6: closed as a duplicate of this ticket (which goes on)
    duplicate_of = pw.ForeignKeyField("self", null=True, on_delete="RESTRICT", backref="duplicates")
    duplicate_of_id: int | None
    # schema v7: a reply to a resolved ticket that neither confirms nor refuses
    engineer_flagged_at = UtcDateTimeField(null=True)
    # bookkeeping
    version = pw.IntegerField(default=1)
    updated_at = UtcDateTimeField()
    # schema v2; no longer written: a rule pass learns its rows from UPDATE ... RETURNING.
    rule_pass = pw.CharField(null=True, max_length=64)


class History(BaseModel):
    """Append-only: one row per step, written in the same transaction as the change.

    On PostgreSQL (schema v11) the database writes it, from triggers on `ticket`, and no
    session may insert, change or delete a row; on SQLite the services write it."""

    id = pw.AutoField()

    # Indexed by (ticket_id, id) below, which serves both lookups and order.
    ticket = pw.ForeignKeyField(Ticket, backref="history", on_delete="RESTRICT", index=False)
    at = UtcDateTimeField()
    actor = pw.CharField(max_length=64)  # a staff login, or "rules", "mail", "mailer"
    # schema v11: the PostgreSQL role whose session made the change (session_user, written
    # by the database's trigger); None on SQLite and for rows from before v11
    db_user = pw.CharField(null=True, max_length=64)
    kind = pw.CharField(max_length=32)
    from_status = pw.CharField(null=True, max_length=16)
    to_status = pw.CharField(null=True, max_length=16)
    from_tier = pw.SmallIntegerField(null=True)
    to_tier = pw.SmallIntegerField(null=True)
    note = pw.TextField(default="")

    class Meta:
        indexes = ((("ticket", "id"), False),)


class PriorityChange(BaseModel):
    """A ticket's priority as set at logging (when it differs from the impact's
    suggestion) and every re-prioritisation after (schema v6); append-only."""

    id = pw.AutoField()
    ticket = pw.ForeignKeyField(Ticket, backref="priority_changes", on_delete="RESTRICT", index=False)
    at = UtcDateTimeField()
    actor = pw.CharField(max_length=64)
    from_priority = pw.CharField(max_length=8)  # at logging: the impact's suggested priority
    to_priority = pw.CharField(max_length=8)
    reason = pw.TextField()
    from_due = UtcDateTimeField(null=True)  # None at logging
    to_due = UtcDateTimeField()

    class Meta:
        table_name = "priority_change"
        indexes = ((("ticket", "id"), False),)


class SurveyAnswer(BaseModel):
    """The reseller's answer to the satisfaction survey sent on closure (schema v2)."""

    id = pw.AutoField()

    ticket = pw.ForeignKeyField(Ticket, unique=True, on_delete="RESTRICT")
    answered_at = UtcDateTimeField()
    score = pw.SmallIntegerField()  # 1 (poor) .. 5 (excellent)
    comment = pw.TextField(default="")


class SurveyInvitation(BaseModel):
    """The satisfaction survey a closure sends (schema v3): its unique reference."""

    id = pw.AutoField()
    ticket = pw.ForeignKeyField(Ticket, unique=True, on_delete="RESTRICT")
    ref = pw.CharField(unique=True, max_length=32)  # quoted by the reseller in the answer
    created_at = UtcDateTimeField()


class Outbox(BaseModel):
    """A message to a reseller, written in the same transaction as its step (schema v3).

    A sender claims a row by a conditional UPDATE (pending -> sending), so each
    message goes once however many workstations send; a claim left by a
    workstation that died expires at `claimed_until`."""

    id = pw.AutoField()
    ticket = pw.ForeignKeyField(Ticket, null=True, on_delete="RESTRICT", backref="messages")
    kind = pw.CharField(max_length=32)  # deskapp.mail.templates.KINDS
    recipient = pw.CharField(max_length=254)
    subject = pw.CharField(max_length=500)
    body = pw.TextField()
    message_id = pw.CharField(unique=True, max_length=200)
    created_at = UtcDateTimeField()
    status = pw.CharField(max_length=16, default="pending")  # pending|sending|sent|failed
    attempts = pw.IntegerField(default=0)
    next_attempt_at = UtcDateTimeField()
    claimed_by = pw.CharField(null=True, max_length=100)
    claimed_until = UtcDateTimeField(null=True)
    sent_at = UtcDateTimeField(null=True)
    last_error = pw.TextField(null=True)
    # Who wrote it (schema v12): a staff login, or one of the desk's own actors (rules,
    # mail); on PostgreSQL checked against the session, with the session's own login
    # beside it (db_user, the column's default there). None on rows queued before v12.
    author = pw.CharField(null=True, max_length=64)
    db_user = pw.CharField(null=True, max_length=64)

    class Meta:
        indexes = ((("status", "next_attempt_at"), False),)


class Editing(BaseModel):
    """Who has a ticket open at which workstation (schema v4): a presence row kept
    fresh by a heartbeat and ignored once stale (see `deskapp.services.presence`)."""

    id = pw.AutoField()
    ticket = pw.ForeignKeyField(Ticket, on_delete="CASCADE", index=False)
    login = pw.CharField(max_length=64)
    workstation = pw.CharField(max_length=128)
    since = UtcDateTimeField()
    heartbeat_at = UtcDateTimeField()

    class Meta:
        table_name = "editing"
        indexes = ((("ticket", "login", "workstation"), True),)


class Message(BaseModel):
    """One message of the conversation, in or out (schema v7).

    Inbound rows are imported from the desk's IMAP mailbox exactly once: the
    unique (imap_mailbox, imap_uidvalidity, imap_uid) and (direction,
    message_id) keys refuse a second copy, and the row is written in the same
    transaction as what it does to its ticket. A message on no ticket waits in
    the Inbox (`inbox_state`). Outbound rows are written with the step that
    says them; `outbox` links the delivery row that sends them."""

    id = pw.AutoField()
    direction = pw.CharField(max_length=3)  # in | out
    # in: reply | incident | other | auto_reply | bounce; out: a template kind
    kind = pw.CharField(max_length=32)
    ticket = pw.ForeignKeyField(Ticket, null=True, on_delete="RESTRICT", backref="conversation", index=False)
    ticket_id: int | None
    outbox = pw.ForeignKeyField(Outbox, null=True, unique=True, on_delete="RESTRICT", backref="+")
    message_id = pw.CharField(max_length=500)  # with <>; made up (<sha256@missing>) if absent
    in_reply_to = pw.TextField(null=True)
    refs = pw.TextField(null=True)  # the References header, Message-IDs separated by spaces
    from_addr = pw.CharField(max_length=254, default="")  # the address alone, lower case
    from_header = pw.TextField(default="")  # as written, with the display name
    to_addr = pw.TextField(default="")
    subject = pw.TextField(default="")
    text = pw.TextField(default="")  # plain text (HTML-only mail converted)
    notes = pw.TextField(default="")  # what the import noticed: bad charset, cut attachment...
    # in: received; out: pending | sending | sent | failed
    status = pw.CharField(max_length=16)
    error = pw.TextField(null=True)  # why an outbound message failed (a bounce's reason)
    author = pw.CharField(null=True, max_length=64)  # the staff login who wrote an outbound one
    created_at = UtcDateTimeField()  # when the row was written
    dated_at = UtcDateTimeField(null=True)  # the Date header
    received_at = UtcDateTimeField(null=True)  # arrival in the desk's mailbox (IMAP INTERNALDATE)
    sent_at = UtcDateTimeField(null=True)
    size = pw.IntegerField(default=0)  # bytes of the raw message
    imap_mailbox = pw.CharField(null=True, max_length=500)  # login@host/folder
    imap_uidvalidity = pw.BigIntegerField(null=True)
    imap_uid = pw.BigIntegerField(null=True)
    server_marked_at = UtcDateTimeField(null=True)  # flagged \Seen (or moved) after the commit
    # None: on a ticket, never in the Inbox; waiting | attached | logged | discarded
    inbox_state = pw.CharField(null=True, max_length=16)
    inbox_reason = pw.TextField(null=True)  # why it was not threaded
    inbox_by = pw.CharField(null=True, max_length=64)
    inbox_at = UtcDateTimeField(null=True)
    fields = pw.TextField(null=True)  # JSON: the incident template's fields, parsed

    class Meta:
        table_name = "message"
        indexes = (
            (("direction", "message_id"), True),
            (("imap_mailbox", "imap_uidvalidity", "imap_uid"), True),
            (("ticket", "id"), False),
            (("inbox_state", "received_at"), False),
            (("message_id",), False),
        )


class Attachment(BaseModel):
    """A file an inbound message carried (schema v7); `data` is None when it was
    over the policy's limit or could not be decoded, and `note` says so."""

    id = pw.AutoField()
    message = pw.ForeignKeyField(Message, on_delete="CASCADE", backref="attachments")
    name = pw.TextField(default="")
    content_type = pw.CharField(max_length=200, default="application/octet-stream")
    size = pw.IntegerField(default=0)
    data = pw.BlobField(null=True)
    note = pw.TextField(default="")

    class Meta:
        table_name = "attachment"


class MailLease(BaseModel):
    """Who holds the desk's one IMAP connection, until when, and how far it has
    read (schema v7). One row per desk (`name` = "imap"). The reading position
    (mailbox, UIDVALIDITY, last UID) is moved in the same transaction as each
    import, and only by the lease's holder."""

    name = pw.CharField(primary_key=True, max_length=64)
    holder = pw.CharField(null=True, max_length=200)
    acquired_at = UtcDateTimeField(null=True)
    expires_at = UtcDateTimeField(null=True)
    mailbox = pw.CharField(null=True, max_length=500)
    uidvalidity = pw.BigIntegerField(null=True)
    last_uid = pw.BigIntegerField(null=True)
    polled_at = UtcDateTimeField(null=True)
    # Whose session holds it (schema v12, PostgreSQL: session_user, stamped by the database).
    db_user = pw.CharField(null=True, max_length=64)

    class Meta:
        table_name = "mail_lease"


class SavedView(BaseModel):
    """A person's named queue view (schema v8): the filter as JSON
    (`deskapp.services.views`)."""

    id = pw.AutoField()
    login = pw.CharField(max_length=64)
    name = pw.CharField(max_length=100)
    spec = pw.TextField()  # the filter, as JSON
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "saved_view"
        indexes = ((("login", "name"), True),)


class TicketSeen(BaseModel):
    """The version of a ticket a person last looked at (schema v8): newer versions are
    "updated since you looked" (`deskapp.services.views`)."""

    id = pw.AutoField()
    ticket = pw.ForeignKeyField(Ticket, on_delete="CASCADE", index=False)
    login = pw.CharField(max_length=64)
    seen_version = pw.IntegerField()
    seen_at = UtcDateTimeField()

    class Meta:
        table_name = "ticket_seen"
        indexes = ((("login", "ticket"), True),)


class LifecycleMove(BaseModel):
    """The moves the process allows (schema v11), generated from deskapp.domain.lifecycle
    (`enforced_moves`) by every schema step and `deskapp init`; PostgreSQL's ticket
    triggers refuse any other."""

    id = pw.AutoField()
    kind = pw.CharField(max_length=16)  # status | tier | assignee
    who = pw.CharField(max_length=64)  # a role or one of the desk's own actors
    action = pw.CharField(max_length=32)
    from_value = pw.CharField(max_length=16)
    to_value = pw.CharField(max_length=16)

    class Meta:
        table_name = "lifecycle_move"
        indexes = ((("kind", "who", "from_value", "to_value", "action"), True),)


class AppRole(BaseModel):
    """The shared app role of a PostgreSQL desk (`deskapp init --app-role`, schema v11):
    its sessions may name the staff member they act for (deskapp.actor), as the owner's
    may; any other role that is no staff member acts as itself. Written by the owner."""

    id = pw.AutoField()
    name = pw.CharField(unique=True, max_length=64)

    class Meta:
        table_name = "app_role"


class ReprioritiseRole(BaseModel):
    """A role that may change a ticket's priority on this desk (schema v12): seeded from
    the default policy's `process.reprioritise_roles`, changed by an administrator.
    PostgreSQL refuses a priority change by any other role; SQLite follows the policy."""

    role = pw.CharField(primary_key=True, max_length=16)

    class Meta:
        table_name = "reprioritise_role"


# The full-text index (schema v8) is not a model: an FTS5 table on SQLite, a tsvector
# table on PostgreSQL, both kept by triggers (deskapp/store/migrations/v0008_views.py).
SEARCH_TABLES = ("ticket_fts", "ticket_search")

MODELS: tuple[type[BaseModel], ...] = (
    Meta, Reseller, Contact, Tenant, Staff, Ticket, History, SurveyAnswer, SurveyInvitation,
    Outbox, Editing, PriorityChange, Message, Attachment, MailLease, SavedView, TicketSeen,
    LifecycleMove, AppRole, ReprioritiseRole,
)  # fmt: skip


# A ticket not closed, the literal in the SQL (not a parameter): the condition of the
# partial indexes below, which a query uses only when it names the same condition.
OPEN_TICKET = Ticket.status != pw.SQL("'closed'")


def add_indexes() -> None:
    """Indexes for the queue's incremental refresh and each rule query (every index is
    written by each rule update, so there are no more than these)."""
    T = Ticket
    T.add_index(T.updated_at)
    # breach: unanswered, not yet recorded, due before now
    T.add_index(T.responded_at, T.breach_recorded_at, T.response_due)
    T.add_index(T.status, T.auto_resolve_at)
    T.add_index(T.status, T.next_chaser_due)
    T.add_index(T.status, T.closes_at)
    # tickets by response due (schema v5; never rewritten by a rule pass: a response's
    # due time does not change). The queue's first page reads the open ones' own (v16).
    T.add_index(T.response_due)
    # the customer's history beside a ticket: a reseller's tickets, newest first (schema
    # v8), with the contact and status its counts read, from the index alone (v16)
    T.add_index(T.reseller, T.id, T.contact, T.status)
    # schema v16: the open tickets alone (partial), by due (the first page at launch) and
    # by id (the whole queue), so neither read walks the desk's closed history
    T.add_index(T.response_due, T.id, where=OPEN_TICKET, name="ticket_open_due")
    T.add_index(T.id, where=OPEN_TICKET, name="ticket_open_id")
    # a search for a contact's email address (schema v15): their tickets, newest first
    T.add_index(T.contact_email, T.id)


add_indexes()
