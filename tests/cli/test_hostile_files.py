"""Files and folders given on the command line: a folder for a file, a missing folder, a
file for a folder, an unwritable place; each refused naming it. CSV exports are safe to
open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from deskapp.reports.table import Table, csv_safe
from tests.cli.hostile import TrainingDesk, refused, training

__all__ = ["training"]


def _report(training: TrainingDesk, target: Path | str) -> None:
    training.refused("--as", "lee", "report", "compliance", "--csv", str(target), naming=str(target))


def test_report_csv_into_a_folder_or_a_missing_folder(training: TrainingDesk, tmp_path: Path) -> None:
    _report(training, tmp_path)
    _report(training, tmp_path / "missing" / "r.csv")
    (tmp_path / "file.csv").write_text("x")
    _report(training, tmp_path / "file.csv" / "r.csv")
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("lead", ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_look_like_formulas_are_escaped(lead: str) -> None:
    table = Table("t", ("who", "n"), [(lead, -3), ("plain", 2.5)])
    rows = list(csv.reader(io.StringIO(table.to_csv(), newline="")))
    assert rows[1] == ["'" + lead.replace("\r", "\n"), "-3"]  # the number stays a number
    assert rows[2] == ["plain", "2.5"]
    assert csv_safe(None) is None and csv_safe(-1) == -1


def test_csv_export_is_utf8_with_a_bom_and_escaped(training: TrainingDesk, tmp_path: Path) -> None:
    training.ok("--as", "ada", "reseller", "add", "=HYPERLINK(\"http://evil\",\"Zoë\")", "--country", "IE",
                "--email", "z@evil.example")  # fmt: skip
    number = training.log()
    training.ok("--clock", "2026-03-16T11:00:00Z", "--as", "tina", "ticket", "notify", number)
    target = tmp_path / "r.csv"
    training.ok("--clock", "2026-03-20T11:00:00Z", "--as", "lee", "report", "breaches", "--csv", str(target))
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "ticket" in data.decode("utf-8-sig").splitlines()[0]


@pytest.mark.parametrize("where", ["file", "under-file", "proc"])
def test_screenshots_out_that_cannot_be_a_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, where: str
) -> None:
    (tmp_path / "f").write_text("x")
    out = {
        "file": tmp_path / "f",
        "under-file": tmp_path / "f" / "shots",
        "proc": Path("/proc/deskapp/shots"),
    }
    result = refused(capsys, "screenshots", "--out", str(out[where]), naming=str(out[where]))
    assert result.out == ""
