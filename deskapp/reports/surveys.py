"""Satisfaction survey scores: answers by month, the mean, and the spread of scores."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import peewee as pw

from deskapp.domain.policy import Policy, default_policy
from deskapp.reports.table import Table, month_of
from deskapp.store.connection import use
from deskapp.store.fields import to_utc
from deskapp.store.models import SurveyAnswer, Ticket


def survey_scores(db: pw.Database, *, now: dt.datetime, policy: Policy | None = None) -> Table:
    use(db)
    tz = (policy or default_policy()).tz
    sent_query = Ticket.select(Ticket.survey_sent_at).where(Ticket.survey_sent_at.is_null(False))
    sent: Counter[str] = Counter()
    for (sent_at,) in sent_query.tuples().iterator():
        moment = to_utc(sent_at)
        assert moment is not None
        sent[month_of(moment, tz)] += 1
    scores: dict[str, list[int]] = defaultdict(list)
    answers = SurveyAnswer.select(SurveyAnswer.answered_at, SurveyAnswer.score).tuples()
    for answered_at, score in answers.iterator():
        moment = to_utc(answered_at)
        assert moment is not None
        scores[month_of(moment, tz)].append(int(score))
    rows = []
    everything: list[int] = []
    for month in sorted(set(sent) | set(scores)):
        got = scores.get(month, [])
        everything += got
        rows.append(_row(month, sent.get(month, 0), got))
    if rows:
        rows.append(_row("all", sum(sent.values()), everything))
    return Table(
        "Satisfaction survey scores",
        ("month", "sent", "answered", "mean score", "1", "2", "3", "4", "5"),
        rows,  # type: ignore[arg-type]
    )


def _row(month: str, sent: int, got: list[int]) -> tuple[object, ...]:
    spread = Counter(got)
    mean = round(sum(got) / len(got), 2) if got else None
    return (month, sent, len(got), mean, *[spread.get(s, 0) for s in range(1, 6)])
