"""Tracebacks and unnamed errors the fuzz suite found outside issue 15's list, fixed here."""

from __future__ import annotations

import pytest

from tests.fuzz.harness import leaf_for, problems, run_cli


@pytest.mark.parametrize("watch", ["inf", "nan", "-1", "1e12"])
def test_mail_send_watch_out_of_range_is_refused_naming_the_option(watch: str) -> None:
    argv = ["--db", "sqlite:////nonexistent/desk.sqlite3", "mail", "send", "--watch", watch]
    outcome = run_cli(argv)
    assert outcome.error is None, outcome.trace
    assert outcome.code == 2 and "--watch" in outcome.err


def test_a_password_typed_in_another_encoding_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import getpass as gp

    from deskapp.cli import session
    from deskapp.services.errors import ValidationError

    def getpass(prompt: str = "") -> str:
        return b"caf\xe9".decode("utf-8")

    monkeypatch.setattr(gp, "getpass", getpass)
    with pytest.raises(ValidationError, match="password typed is not UTF-8"):
        session.ask_password("Password: ")


def test_leaf_for_finds_the_command() -> None:
    leaf = leaf_for(["--db", "x", "--as", "a", "ticket", "note", "INC-1"])
    assert leaf is not None and leaf.name == "ticket note"
    outcome = run_cli(["--db", "sqlite:////nonexistent/d.sqlite3", "mail", "send", "--watch", "nan"])
    assert problems(outcome, leaf.names(outcome.argv), leaf.name) == []
