"""Text from arguments and files: one length limit and no NUL on both databases, survey
CSV rows the csv module or the header cannot take, bytes that are not UTF-8, terminal
escape sequences in stored text, and long inputs quoted only by their start."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskapp.cli.terminal import printable
from deskapp.store.models import Ticket
from tests.cli.hostile import TrainingDesk, refused, training

__all__ = ["training"]


def test_one_summary_limit_on_both_databases(training: TrainingDesk) -> None:
    limit = Ticket.summary.max_length
    assert limit == 500
    training.log(summary="s" * limit)
    result = training.refused("--clock", "2026-03-16T10:00:00Z", "--as", "tina", "ticket", "log",
                              "--reseller", "Acme", "--contact", "Pat", "--email", "pat@acme.example",
                              "--tenant", "acme-1", "--impact", "some", "--channel", "email",
                              "--summary", "x" * 128_000, naming="the summary")  # fmt: skip
    assert "128,000 characters" in result.err and "at most 500" in result.err
    assert len(result.err) < 300  # the 128 KB are not echoed back
    assert training.ok("ticket", "list").count("INC-") == 1


def test_long_inputs_are_quoted_by_their_start_only(training: TrainingDesk) -> None:
    long = "INC-" + "9" * 20_000
    result = training.refused("--as", "lee", "ticket", "note", long, "--note", "x", naming="INC-9999")
    assert len(result.err) < 300
    result = training.refused("--as", "lee", "ticket", "show", "Z" * 50_000, naming="ZZZZ")
    assert len(result.err) < 300
    result = training.refused("sla", "due", "--priority", "P2", "2026" * 10_000, naming="20262026")
    assert len(result.err) < 300


def test_arguments_that_are_not_utf8_are_named(
    capsys: pytest.CaptureFixture[str], training: TrainingDesk
) -> None:
    bad = b"\xff\xfeAcme".decode("utf-8", "surrogateescape")  # how Python receives such bytes
    result = training.refused("--as", "tina", "ticket", "log", "--reseller", bad, "--contact", "c",
                              "--phone", "1", "--tenant", "t", "--impact", "some", "--channel", "phone",
                              "--summary", "x", naming="not valid UTF-8")  # fmt: skip
    assert "\\xff\\xfeAcme" in result.err and result.code == 2
    refused(capsys, "sla", "due", "--priority", bad, "2026-03-16T10:00:00Z", naming="--priority")


def test_ticket_show_and_list_strip_terminal_controls(training: TrainingDesk) -> None:
    evil = "evil\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b[0m\x9b1m\u202eok\x08\x00"
    number = training.log(summary=evil.replace("\x00", ""))
    training.ok("--as", "lee", "ticket", "note", number, "--note", "see \x1bPdcs\x1b\\ here")
    for out in (training.ok("ticket", "show", number), training.ok("ticket", "list")):
        assert "evilredok" in out
        assert not any(c in out for c in "\x1b\x07\x08\x9b\u202e")
    assert "see  here" in training.ok("ticket", "show", number)
    assert "\\u001b" in training.ok("ticket", "show", number, "--json")  # JSON keeps it, escaped
    assert printable("a\tb\nc") == "a\tb\nc"


def _csv(tmp_path: Path, body: bytes) -> str:
    path = tmp_path / "answers.csv"
    path.write_bytes(b"reference,score,comment\n" + body)
    return str(path)


def test_survey_rows_too_long_too_wide_or_with_nul(training: TrainingDesk, tmp_path: Path) -> None:
    path = _csv(tmp_path, b"S-1,4,fine,extra,more\n"  # line 2: wider than the header
                          b"S-2,5,\"two\nlines\"\n"  # lines 3-4: one record
                          b"S\x00-3,3,nul in the reference\n"  # line 5
                          b"S-4,3,a\x00b\n"  # line 6
                          b"S-5,x,\n"  # line 7
                          b"S-6,2," + b"c" * 140_000 + b"\n"  # line 8: over the csv field limit
                          b"S-7,1,never read\n")  # fmt: skip
    result = training.run("--as", "lee", "survey", "import", path)
    assert result.code == 1, result
    lines = result.out.splitlines()
    assert lines[0] == "saved 0 answers, 6 rows not saved"
    by_line = {int(x.split(":")[0].split()[1]): x for x in lines[1:]}
    assert sorted(by_line) == [2, 3, 5, 6, 7, 8]
    assert "5 fields, the header names 3" in by_line[2]
    assert "no survey has the reference 'S-2'" in by_line[3]
    assert "NUL" in by_line[5]
    assert "no survey" in by_line[6]
    assert "'x' is not a whole number" in by_line[7]
    assert "import stopped here" in by_line[8] and len(by_line[8]) < 300


def test_survey_file_that_is_not_utf8_is_named(training: TrainingDesk, tmp_path: Path) -> None:
    path = _csv(tmp_path, b"S-1,4,fine\nS-2,3,caf\xe9\n")
    result = training.refused("--as", "lee", "survey", "import", path, naming=path)
    assert "line 3 is not UTF-8" in result.err


def test_directory_names_have_the_same_limits_on_both_databases(training: TrainingDesk) -> None:
    result = training.refused("--as", "ada", "reseller", "add", "R" * 5000, "--country", "GB",
                              naming="the reseller's name")  # fmt: skip
    assert "at most 200" in result.err and len(result.err) < 300
    training.refused("--as", "ada", "staff", "add", "newbie", "--name", "N" * 201, "--role", "tier1",
                     naming="the name")  # fmt: skip
    assert "newbie" not in training.ok("staff", "list")
