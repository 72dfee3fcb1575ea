"""The response is recorded however the number was told, at the moment it was told,
in any status before closure (issue 12, first item)."""

from __future__ import annotations

from tests.mail.smtp_server import SmtpServer
from tests.steps.walk import Cli, log, step, training_desk


def _mail(cli: Cli, smtp: SmtpServer) -> None:
    cli("--as", "ada", "mail", "settings", "--host", "127.0.0.1", "--port", str(smtp.port),
        "--security", "none", "--sender", "desk@example.co.uk")  # fmt: skip


def test_a_p3_answered_and_resolved_by_email_is_met(cli: Cli) -> None:
    smtp = SmtpServer().start()
    try:
        training_desk(cli)
        _mail(cli, smtp)
        number = log(cli, "2026-03-09T09:00:00Z", impact="howto", summary="How do I share a calendar?")
        step(cli, "2026-03-09T09:05:00Z", "tina", "assign", number, "--engineer", "tina")
        step(cli, "2026-03-09T09:15:00Z", "tina", "resolve", number, "--note", "Sharing explained")
        assert "sent 1" in cli("--clock", "2026-03-09T09:20:00Z", "mail", "send")
    finally:
        smtp.stop()
    assert number in str(smtp.inbox.messages[0]["Subject"])
    shown = cli.json("--clock", "2026-03-20T09:00:00Z", "ticket", "show", number, "--json")
    assert shown["responded_at"] == "2026-03-09T09:20:00Z"
    assert shown["sla_band"] == "met"
    told = [h for h in shown["history"] if h["kind"] == "notified"]
    assert len(told) == 1 and "resolution" in told[0]["note"]
    late = cli.json("--clock", "2026-03-20T09:00:00Z", "--as", "lee", "report", "breaches", "--json")
    assert late["rows"] == []


def test_notify_after_resolution_records_when_it_was_told(cli: Cli) -> None:
    training_desk(cli)
    number = log(cli, "2026-03-09T09:00:00Z", impact="howto", contact=("--phone", "+44 20 7946 0000"))
    step(cli, "2026-03-09T09:05:00Z", "tina", "assign", number, "--engineer", "tina")
    step(cli, "2026-03-09T09:15:00Z", "tina", "resolve", number, "--note", "Explained on the phone")
    # The number was told on the phone at 09:10; it is recorded at 09:30, after the resolution.
    step(cli, "2026-03-09T09:30:00Z", "tina", "notify", number, "--told-at", "2026-03-09T09:10:00Z")
    shown = cli.json("ticket", "show", number, "--json")
    assert (shown["status"], shown["responded_at"]) == ("resolved", "2026-03-09T09:10:00Z")
    # A moment in the future, or before the ticket was logged, cannot be when it was told.
    other = log(cli, "2026-03-09T10:00:00Z")
    step(cli, "2026-03-09T10:05:00Z", "tina", "notify", other, "--told-at", "2026-03-09T11:00:00Z", code=1)
    assert "later than now" in cli.err
    step(cli, "2026-03-09T10:05:00Z", "tina", "notify", other, "--told-at", "2026-03-09T09:00:00Z", code=1)
    assert "was logged" in cli.err
    step(cli, "2026-03-09T10:05:00Z", "tina", "notify", other, "--told-at", "not a time", code=2)
    assert "ISO 8601" in cli.err
    # Once closed, the ticket takes nothing but a note: the response can no longer be recorded.
    cli("--clock", "2026-03-16T09:00:00Z", "rules", "run")
    unanswered = log(cli, "2026-03-16T09:00:00Z", impact="howto")
    step(cli, "2026-03-16T09:05:00Z", "tina", "assign", unanswered, "--engineer", "tina")
    step(cli, "2026-03-16T09:10:00Z", "tina", "resolve", unanswered, "--note", "done")
    cli("--clock", "2026-03-23T09:00:00Z", "rules", "run")
    step(cli, "2026-03-23T09:05:00Z", "tina", "notify", unanswered, code=1)
    assert "closed" in cli.err
