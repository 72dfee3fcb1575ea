"""The SLA arithmetic: when a response is due and how much of its clock is left.

Read with `../shared/SLA-RULES.md` beside it:

- P1 (24x7 clock): due = logged + target of real elapsed time.
- P2 (business clock): due = logged + target of business time; a ticket
  logged while the desk is shut starts its clock at the next opening; a clock
  that runs out at a close is due at that close.
- P3 (next business day): due at closing time on the first business day
  strictly after the local date of logging.

Remaining time is in the ticket's own clock (wall for 24x7, business
otherwise); bands follow the policy's at-risk fraction of the target.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from deskapp.domain.business_calendar import US, BusinessCalendar, from_us, to_us
from deskapp.domain.policy import Policy, Priority


class Band(StrEnum):
    ON_TRACK = "on track"
    AT_RISK = "at risk"
    BREACHED = "breached"
    MET = "met"
    MISSED = "missed"

    @property
    def open(self) -> bool:
        """Still counting: no response recorded yet."""
        return self in (Band.ON_TRACK, Band.AT_RISK, Band.BREACHED)


@dataclass(frozen=True)
class Countdown:
    """A ticket's response clock at one instant."""

    due: dt.datetime
    remaining: dt.timedelta  # in the ticket's own clock; negative once overdue
    target: dt.timedelta  # the whole target, in the same clock
    overdue: dt.timedelta  # wall time past due (zero until then)
    band: Band
    wall_clock: bool
    paused: bool  # a business clock while the desk is shut
    resumes_at: dt.datetime | None


class SlaEngine:
    """Response-SLA answers for one policy."""

    def __init__(self, policy: Policy, calendar: BusinessCalendar | None = None) -> None:
        self.policy = policy
        self.calendar = calendar or BusinessCalendar(policy)
        self._priorities = {code: policy.priority(code) for code in policy.priorities}
        self._wall_target_us = {
            code: (p.target // US if p.target is not None else 0) for code, p in self._priorities.items()
        }
        self._due_rules = {code: self._due_rule(p) for code, p in self._priorities.items()}
        self._due_at = {code: self._due_at_rule(p) for code, p in self._priorities.items()}

    def priority(self, code: str) -> Priority:
        try:
            return self._priorities[code]
        except KeyError:
            return self.policy.priority(code)  # raises a readable error, or normalises case

    # --- due ----------------------------------------------------------------

    def response_due_us(self, code: str, logged_us: int) -> int:
        rule = self._due_rules.get(code)
        if rule is None:
            rule = self._due_rules[self.priority(code).code]
        return rule(logged_us)

    def _due_rule(self, prio: Priority) -> Callable[[int], int]:
        # One closure per priority, chosen once, keeps the hot path to a dict lookup.
        if prio.next_business_day:
            return self.calendar.next_business_day_close_us
        target = self._wall_target_us[prio.code]
        if prio.wall_clock:
            return lambda logged_us: logged_us + target
        add = self.calendar.add_us
        return lambda logged_us: add(logged_us, target)

    def _due_at_rule(self, prio: Priority) -> Callable[[dt.datetime], dt.datetime]:
        # The datetime twin of _due_rule: the calendar's datetime methods
        # answer UTC datetimes without the round trip through microseconds.
        if prio.next_business_day:
            return self.calendar.next_business_day_close
        if prio.wall_clock:
            rule = self._due_rules[prio.code]
            return lambda logged_at: from_us(rule(to_us(logged_at)))
        add, target = self.calendar.add_business_time, self._wall_target_us[prio.code] * US
        return lambda logged_at: add(logged_at, target)

    def response_due(self, code: str, logged_at: dt.datetime) -> dt.datetime:
        rule = self._due_at.get(code)
        if rule is None:  # a code to normalise or refuse: the general path
            return from_us(self.response_due_us(code, to_us(logged_at)))
        return rule(logged_at)

    # --- the clock ----------------------------------------------------------

    def target_us(self, code: str, logged_us: int, due_us: int) -> int:
        """The whole target in the ticket's own clock (P3: the business time it was given)."""
        prio = self.priority(code)
        if prio.wall_clock:
            return due_us - logged_us
        if prio.next_business_day:
            return self.calendar.between_us(logged_us, due_us)
        return self._wall_target_us[prio.code]

    def remaining_us(self, code: str, due_us: int, now_us: int) -> int:
        if self.priority(code).wall_clock:
            return due_us - now_us
        return self.calendar.between_us(now_us, due_us)

    def band_for(
        self, remaining_us: int, target_us: int, due_us: int, now_us: int,
        responded_us: int | None = None,
    ) -> Band:  # fmt: skip
        if responded_us is not None:
            return Band.MET if responded_us <= due_us else Band.MISSED
        if now_us > due_us:
            return Band.BREACHED
        if remaining_us < self.policy.at_risk_fraction * target_us:
            return Band.AT_RISK
        return Band.ON_TRACK

    def countdown(
        self,
        code: str,
        logged_at: dt.datetime,
        now: dt.datetime,
        responded_at: dt.datetime | None = None,
        due: dt.datetime | None = None,
    ) -> Countdown:
        """The response clock of a ticket at `now` (`due` if already stored)."""
        prio = self.priority(code)
        logged_us, now_us = to_us(logged_at), to_us(now)
        due_us = to_us(due) if due is not None else self.response_due_us(code, logged_us)
        responded_us = to_us(responded_at) if responded_at is not None else None
        target = self.target_us(code, logged_us, due_us)
        remaining = self.remaining_us(code, due_us, now_us)
        band = self.band_for(remaining, target, due_us, now_us, responded_us)
        paused = band.open and not prio.wall_clock and not self.calendar.is_open_us(now_us)
        return Countdown(
            due=from_us(due_us),
            remaining=dt.timedelta(microseconds=remaining),
            target=dt.timedelta(microseconds=target),
            overdue=dt.timedelta(microseconds=max(0, now_us - due_us)),
            band=band,
            wall_clock=prio.wall_clock,
            paused=paused,
            resumes_at=from_us(self.calendar.next_opening_us(now_us)) if paused else None,
        )

    # --- other clocks the process needs ------------------------------------

    def time_open(self, logged_at: dt.datetime, until: dt.datetime) -> dt.timedelta:
        """Wall time a ticket has been open (the contract sets no resolution target)."""
        return until - logged_at

    def business_time_open(self, logged_at: dt.datetime, until: dt.datetime) -> dt.timedelta:
        return self.calendar.business_time_between(logged_at, until)

    def chaser_due(self, since: dt.datetime) -> dt.datetime:
        """When the next daily chaser falls due after a request or the last chaser."""
        return self.calendar.add_business_days(since, self.policy.chaser_interval_days)

    def awaiting_info_expires(self, requested_at: dt.datetime) -> dt.datetime:
        """When a request left unanswered resolves the ticket automatically."""
        return self.calendar.add_business_days(requested_at, self.policy.awaiting_info_limit_days)

    def reopen_window_ends(self, resolved_at: dt.datetime) -> dt.datetime:
        """Local midnight at the end of the Nth calendar day after the resolution date."""
        resolved_day = self.calendar.local_date(resolved_at)
        return self.calendar.local_midnight_after(resolved_day, self.policy.reopen_window_days + 1)
