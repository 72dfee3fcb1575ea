"""v2: survey answers; tickets gain `lead_flagged_at` (a rejected resolution at
Tier 3) and `rule_pass` (no longer written: a pass reads its rows from
UPDATE ... RETURNING); an index for every rule query, and v1's
(status, updated_at) and history(ticket_id) indexes dropped (they only slowed
writes)."""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator, migrate

from deskapp.store.migrations.frozen import FrozenModel, Instant, create, create_index, drop_index, stub

VERSION = 2


class SurveyAnswer(FrozenModel):
    id = pw.AutoField()
    ticket = pw.ForeignKeyField(stub("ticket"), unique=True, on_delete="RESTRICT")
    answered_at = Instant()
    score = pw.SmallIntegerField()
    comment = pw.TextField(default="")

    class Meta:
        table_name = "survey_answer"


def apply(db: pw.Database, migrator: SchemaMigrator) -> None:
    columns = {c.name for c in db.get_columns("ticket")}
    steps = []
    if "lead_flagged_at" not in columns:
        steps.append(migrator.add_column("ticket", "lead_flagged_at", Instant(null=True)))
    if "rule_pass" not in columns:
        steps.append(migrator.add_column("ticket", "rule_pass", pw.CharField(null=True, max_length=64)))
    migrate(*steps)
    create(db, SurveyAnswer)
    drop_index(db, "ticket_status_updated_at")
    drop_index(db, "history_ticket_id")
    create_index(db, "history", "ticket_id", "id")
    create_index(db, "ticket", "updated_at")
    create_index(db, "ticket", "responded_at", "breach_recorded_at", "response_due")
    create_index(db, "ticket", "status", "auto_resolve_at")
    create_index(db, "ticket", "status", "next_chaser_due")
    create_index(db, "ticket", "status", "closes_at")
