"""The headless CLI end to end: init, staff, resellers, the process, JSON, rules, demo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from deskapp.cli.main import main
from tests.cli.old_mode import app_role_desk

SHOW_FIELDS = {
    "number", "status", "tier", "priority", "channel", "reseller", "logged_at",
    "response_due", "responded_at", "sla_band", "awaiting_info_since", "next_chaser_due",
    "resolved_at", "resolution_reason", "closes_at", "closed_at", "survey_sent", "provider",
    "provider_ref", "linked_to", "history",
}  # fmt: skip


class Cli:
    def __init__(self, url: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.url = url
        self.capsys = capsys

    def __call__(self, *argv: str, code: int = 0) -> str:
        self.capsys.readouterr()
        got = main(["--db", self.url, *argv])
        out, err = self.capsys.readouterr()
        assert got == code, (argv, out, err)
        assert "Traceback" not in err
        self.err = err
        return out

    def json(self, *argv: str) -> Any:
        return json.loads(self(*argv))


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(db_url, capsys)


def _training_desk(cli: Cli) -> None:
    cli("init", "--training")
    cli("staff", "add", "ada", "--name", "Ada Admin", "--role", "admin")
    cli("--as", "ada", "staff", "add", "tina", "--name", "Tina", "--role", "tier1")
    cli("--as", "ada", "staff", "add", "tess", "--name", "Tess", "--role", "tier2")
    cli("--as", "ada", "staff", "add", "lee", "--name", "Lee", "--role", "lead")
    cli("--as", "ada", "reseller", "add", "Acme", "--country", "GB", "--email", "a@acme.example")


def test_training_process_end_to_end(cli: Cli) -> None:
    _training_desk(cli)
    at = "--clock"
    number = cli(
        at, "2026-03-12T14:00:00Z", "--as", "tina", "ticket", "log", "--reseller", "Acme",
        "--contact", "Pat", "--email", "pat@acme.example", "--tenant", "acme-1",
        "--impact", "some", "--channel", "email", "--summary", "Mail down",
    ).strip()  # fmt: skip
    assert number.startswith("INC-")
    step = [at, "2026-03-12T14:05:00Z", "--as", "tina", "ticket"]
    cli(*step, "notify", number)
    cli(*step, "assign", number, "--engineer", "tina")
    cli(*step, "request-info", number, "--note", "which mailbox?")
    shown = cli.json(at, "2026-03-12T15:00:00Z", "ticket", "show", number, "--json")
    assert set(shown) >= SHOW_FIELDS
    assert shown["status"] == "awaiting_info"
    assert shown["logged_at"] == "2026-03-12T14:00:00Z"
    assert shown["responded_at"] == "2026-03-12T14:05:00Z"
    assert shown["sla_band"] == "met"
    assert shown["next_chaser_due"] == "2026-03-13T14:05:00Z"
    assert [h["kind"] for h in shown["history"]] == ["logged", "notified", "assigned", "info_requested"]
    assert set(shown["history"][0]) >= {"at", "actor", "kind", "note"}
    # Across the weekend and Ireland's 17 March holiday the rules resolve it.
    out = cli(at, "2026-03-18T14:05:00Z", "rules", "run", "--json")
    applied = json.loads(out)["applied"]
    assert applied["auto_resolved"] == [number]
    assert applied["chaser_due"] == []  # resolved first: no chaser
    shown = cli.json(at, "2026-03-18T15:00:00Z", "ticket", "show", number, "--json")
    assert shown["status"] == "resolved" and shown["history"][-1]["actor"] == "rules"
    assert shown["closes_at"] == "2026-03-24T00:00:00Z"
    cli(at, "2026-03-24T00:00:00Z", "rules", "run")
    shown = cli.json(at, "2026-03-24T00:00:01Z", "ticket", "show", number, "--json")
    assert (shown["status"], shown["closed_at"]) == ("closed", "2026-03-24T00:00:00Z")
    cli(at, "2026-03-24T09:00:00Z", "--as", "tina", "ticket", "reopen", number, code=1)
    assert "follow-up" in cli.err
    listed = cli.json("ticket", "list", "--status", "closed", "--json")
    assert [r["number"] for r in listed] == [number]
    assert cli.json("ticket", "list", "--json") == []


def test_refusals_are_messages(cli: Cli) -> None:
    _training_desk(cli)
    base = ["--as", "tina", "ticket", "log", "--reseller", "Acme", "--contact", "Pat",
            "--phone", "1", "--tenant", "t", "--channel", "email", "--summary", "s"]  # fmt: skip
    cli(*base, "--impact", "all", code=1)
    assert "phone only" in cli.err
    cli("--as", "ada", "reseller", "add", "Paris", "--country", "FR", code=1)
    assert "Territory" in cli.err
    cli("ticket", "notify", "INC-000001", code=1)
    assert "--as" in cli.err
    cli("ticket", "show", "INC-999999", "--json", code=1)
    assert "no ticket" in cli.err


def _hash_desk(cli: Cli, request: pytest.FixtureRequest) -> None:
    """A live desk that keeps its staff's password hashes: SQLite's `init`. On PostgreSQL
    that is the old shared-role mode, which a plain `init` no longer makes (it makes login
    roles: tests/cli/test_init_postgres.py): made here by name, `init --app-role`."""
    if cli.url.startswith("sqlite"):
        cli("init")
    else:
        app_role_desk(cli.url, request)


def test_live_database_needs_passwords_and_refuses_clock(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    _hash_desk(cli, request)
    monkeypatch.setenv("DESKAPP_PASSWORD", "first-secret")
    cli("staff", "add", "ada", "--name", "Ada", "--role", "admin")  # first: no --as
    monkeypatch.setenv("DESKAPP_NEW_PASSWORD", "tina-secret")
    cli("--as", "ada", "staff", "add", "tina", "--name", "Tina", "--role", "tier1")
    cli("--clock", "2026-03-12T14:00:00Z", "--as", "ada", "reseller", "add", "Acme",
        "--country", "GB", code=1)  # fmt: skip
    assert "training database" in cli.err
    monkeypatch.setenv("DESKAPP_PASSWORD", "wrong")
    cli("--as", "ada", "reseller", "add", "Acme", "--country", "GB", code=1)
    assert "do not match" in cli.err
    monkeypatch.setenv("DESKAPP_PASSWORD", "first-secret")
    cli("--as", "ada", "reseller", "add", "Acme", "--country", "GB")
    monkeypatch.setenv("DESKAPP_PASSWORD", "tina-secret")
    cli("--as", "tina", "staff", "add", "x1", "--name", "X", "--role", "tier1", code=1)
    assert "administrator" in cli.err
    cli("init", "--training", code=1)
    assert "live" in cli.err


def test_demo_fills_a_training_desk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'demo.sqlite3'}", capsys)
    out = cli("--clock", "2026-03-20T12:00:00Z", "demo", "--tickets", "120")
    assert "120 tickets" in out
    rows = cli.json("--clock", "2026-03-20T12:00:00Z", "ticket", "list", "--all", "--json")
    assert len(rows) == 120
    statuses = {r["status"] for r in rows}
    assert statuses == {"logged", "assigned", "in_progress", "awaiting_info", "resolved", "closed"}
    assert {r["tier"] for r in rows} == {1, 2, 3}
    assert {r["priority"] for r in rows} == {"P1", "P2", "P3"}
    closed = next(r for r in rows if r["status"] == "closed")
    shown = cli.json("ticket", "show", closed["number"], "--json")
    kinds = [h["kind"] for h in shown["history"]]
    assert kinds[0] == "logged" and kinds[-1] == "closed" and "resolved" in " ".join(kinds)


def test_demo_refuses_a_live_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'live.sqlite3'}", capsys)
    cli("init")
    monkeypatch.setenv("DESKAPP_PASSWORD", "pw")
    cli("staff", "add", "ada", "--name", "Ada", "--role", "admin")
    cli("demo", code=1)
    assert "training databases only" in cli.err


def test_real_subprocess_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sub.sqlite3'}"

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "deskapp", "--db", url, *argv],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    assert run("init", "--training").returncode == 0
    assert run("staff", "add", "ada", "--name", "Ada", "--role", "admin").returncode == 0
    bad = run("--clock", "yesterday", "ticket", "list", "--json")
    assert bad.returncode != 0 and "ISO 8601" in bad.stderr and "Traceback" not in bad.stderr
    missing = run("ticket", "show", "INC-000042", "--json")
    assert missing.returncode == 1 and "no ticket" in missing.stderr
    assert "Traceback" not in missing.stderr
    ok = run("ticket", "list", "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout) == []


# --- staff and reseller administration: list, activate, deactivate, password ---------------


def test_staff_and_reseller_lists(cli: Cli) -> None:
    _training_desk(cli)
    cli("--as", "ada", "reseller", "add", "Liffey Cloud", "--country", "IE", "--phone", "+353 1 5")
    cli("--as", "ada", "staff", "deactivate", "tess")
    assert cli("staff", "list").splitlines() == [  # by name, in aligned columns
        "ada   Ada Admin  admin  active",
        "lee   Lee        lead   active",
        "tess  Tess       tier2  inactive",
        "tina  Tina       tier1  active",
    ]
    staff = cli.json("staff", "list", "--json")
    assert [s["login"] for s in staff] == ["ada", "lee", "tess", "tina"]
    assert staff[0] == {"login": "ada", "name": "Ada Admin", "role": "admin", "active": True,
                        "has_password": False}  # fmt: skip  # a training desk
    assert [s["active"] for s in staff] == [True, True, False, True]
    assert cli("reseller", "list").splitlines() == [
        "Acme          GB  a@acme.example  -",
        "Liffey Cloud  IE  -               +353 1 5",
    ]
    assert cli.json("reseller", "list", "--json") == [
        {"name": "Acme", "country": "GB", "email": "a@acme.example", "phone": None, "active": True},
        {"name": "Liffey Cloud", "country": "IE", "email": None, "phone": "+353 1 5", "active": True},
    ]


def test_staff_and_resellers_are_edited_and_retired(cli: Cli) -> None:
    _training_desk(cli)
    assert (
        cli("--as", "ada", "staff", "edit", "tina", "--name", "Tina Tierney")
        == "tina: Tina Tierney (tier1)\n"
    )
    assert cli("--as", "ada", "staff", "edit", "tina", "--role", "tier2") == "tina: Tina Tierney (tier2)\n"
    cli("--as", "ada", "staff", "edit", "ada", "--role", "lead", code=1)
    assert "you cannot change your own role" in cli.err
    cli("--as", "tess", "staff", "edit", "tina", "--name", "X", code=1)
    assert "may not change a staff member's name or role (allowed: administrator)" in cli.err
    cli("--as", "ada", "staff", "edit", "tina", code=1)
    assert "needs --name or --role" in cli.err
    out = cli("--as", "ada", "reseller", "edit", "Acme", "--name", "Acme Cloud", "--phone", "+44 20 1")
    assert out == "Acme Cloud (GB): email a@acme.example, phone +44 20 1\n"
    assert cli("--as", "ada", "reseller", "edit", "Acme Cloud", "--email", "") == (
        "Acme Cloud (GB): email —, phone +44 20 1\n"
    )
    cli("--as", "ada", "reseller", "edit", "Acme Cloud", "--email", "not-an-address", code=1)
    assert "is not an email address" in cli.err
    assert cli("--as", "ada", "reseller", "retire", "Acme Cloud") == "Acme Cloud: retired\n"
    assert cli.json("reseller", "list", "--json")[0]["active"] is False
    assert cli("reseller", "list").endswith("(retired)\n")
    log = ("--as", "tina", "ticket", "log", "--reseller", "Acme Cloud", "--contact", "Pat",
           "--phone", "+44 1", "--tenant", "acme-1", "--impact", "some", "--channel", "phone",
           "--summary", "Mail down")  # fmt: skip
    cli(*log, code=1)
    assert "Acme Cloud is retired: no new incidents are logged for it" in cli.err
    assert cli("--as", "ada", "reseller", "restore", "Acme Cloud") == "Acme Cloud: active\n"
    assert cli(*log).strip()


def test_empty_lists(cli: Cli) -> None:
    cli("init")
    assert cli.json("staff", "list", "--json") == []
    assert cli.json("reseller", "list", "--json") == []
    assert "no staff" in cli("staff", "list")
    assert "no resellers" in cli("reseller", "list")


def test_deactivate_and_activate(cli: Cli) -> None:
    _training_desk(cli)
    assert cli("--as", "ada", "staff", "deactivate", "tina") == "tina: inactive\n"
    cli("--as", "tina", "ticket", "list", "--json")  # reading needs no actor
    cli("--as", "tina", "staff", "password", "tina", code=1)  # she can no longer act
    assert "no active staff member" in cli.err
    assert cli("--as", "ada", "staff", "activate", "TINA") == "tina: active\n"
    assert [s["active"] for s in cli.json("staff", "list", "--json")] == [True] * 4


def test_staff_administration_refusals(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    _training_desk(cli)
    cli("--as", "tina", "staff", "deactivate", "tess", code=1)
    assert "administrator" in cli.err and "Tier 1 engineer" in cli.err
    cli("--as", "lee", "staff", "activate", "tess", code=1)
    assert "administrator" in cli.err
    cli("staff", "deactivate", "tess", code=1)
    assert "--as" in cli.err
    cli("--as", "ada", "staff", "deactivate", "ada", code=1)
    assert "your own" in cli.err
    cli("--as", "ada", "staff", "deactivate", "nobody", code=1)
    assert "no staff member" in cli.err and "nobody" in cli.err
    assert all(s["active"] for s in cli.json("staff", "list", "--json"))
    monkeypatch.setenv("DESKAPP_NEW_PASSWORD", "long-enough")
    cli("--as", "tina", "staff", "password", "tess", code=1)
    assert "Tier 1 engineer" in cli.err
    cli("--as", "ada", "staff", "password", "nobody", code=1)
    assert "nobody" in cli.err
    monkeypatch.setenv("DESKAPP_NEW_PASSWORD", "short")
    cli("--as", "ada", "staff", "password", "tina", code=1)
    assert "at least 8 characters" in cli.err
    assert not any(s["has_password"] for s in cli.json("staff", "list", "--json"))


def test_password_on_a_live_desk(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    _hash_desk(cli, request)
    monkeypatch.setenv("DESKAPP_PASSWORD", "ada-first")
    cli("staff", "add", "ada", "--name", "Ada", "--role", "admin")
    monkeypatch.setenv("DESKAPP_NEW_PASSWORD", "tina-first")
    cli("--as", "ada", "staff", "add", "tina", "--name", "Tina", "--role", "tier1")
    cli("--as", "ada", "staff", "add", "tom", "--name", "Tom", "--role", "tier1")
    # An administrator sets anyone's: the new one works, the old one does not.
    monkeypatch.setenv("DESKAPP_NEW_PASSWORD", "tina-second")
    assert cli("--as", "ada", "staff", "password", "tina") == "tina: password changed\n"
    monkeypatch.setenv("DESKAPP_PASSWORD", "tina-first")
    cli("--as", "tina", "staff", "password", "tina", code=1)
    assert "do not match" in cli.err
    # Tina changes her own, signed in with the current one.
    monkeypatch.setenv("DESKAPP_PASSWORD", "tina-second")
    monkeypatch.setenv("DESKAPP_NEW_PASSWORD", "tina-third")
    assert cli("--as", "tina", "staff", "password", "tina") == "tina: password changed\n"
    # ... but not Tom's.
    monkeypatch.setenv("DESKAPP_PASSWORD", "tina-third")
    monkeypatch.setenv("DESKAPP_NEW_PASSWORD", "tom-by-tina")
    cli("--as", "tina", "staff", "password", "tom", code=1)
    assert "Tier 1 engineer" in cli.err
    monkeypatch.setenv("DESKAPP_PASSWORD", "tom-by-tina")
    cli("--as", "tom", "staff", "password", "tom", code=1)
    assert "do not match" in cli.err
    # A deactivated member cannot sign in; reactivated, they can.
    monkeypatch.setenv("DESKAPP_PASSWORD", "ada-first")
    assert cli("--as", "ada", "staff", "deactivate", "tina") == "tina: inactive\n"
    monkeypatch.setenv("DESKAPP_PASSWORD", "tina-third")
    cli("--as", "tina", "ticket", "list", "--json")
    cli("--as", "tina", "staff", "password", "tina", code=1)
    assert "do not match" in cli.err
    monkeypatch.setenv("DESKAPP_PASSWORD", "ada-first")
    assert cli("--as", "ada", "staff", "activate", "tina") == "tina: active\n"
    monkeypatch.setenv("DESKAPP_PASSWORD", "tina-third")
    monkeypatch.setenv("DESKAPP_NEW_PASSWORD", "tina-fourth")
    assert cli("--as", "tina", "staff", "password", "tina") == "tina: password changed\n"


def test_password_is_asked_for_without_the_variable(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import getpass

    _training_desk(cli)
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return "typed-secret"

    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    assert cli("--as", "ada", "staff", "password", "tina") == "tina: password changed\n"
    assert prompts == ["New password for tina: "]
    tina = next(s for s in cli.json("staff", "list", "--json") if s["login"] == "tina")
    assert tina["has_password"] is True

    def no_terminal(prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr(getpass, "getpass", no_terminal)
    cli("--as", "ada", "staff", "password", "tina", code=1)
    assert "DESKAPP_NEW_PASSWORD" in cli.err
