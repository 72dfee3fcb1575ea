"""`deskapp --self-test` and `deskapp --version`, as a real process (as CI runs the bundle)."""

from __future__ import annotations

import os
import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "deskapp", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_self_test_checks_files_window_and_a_rule_pass() -> None:
    proc = run("--self-test")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "ok    files", "ok    policy", "ok    holiday cache", "ok    database", "ok    window",
        "ok    rules",
    ]  # fmt: skip
    assert lines[-1] == "self-test passed"


def test_version_hides_the_password() -> None:
    proc = run("--db", "postgresql://desk:s3cret@db.example.co.uk:5432/desk", "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].startswith("deskapp ")
    assert "Qt 6." in proc.stdout
    assert "postgresql://desk:***@db.example.co.uk:5432/desk" in proc.stdout
    assert "s3cret" not in proc.stdout
