"""`--policy` applies to every command that reads a policy, or is refused (issue 12)."""

from __future__ import annotations

from pathlib import Path

from deskapp.resources import default_policy_path
from tests.steps.walk import Cli, log, step, training_desk


def _one_hour_p2(tmp_path: Path) -> Path:
    path = tmp_path / "fast.toml"
    text = default_policy_path().read_text(encoding="utf-8")
    text = text.replace('version = "2026.1"', 'version = "fast-1"').replace('target = "4h"', 'target = "1h"')
    path.write_text(text, encoding="utf-8")
    return path


def test_ticket_log_and_steps_follow_the_given_policy(cli: Cli, tmp_path: Path) -> None:
    training_desk(cli)
    fast = str(_one_hour_p2(tmp_path))
    number = log(cli, "2026-03-09T09:00:00Z", "--priority", "P2")
    plain = cli.json("ticket", "show", number, "--json")
    assert (plain["policy_version"], plain["response_due"]) == ("2026.1", "2026-03-09T13:00:00Z")
    quick = cli(
        "--policy", fast, "--clock", "2026-03-09T09:00:00Z", "--as", "tina", "ticket", "log",
        "--reseller", "Acme", "--contact", "Pat", "--email", "pat@acme.example", "--tenant",
        "acme-1", "--impact", "some", "--channel", "email", "--summary", "Teams down",
    ).strip()  # fmt: skip
    shown = cli.json("--policy", fast, "ticket", "show", quick, "--json")
    assert (shown["policy_version"], shown["response_due"]) == ("fast-1", "2026-03-09T10:00:00Z")
    listed = cli.json("--policy", fast, "--clock", "2026-03-09T09:50:00Z", "ticket", "list", "--json")
    assert {r["number"]: r["sla_band"] for r in listed}[quick] == "at risk"
    step(cli, "2026-03-09T09:55:00Z", "tina", "notify", quick)
    assert cli.json("--policy", fast, "--clock", "2026-03-10T09:00:00Z", "rules", "run", "--json")["applied"]
    rows = cli.json("--policy", fast, "--clock", "2026-03-10T09:00:00Z", "--as", "lee", "report",
                    "compliance", "--json")["rows"]  # fmt: skip
    assert rows


def test_commands_that_read_no_policy_refuse_it(cli: Cli, tmp_path: Path) -> None:
    training_desk(cli)
    fast = str(_one_hour_p2(tmp_path))
    cli("--policy", fast, "--as", "ada", "staff", "add", "zoe", "--name", "Zoe", "--role", "tier1", code=2)
    assert "--policy does not apply to `deskapp staff add`" in cli.err
    assert "zoe" not in cli("staff", "list")
    cli("--policy", fast, "reseller", "list", code=2)
    assert "`deskapp reseller list`" in cli.err
    cli("--policy", str(tmp_path / "missing.toml"), "--as", "tina", "ticket", "list", code=2)
    assert "missing.toml" in cli.err
