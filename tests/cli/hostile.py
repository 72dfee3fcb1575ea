"""Helpers for the hostile-input tests: run the CLI in this process, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from deskapp.cli.main import main


@dataclass
class Result:
    code: int
    out: str
    err: str


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Result:
    """The exit code and both streams of `deskapp ARGV`; an exception escaping main fails the test."""
    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse refuses with exit 2
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return Result(code, out, err)


def refused(capsys: pytest.CaptureFixture[str], *argv: str, naming: str) -> Result:
    """`deskapp ARGV` fails with a message on stderr that names `naming`."""
    result = run(capsys, *argv)
    assert result.code != 0, result
    assert naming in result.err, result
    return result


class TrainingDesk:
    """A training desk (so --clock works) with an admin, a tier-1 engineer, a lead and a reseller."""

    def __init__(self, url: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.url, self.capsys = url, capsys
        self.ok("init", "--training")
        self.ok("staff", "add", "ada", "--name", "Ada Admin", "--role", "admin")
        self.ok("--as", "ada", "staff", "add", "tina", "--name", "Tina", "--role", "tier1")
        self.ok("--as", "ada", "staff", "add", "lee", "--name", "Lee", "--role", "lead")
        self.ok("--as", "ada", "reseller", "add", "Acme", "--country", "GB", "--email", "a@acme.example")

    def run(self, *argv: str) -> Result:
        return run(self.capsys, "--db", self.url, *argv)

    def ok(self, *argv: str) -> str:
        result = self.run(*argv)
        assert result.code == 0, result
        return result.out

    def refused(self, *argv: str, naming: str) -> Result:
        return refused(self.capsys, "--db", self.url, *argv, naming=naming)

    def log(self, *extra: str, summary: str = "Mail is down") -> str:
        return self.ok(
            "--clock", "2026-03-16T10:00:00Z", "--as", "tina", "ticket", "log", "--reseller", "Acme",
            "--contact", "Pat", "--email", "pat@acme.example", "--tenant", "acme-1", "--impact", "some",
            "--channel", "email", "--summary", summary, *extra,
        ).strip()  # fmt: skip


@pytest.fixture
def training(db_url: str, capsys: pytest.CaptureFixture[str]) -> TrainingDesk:
    return TrainingDesk(db_url, capsys)
