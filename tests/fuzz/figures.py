"""The fuzz suite's figures: inputs tried, tracebacks, errors that do not name the input.

`FIGURES` counts over a whole run (the pytest summary line and bench/fuzz_figures.py
print it); `Tally` also keeps one example of each distinct problem for a report.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tests.fuzz.harness import Problem


@dataclass
class Figures:
    tried: int = 0
    tracebacks: int = 0
    unnamed: int = 0  # exit 2 with a message that names no input
    other: int = 0  # an exit status outside 0, 1, 2, or an error quoting all of a long value
    known: int = 0  # inputs of tests/fuzz/known.py that still fail (being fixed on branch hostile)

    def record(self, found: Sequence[Problem], *, known: bool) -> None:
        self.tried += 1
        if found and known:
            self.known += 1
            return
        for problem in found:
            if problem.kind == "traceback":
                self.tracebacks += 1
            elif problem.kind == "unnamed":
                self.unnamed += 1
            else:
                self.other += 1

    def line(self) -> str:
        text = (
            f"inputs tried: {self.tried}, tracebacks: {self.tracebacks}, "
            f"errors that did not name what was wrong: {self.unnamed}"
        )
        if self.other:
            text += f", other problems (exit status, long quotes): {self.other}"
        if self.known:
            text += f" (and {self.known} inputs of the known list, tests/fuzz/known.py, still failing)"
        return text

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)), encoding="utf-8")


FIGURES = Figures()


@dataclass
class Tally:
    """Every problem seen, by key: how often, and the first example."""

    seen: dict[tuple[str, str, bool], list[object]] = field(default_factory=dict)

    def record(self, found: Sequence[Problem], *, known: bool) -> None:
        FIGURES.record(found, known=known)
        for problem in found:
            entry = self.seen.setdefault((problem.kind, problem.key, known), [0, problem])
            entry[0] = int(str(entry[0])) + 1

    def lines(self, show: int) -> list[str]:
        out: list[str] = []
        ranked = sorted(self.seen.items(), key=lambda kv: (kv[0][2], kv[0][0] != "traceback", kv[0][1]))
        for (kind, key, known), (count, problem) in ranked[:show]:
            label = "known " if known else ""
            out.append(f"--- {label}{kind} x{count}: {key}")
            detail = str(getattr(problem, "detail", ""))
            out.append(detail if kind != "traceback" else detail[-1500:])
        if len(ranked) > show:
            out.append(f"... and {len(ranked) - show} more kinds of problem")
        return out
