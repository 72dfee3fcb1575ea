"""The attack matrix's figures, printed at the end of the run."""

from __future__ import annotations

from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.security.test_attack_matrix import FIGURES

    for figures in FIGURES:
        terminalreporter.write_line(figures.summary())
