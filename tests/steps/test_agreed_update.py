"""An update time agreed after the auto-resolve limit is warned about, naming the date the
ticket will resolve; the policy's `agreed_update_moves_auto_resolve` is chosen per desk
(issue 12)."""

from __future__ import annotations

from pathlib import Path

from deskapp.resources import default_policy_path
from tests.steps.walk import Cli, log, step, training_desk


def _awaiting(cli: Cli) -> str:
    number = log(cli, "2026-03-09T09:00:00Z")  # Monday
    step(cli, "2026-03-09T09:05:00Z", "tina", "assign", number, "--engineer", "tina")
    step(cli, "2026-03-09T09:10:00Z", "tina", "request-info", number, "--note", "which mailbox?")
    return number


def test_an_update_agreed_after_the_limit_is_warned(cli: Cli) -> None:
    training_desk(cli)
    number = _awaiting(cli)
    # The limit is Thu 12 Mar 09:10; an update agreed for Friday comes after it.
    step(
        cli, "2026-03-09T10:00:00Z", "tina", "agree-update", number, "--agreed-update", "2026-03-12T08:00:00Z"
    )
    assert "warning" not in cli.err
    step(
        cli, "2026-03-09T10:00:00Z", "tina", "agree-update", number, "--agreed-update", "2026-03-13T12:00:00Z"
    )
    assert "warning" in cli.err
    assert "resolved automatically Thu 12 Mar 2026 09:10 GMT" in cli.err
    assert "Fri 13 Mar 2026 12:00 GMT" in cli.err
    shown = cli.json("ticket", "show", number, "--json")
    assert "warned: it auto-resolves Thu 12 Mar 2026 09:10 GMT" in shown["history"][-1]["note"]
    assert "resolved automatically" in cli("ticket", "show", number)
    # It does resolve at the limit, before the agreed time, as the warning said.
    applied = cli.json("--clock", "2026-03-12T09:10:00Z", "rules", "run", "--json")["applied"]
    assert applied["auto_resolved"] == [number]


def test_a_desk_whose_policy_moves_the_limit_is_not_warned(cli: Cli, tmp_path: Path) -> None:
    training_desk(cli)
    moving = tmp_path / "moving.toml"
    text = default_policy_path().read_text(encoding="utf-8")
    moving.write_text(
        text.replace("agreed_update_moves_auto_resolve = false", "agreed_update_moves_auto_resolve = true"),
        encoding="utf-8",
    )
    number = _awaiting(cli)
    cli("--policy", str(moving), "--clock", "2026-03-09T10:00:00Z", "--as", "tina", "ticket",
        "agree-update", number, "--agreed-update", "2026-03-13T12:00:00Z")  # fmt: skip
    assert "warning" not in cli.err
    shown = cli.json("ticket", "show", number, "--json")
    assert shown["auto_resolve_at"] == "2026-03-19T12:00:00Z"  # 30 business hours later (17th: holiday)
