"""v1: resellers, contacts, tenants, staff, tickets, history, meta (deskapp 0.1)."""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator

from deskapp.store.migrations.frozen import FrozenModel, Instant, create, create_index

VERSION = 1


class Meta(FrozenModel):
    key = pw.CharField(primary_key=True, max_length=64)
    value = pw.TextField()

    class Meta:
        table_name = "meta"


class Reseller(FrozenModel):
    id = pw.AutoField()
    name = pw.CharField(unique=True, max_length=200)
    country = pw.CharField(max_length=2)
    email = pw.CharField(null=True, max_length=254)
    phone = pw.CharField(null=True, max_length=64)
    created_at = Instant()

    class Meta:
        table_name = "reseller"


class Contact(FrozenModel):
    id = pw.AutoField()
    reseller = pw.ForeignKeyField(Reseller, on_delete="RESTRICT")
    name = pw.CharField(max_length=200)
    email = pw.CharField(null=True, max_length=254)
    phone = pw.CharField(null=True, max_length=64)

    class Meta:
        table_name = "contact"
        indexes = ((("reseller", "name"), True),)


class Tenant(FrozenModel):
    id = pw.AutoField()
    reseller = pw.ForeignKeyField(Reseller, on_delete="RESTRICT")
    name = pw.CharField(max_length=200)

    class Meta:
        table_name = "tenant"
        indexes = ((("reseller", "name"), True),)


class Staff(FrozenModel):
    id = pw.AutoField()
    login = pw.CharField(unique=True, max_length=64)
    name = pw.CharField(max_length=200)
    role = pw.CharField(max_length=16)
    password_hash = pw.TextField(null=True)
    active = pw.BooleanField(default=True)
    created_at = Instant()

    class Meta:
        table_name = "staff"


class Ticket(FrozenModel):
    id = pw.AutoField()
    number = pw.CharField(unique=True, null=True, max_length=32)
    reseller = pw.ForeignKeyField(Reseller, on_delete="RESTRICT")
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
    status = pw.CharField(max_length=16)
    tier = pw.SmallIntegerField(default=1)
    engineer = pw.ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    logged_by = pw.ForeignKeyField(Staff, null=True, on_delete="RESTRICT", backref="+")
    logged_at = Instant()
    policy_version = pw.CharField(max_length=32)
    response_due = Instant()
    responded_at = Instant(null=True)
    breach_recorded_at = Instant(null=True)
    awaiting_info_since = Instant(null=True)
    next_chaser_due = Instant(null=True)
    chaser_flagged_at = Instant(null=True)
    auto_resolve_at = Instant(null=True)
    agreed_update_at = Instant(null=True)
    resolved_at = Instant(null=True)
    resolution_reason = pw.TextField(null=True)
    closes_at = Instant(null=True)
    closed_at = Instant(null=True)
    survey_status = pw.CharField(max_length=16, default="none")
    survey_sent_at = Instant(null=True)
    provider = pw.CharField(null=True, max_length=200)
    provider_ref = pw.CharField(null=True, max_length=200)
    linked_to = pw.ForeignKeyField("self", null=True, on_delete="RESTRICT", backref="follow_ups")
    version = pw.IntegerField(default=1)
    updated_at = Instant()

    class Meta:
        table_name = "ticket"


class History(FrozenModel):
    id = pw.AutoField()
    ticket = pw.ForeignKeyField(Ticket, on_delete="RESTRICT")
    at = Instant()
    actor = pw.CharField(max_length=64)
    kind = pw.CharField(max_length=32)
    from_status = pw.CharField(null=True, max_length=16)
    to_status = pw.CharField(null=True, max_length=16)
    from_tier = pw.SmallIntegerField(null=True)
    to_tier = pw.SmallIntegerField(null=True)
    note = pw.TextField(default="")

    class Meta:
        table_name = "history"


def apply(db: pw.Database, migrator: SchemaMigrator) -> None:
    create(db, Meta, Reseller, Contact, Tenant, Staff, Ticket, History)
    create_index(db, "ticket", "status", "updated_at")
