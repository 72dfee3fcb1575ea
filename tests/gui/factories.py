"""QueueRow-shaped rows for model tests (the same field names as deskapp.services.queue)."""

from __future__ import annotations

import datetime as dt

from deskapp.services.queue import QueueRow
from deskapp.sla import engine


def row(
    id: int,
    logged_at: dt.datetime,
    *,
    priority: str = "P2",
    reseller: str = "Acme Cloud Ltd",
    contact: str = "Jo Bloggs",
    summary: str = "Mailbox not syncing",
    status: str = "logged",
    tier: int = 1,
    engineer: str | None = None,
    responded_at: dt.datetime | None = None,
) -> QueueRow:
    logged_at = logged_at.astimezone(dt.UTC)
    return QueueRow(
        id=id,
        number=f"INC-{id:06d}",
        priority=priority,
        reseller=reseller,
        contact=contact,
        summary=summary,
        status=status,
        tier=tier,
        engineer=engineer,
        engineer_name=engineer.title() if engineer else None,
        logged_at=logged_at,
        response_due=engine().response_due(priority, logged_at),
        responded_at=responded_at,
        awaiting_info_since=None,
        next_chaser_due=None,
        version=1,
        updated_at=logged_at,
    )
