"""QueueRow-shaped rows for model tests (the same field names as deskapp.services.queue)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from deskapp.sla import engine


@dataclass(frozen=True)
class Row:
    id: int
    number: str
    priority: str
    reseller: str
    contact: str
    summary: str
    status: str
    tier: int
    engineer: str | None
    engineer_name: str | None
    logged_at: dt.datetime
    response_due: dt.datetime
    responded_at: dt.datetime | None
    awaiting_info_since: dt.datetime | None
    next_chaser_due: dt.datetime | None
    version: int
    updated_at: dt.datetime


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
) -> Row:
    logged_at = logged_at.astimezone(dt.UTC)
    return Row(
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
