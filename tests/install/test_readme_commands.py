"""The README's two commands: each makes or uses a venv, has its Windows form, and CI runs one.

A Debian or Ubuntu system Python refuses `pip install` outside a virtual
environment (PEP 668) and a Windows user types `py`: so each command makes (or
reuses) `.venv` and runs from it, and the Windows line beside it is the same
command spelt for Command Prompt. `.ci/run` runs the test command exactly as
the README writes it.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_PREFIX = "python3 -m venv .venv && .venv/bin/python -m pip install -e "


def two_commands_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Two commands\n(.*?)^## ", text, flags=re.MULTILINE | re.DOTALL)
    assert match, "README.md has no '## Two commands' section"
    return match.group(1)


def blocks(lang: str) -> list[str]:
    found = re.findall(rf"^```{lang}\n(.*?)^```$", two_commands_section(), flags=re.MULTILINE | re.DOTALL)
    return [b.strip() for b in found]


def windows_form(posix: str) -> str:
    return (
        posix.replace("python3 -m venv", "py -m venv")
        .replace(".venv/bin/", ".venv\\Scripts\\")
        .replace("'", '"')
    )


def test_each_command_makes_or_uses_a_venv_in_one_line() -> None:
    posix = blocks("sh")
    assert len(posix) == 2, posix
    for command in posix:
        assert "\n" not in command, f"one line: {command!r}"
        assert command.startswith(VENV_PREFIX), command
        assert "python3 -m pip" not in command, "pip runs inside the venv, never on the system Python"
    app, tests = posix
    assert app.endswith("&& .venv/bin/deskapp")
    assert tests.endswith("&& .venv/bin/python -m pytest")


def test_the_windows_form_stands_beside_each_command() -> None:
    posix, windows = blocks("sh"), blocks("bat")
    assert windows == [windows_form(c) for c in posix]
    assert all(w.startswith("py -m venv .venv && ") and "/" not in w for w in windows)


def test_ci_runs_the_readme_test_command_exactly() -> None:
    test_command = blocks("sh")[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    # Grouped, so that a failing install (not only a failing pytest) fails CI under set -e.
    assert f"{{ {test_command}; }} || exit 1" in ci_lines, (
        f".ci/run does not run the README's line: {test_command}"
    )
