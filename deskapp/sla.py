"""Public SLA entry points: the names here are a contract with outside scripts.

    deskapp.sla.response_due(priority, logged_at)        -> aware UTC datetime
    deskapp.sla.business_time_between(start, end)        -> timedelta

Both use the shipped default policy unless one is given, refuse naive
datetimes with `NaiveDatetimeError` and instants outside the years deskapp
works with (`deskapp.domain.time_range`) with `OutOfRange` (a ValueError). The arithmetic itself lives in
`deskapp.domain.sla` and `deskapp.domain.business_calendar`.
"""

from __future__ import annotations

import datetime as dt
import threading

from deskapp.domain.business_calendar import BusinessCalendar, NaiveDatetimeError
from deskapp.domain.policy import Policy, PolicyError, default_policy, load_policy
from deskapp.domain.sla import Band, Countdown, SlaEngine
from deskapp.domain.time_range import OutOfRange, check_instant

__all__ = [
    "Band",
    "BusinessCalendar",
    "Countdown",
    "NaiveDatetimeError",
    "OutOfRange",
    "Policy",
    "PolicyError",
    "SlaEngine",
    "business_time_between",
    "default_policy",
    "engine",
    "load_policy",
    "response_due",
]

_engines: dict[int, tuple[Policy, SlaEngine]] = {}
_lock = threading.Lock()


def engine(policy: Policy | None = None) -> SlaEngine:
    """The shared engine of a policy (the default policy when none is given)."""
    policy = policy or default_policy()
    cached = _engines.get(id(policy))
    if cached is not None and cached[0] is policy:
        return cached[1]
    with _lock:
        cached = _engines.get(id(policy))
        if cached is None or cached[0] is not policy:
            cached = (policy, SlaEngine(policy))
            _engines[id(policy)] = cached
        return cached[1]


def response_due(priority: str, logged_at: dt.datetime, policy: Policy | None = None) -> dt.datetime:
    """When the response to a ticket of `priority` logged at `logged_at` is due (UTC)."""
    return engine(policy).response_due(priority, _in_range(logged_at))


def business_time_between(start: dt.datetime, end: dt.datetime, policy: Policy | None = None) -> dt.timedelta:
    """Business time from start to end, exact to the microsecond (negative if end < start)."""
    return engine(policy).calendar.business_time_between(_in_range(start), _in_range(end))


def _in_range(moment: dt.datetime) -> dt.datetime:
    # A naive or non-datetime value is left for the engine to refuse in its own words.
    if isinstance(moment, dt.datetime) and moment.utcoffset() is not None:
        try:
            utc = moment.astimezone(dt.UTC)
        except OverflowError:
            utc = dt.datetime.max.replace(tzinfo=dt.UTC)
        check_instant(utc, moment.isoformat())
    return moment
