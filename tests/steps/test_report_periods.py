"""Every report honours its period: the tickets logged in [--since, --until) (issue 12)."""

from __future__ import annotations

from tests.steps.walk import Cli, log, step, training_desk


def _to_tier_three(cli: Cli, at: str, summary: str) -> str:
    number = log(cli, at, summary=summary)
    step(cli, at, "tina", "notify", number)
    step(cli, at, "tina", "assign", number, "--engineer", "tina")
    step(cli, at, "tina", "escalate", number, "--note", "basics checked")
    step(cli, at, "lee", "assign", number, "--engineer", "tess")
    step(cli, at, "tess", "escalate", number, "--note", "vendor bug", "--provider", "MailCo",
         "--provider-ref", f"MC-{summary}")  # fmt: skip
    return number


def test_escalations_third_party_and_surveys_take_the_period(cli: Cli) -> None:
    training_desk(cli)
    first = _to_tier_three(cli, "2026-03-02T10:00:00Z", "first")  # week 1
    second = _to_tier_three(cli, "2026-03-09T10:00:00Z", "second")  # week 2
    # The first is resolved and closes; its survey is answered.
    step(cli, "2026-03-03T10:00:00Z", "tess", "resolve", first, "--note", "patched")
    cli("--clock", "2026-03-10T09:00:00Z", "rules", "run")
    ref = cli.json("ticket", "show", first, "--json")["survey_ref"]
    cli("--clock", "2026-03-10T10:00:00Z", "--as", "lee", "survey", "answer", ref, "--score", "4")

    def report(name: str, *period: str) -> list[dict[str, object]]:
        got = cli.json("--clock", "2026-03-12T09:00:00Z", "--as", "lee", "report", name, "--json", *period)
        return list(got["rows"])

    week2 = ("--since", "2026-03-09", "--until", "2026-03-16")
    week1 = ("--since", "2026-03-02", "--until", "2026-03-09")
    into = {r["tier"]: r["escalated into"] for r in report("escalations")}
    assert (into["Tier 2"], into["Tier 3"]) == (2, 2)
    into = {r["tier"]: r["escalated into"] for r in report("escalations", *week2)}
    assert (into["Tier 2"], into["Tier 3"]) == (1, 1)
    assert [r["ticket"] for r in report("third-party")] == [second]
    assert report("third-party", *week1) == []
    everything = {r["month"]: r for r in report("surveys")}
    assert (everything["all"]["offered"], everything["all"]["answered"]) == (1, 1)
    assert report("surveys", *week2) == []
    assert {r["month"]: r["answered"] for r in report("surveys", *week1)}["all"] == 1
