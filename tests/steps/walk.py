"""A training desk on the command line, and a ticket logged on it at a chosen instant."""

from __future__ import annotations

from tests.cli.test_store_cli import Cli, _training_desk

__all__ = ["Cli", "log", "step", "training_desk"]


def training_desk(cli: Cli) -> None:
    _training_desk(cli)


EMAIL = ("--email", "pat@acme.example")


def log(cli: Cli, at: str, *extra: str, summary: str = "Mail down", impact: str = "some",
        channel: str = "email", contact: tuple[str, ...] = EMAIL) -> str:  # fmt: skip
    """Log a ticket for Acme at `at` (ISO, UTC) as tina; returns its number."""
    return cli(
        "--clock", at, "--as", "tina", "ticket", "log", "--reseller", "Acme", "--contact", "Pat",
        *contact, "--tenant", "acme-1", "--impact", impact, "--channel", channel,
        "--summary", summary, *extra,
    ).strip()  # fmt: skip


def step(cli: Cli, at: str, who: str, name: str, number: str, *options: str, code: int = 0) -> str:
    return cli("--clock", at, "--as", who, "ticket", name, number, *options, code=code)
