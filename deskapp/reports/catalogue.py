"""The reports by name, as the command line and the reports view offer them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import peewee as pw

from deskapp.domain.policy import Policy
from deskapp.reports.compliance import breaches, compliance, response_times
from deskapp.reports.escalations import escalations, third_party_open
from deskapp.reports.surveys import survey_scores
from deskapp.reports.table import Table

Report = Callable[..., Table]

REPORTS: dict[str, tuple[str, Report]] = {
    "compliance": ("Response SLA met and missed, by month and priority", compliance),
    "breaches": ("Every missed response", breaches),
    "response-times": ("How long resellers waited for the ticket number", response_times),
    "escalations": ("Escalations by tier and time at each tier", escalations),
    "third-party": ("Third-party (Tier 3) cases still open", third_party_open),
    "surveys": ("Satisfaction survey scores", survey_scores),
}
# Reports that take a period (by the logged date of the tickets): every one.
PERIOD_REPORTS = frozenset(REPORTS)


def run_report(
    name: str, db: pw.Database, *, now: dt.datetime, policy: Policy | None = None,
    since: dt.datetime | None = None, until: dt.datetime | None = None,
) -> Table:  # fmt: skip
    try:
        _, fn = REPORTS[name]
    except KeyError:
        raise ValueError(f"no report called {name!r} (known: {', '.join(REPORTS)})") from None
    kwargs: dict[str, Any] = {"now": now, "policy": policy, "since": since, "until": until}
    return fn(db, **kwargs)
