"""Satisfaction survey scores: surveys offered (one per closure) and emailed, answers by
month, the mean, and the spread of scores."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import peewee as pw

from deskapp.domain.policy import Policy, default_policy
from deskapp.reports.table import Table, in_period, month_of
from deskapp.store.connection import use
from deskapp.store.fields import to_utc
from deskapp.store.models import SurveyAnswer, Ticket


def survey_scores(
    db: pw.Database, *, now: dt.datetime, policy: Policy | None = None,
    since: dt.datetime | None = None, until: dt.datetime | None = None,
) -> Table:  # fmt: skip
    """Surveys of the tickets logged in the period: offered and emailed by the month of
    closure, answers by the month they came."""
    use(db)
    period = in_period(Ticket.logged_at, since, until)
    tz = (policy or default_policy()).tz
    # Every closure offers a survey (step 13), emailed or not: the closures are
    # the denominator, counted by closing month; answers by the month they came.
    offered: Counter[str] = Counter()
    emailed: Counter[str] = Counter()
    closed = Ticket.select(Ticket.closed_at, Ticket.survey_sent_at).where(
        Ticket.closed_at.is_null(False), Ticket.duplicate_of.is_null(), *period
    )  # a duplicate is closed with no survey
    for closed_at, sent_at in closed.tuples().iterator():
        offered[month_of(_utc(closed_at), tz)] += 1
        if sent_at is not None:
            emailed[month_of(_utc(sent_at), tz)] += 1
    scores: dict[str, list[int]] = defaultdict(list)
    answers = (
        SurveyAnswer.select(SurveyAnswer.answered_at, SurveyAnswer.score)
        .join(Ticket, on=(SurveyAnswer.ticket == Ticket.id))
        .where(*(period or [Ticket.id.is_null(False)]))
        .tuples()
    )
    for answered_at, score in answers.iterator():
        moment = to_utc(answered_at)
        assert moment is not None
        scores[month_of(moment, tz)].append(int(score))
    rows = []
    everything: list[int] = []
    for month in sorted(set(offered) | set(emailed) | set(scores)):
        got = scores.get(month, [])
        everything += got
        rows.append(_row(month, offered.get(month, 0), emailed.get(month, 0), got))
    if rows:
        rows.append(_row("all", sum(offered.values()), sum(emailed.values()), everything))
    return Table(
        "Satisfaction survey scores",
        ("month", "offered", "emailed", "answered", "mean score", "1", "2", "3", "4", "5"),
        rows,  # type: ignore[arg-type]
    )


def _row(month: str, offered: int, emailed: int, got: list[int]) -> tuple[object, ...]:
    spread = Counter(got)
    mean = round(sum(got) / len(got), 2) if got else None
    return (month, offered, emailed, len(got), mean, *[spread.get(s, 0) for s in range(1, 6)])


def _utc(value: object) -> dt.datetime:
    moment = to_utc(value)
    assert moment is not None
    return moment
