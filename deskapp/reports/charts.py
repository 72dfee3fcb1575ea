"""What each report's chart shows, worked out from its Table (Qt-free: the reports view
draws it with QtCharts, the tests check the numbers without a QApplication).

    chart_for(name, table) -> Chart | None     None: the report has no chart
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from deskapp.reports.table import Cell, Table

STACKED, BARS = "stacked", "bars"


@dataclass(frozen=True)
class Chart:
    title: str
    kind: str  # STACKED or BARS
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]  # (name, one value per category)
    axis_title: str


def _num(value: Cell) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def compliance_chart(table: Table) -> Chart:
    """Met and missed responses by month, all priorities together, stacked."""
    met: dict[str, float] = defaultdict(float)
    missed: dict[str, float] = defaultdict(float)
    for row in table.as_dicts():
        month = str(row["month"])
        if month == "all":
            continue
        met[month] += _num(row["met"])
        missed[month] += _num(row["missed"])
    months = tuple(sorted(set(met) | set(missed)))
    return Chart(
        "Responses met and missed by month", STACKED, months,
        (("met", tuple(met[m] for m in months)), ("missed", tuple(missed[m] for m in months))),
        "tickets",
    )  # fmt: skip


def response_time_chart(table: Table) -> Chart:
    """How long resellers waited, one bar per priority in each time bucket."""
    buckets = tuple(str(r[0]) for r in table.rows)
    series = tuple(
        (prio, tuple(_num(r[k]) for r in table.rows)) for k, prio in enumerate(table.columns) if k > 0
    )
    return Chart("Response time distribution", BARS, buckets, series, "tickets")


def survey_chart(table: Table) -> Chart:
    """The spread of scores 1-5 over every answer."""
    everything = [r for r in table.as_dicts() if r["month"] == "all"]
    scores = ("1", "2", "3", "4", "5")
    values = tuple(_num(everything[0][s]) if everything else 0.0 for s in scores)
    return Chart("Survey scores (all answers)", BARS, scores, (("answers", values),), "answers")


def escalation_chart(table: Table) -> Chart:
    """Mean open hours spent at each tier."""
    tiers = tuple(str(r["tier"]) for r in table.as_dicts())
    hours = tuple(_num(r["mean hours"]) for r in table.as_dicts())
    return Chart("Mean hours at each tier", BARS, tiers, (("mean hours", hours),), "hours")


CHARTS = {
    "compliance": compliance_chart,
    "response-times": response_time_chart,
    "surveys": survey_chart,
    "escalations": escalation_chart,
}


def chart_for(name: str, table: Table) -> Chart | None:
    make = CHARTS.get(name)
    return make(table) if make is not None else None
