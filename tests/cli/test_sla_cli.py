"""`deskapp sla due|explain` and `deskapp calendar`: a public contract for scripts."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from deskapp.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_due_prints_utc_in_input_order(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "sla", "due", "--priority", "P2",
        "2026-12-24T15:00:00+00:00", "2026-03-13T17:00:00Z", "2026-03-16T17:00:00+01:00",
    )  # fmt: skip
    assert code == 0 and err == ""
    assert out.splitlines() == ["2026-12-29T09:00:00Z", "2026-03-16T11:00:00Z", "2026-03-18T10:00:00Z"]


def test_due_reads_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("2026-03-16T19:00:00+00:00\n\n2026-03-09T09:00:00+00:00\n"))
    code, out, _ = run(capsys, "sla", "due", "--priority", "P3", "-")
    assert code == 0
    assert out.splitlines() == ["2026-03-18T18:00:00Z", "2026-03-10T18:00:00Z"]


@pytest.mark.parametrize("bad", ["2026-03-16T19:00:00", "yesterday", "2026-13-01T00:00Z"])
def test_bad_timestamp_is_named_and_exits_2(capsys: pytest.CaptureFixture[str], bad: str) -> None:
    code, out, err = run(capsys, "sla", "due", "--priority", "P2", "2026-03-16T09:00Z", bad)
    assert code == 2
    assert out == ""
    assert repr(bad) in err


def test_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sla", "explain", "--priority", "P2", "2026-12-24T15:00:00Z")
    assert code == 0
    assert "Christmas Day" in out and "Boxing Day (observed)" in out
    assert "Tue 29 Dec 2026 09:00" in out


def test_calendar_lists_named_closed_days(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calendar", "--year", "2026")
    assert code == 0
    lines = [line for line in out.splitlines() if not line.startswith("#")]
    assert any(line.startswith("2026-03-17") and "Saint Patrick" in line for line in lines)
    assert any(line.startswith("2026-12-28") and "Boxing Day" in line for line in lines)
    assert not any(line.startswith("2026-03-14") for line in lines), "plain weekends are left out"


def test_unknown_priority_is_an_error_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "sla", "due", "--priority", "P7", "2026-03-16T09:00Z")
    assert code == 2 and "P7" in err and "Traceback" not in err


def test_real_console_command() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "deskapp", "sla", "due", "--priority", "P1", "-"],
        input="2026-03-28T23:30:00+00:00\n", capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "2026-03-29T01:30:00Z\n"


def test_sla_commands_load_neither_the_store_nor_qt() -> None:
    # Scripts call `deskapp sla due` often: it must not pay for peewee, the services or Qt.
    code = (
        "import sys\n"
        "from deskapp.cli.main import main\n"
        "assert main(['sla', 'due', '--priority', 'P2', '2026-03-16T09:00:00Z']) == 0\n"
        "heavy = ('peewee', 'PySide6', 'psycopg')\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines() == ["2026-03-16T13:00:00Z", ""]


def test_store_commands_still_listed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("ticket", "rules", "report", "mail", "survey", "sla", "calendar"):
        assert command in out
