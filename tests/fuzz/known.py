"""The known list of issue 15 ("No traceback, ever"), being fixed on branch `hostile`.

Each entry quotes the issue, gives its example as command lines (after `--db URL`;
`{folder}`, `{number}`, `{ref}` and `{reseller}` are filled from the desk) with what each must do,
and `matches`: which problems the fuzz tests find are this entry.

- tests/fuzz/test_known.py runs every example and FAILS until branch hostile is
  merged (it is the test of hostile's fixes, written from the issue);
- the fuzz tests (test_commands.py, test_files.py) do not fail on a problem that an
  entry matches while that entry's example still fails here (`excused`): once the
  fix lands the example passes, the excuse ends by itself, and the fuzz tests hold
  the fix. Nothing needs deleting after the merge.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.fuzz.harness import Problem, leaf_for, problems, run_cli
from tests.fuzz.strategies import Ctx

BAD_UTF8 = os.fsdecode(b"caf\xe9")  # how a Latin-1 argument reaches Python on a UTF-8 system


@dataclass(frozen=True)
class Step:
    argv: tuple[str, ...]
    refused: bool = False  # the step must fail (exit 1 or 2), not report success
    says: str = ""  # text that its output or error must contain (case-insensitive)


@dataclass(frozen=True)
class Known:
    id: str
    issue: str
    steps: tuple[Step, ...]
    matches: Callable[[Sequence[str], Problem], bool]
    prepare: Callable[[Path], None] | None = None  # writes the files the steps read
    cleanup: tuple[tuple[str, ...], ...] = ()  # command lines that undo what the steps left
    backend: str = "sqlite"


# --- matching ------------------------------------------------------------------------------


def _words(argv: Sequence[str], *words: str) -> bool:
    it = iter(argv)
    return all(any(w == a for a in it) for w in words)


def _tb(problem: Problem, *needles: str) -> bool:
    text = problem.key + problem.detail
    return problem.kind == "traceback" and (not needles or any(n in text for n in needles))


def _far_year(argv: Sequence[str]) -> bool:
    for i, word in enumerate(argv):
        m = re.match(r"\s*(\d{4,})-\d", word)
        if m and not 1000 <= int(m.group(1)) <= 9997:
            return True
        if i and argv[i - 1] == "--year" and re.fullmatch(r"\s*[-+]?\d+\s*", word):
            year = int(word)
            if not 1 < year < 9999:
                return True
    return False


def _surrogates(argv: Sequence[str]) -> bool:
    return any(re.search("[\udc80-\udcff]", a) for a in argv)


# --- files the examples read -----------------------------------------------------------------


def _a_file(folder: Path) -> None:
    (folder / "x.csv").write_text("a file\n", encoding="utf-8")


def _policy(folder: Path) -> None:
    from deskapp.resources import default_policy_path

    (folder / "deep.toml").write_text("a = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    text = default_policy_path().read_text(encoding="utf-8")
    (folder / "huge-target.toml").write_text(
        text.replace('target = "4h"', 'target = "99999999999999h"'), encoding="utf-8"
    )
    (folder / "latin1.toml").write_bytes(text.replace("#", "# caf\xe9", 1).encode("latin-1"))


def _survey(folder: Path) -> None:
    (folder / "long-row.csv").write_text("reference,score,comment\n{ref},5,fine,extra,more\n")
    (folder / "big-field.csv").write_text("reference,score,comment\n{ref},5," + "x" * 131_073 + "\n")
    (folder / "latin1.csv").write_bytes(b"reference,score,comment\n{ref},5,caf\xe9\n")


def _nul_survey(folder: Path) -> None:
    (folder / "nul.csv").write_text("reference,score,comment\n{ref},5,a\x00b\n{ref},4,fine\n")


def _damaged_db(folder: Path) -> None:
    (folder / "x.csv").write_text("not a folder\n", encoding="utf-8")
    path = folder / "damaged.sqlite3"
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (a TEXT)")
    con.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
    con.commit()
    con.close()
    data = bytearray(path.read_bytes())
    data[4096 * 2 : 4096 * 4] = b"\xa5" * (4096 * 2)  # two pages of the table: garbage
    path.write_bytes(bytes(data))


def _fill(text: str, ctx: Ctx) -> str:
    return (
        text.replace("{folder}", str(ctx.folder))
        .replace("{number}", ctx.numbers[0] if ctx.numbers else "INC-0000001")
        .replace("{ref}", ctx.refs[0] if ctx.refs else "none")
    )


# --- the list ------------------------------------------------------------------------------

P2 = ("--priority", "P2")
ADMIN = ("--as", "admin")

KNOWN: list[Known] = [
    Known(
        "expect-version-overflow",
        "`--expect-version 99999999999999999999` on any ticket step (OverflowError)",
        (
            Step(
                (
                    *ADMIN,
                    "ticket",
                    "note",
                    "{number}",
                    "--note",
                    "x",
                    "--expect-version",
                    "99999999999999999999",
                )
            ),
        ),
        lambda argv, p: "--expect-version" in argv and _tb(p, "Overflow"),
    ),
    Known(
        "far-years",
        "timestamps in year 1 or 9999 in `sla due|explain`, `calendar --year 9999`, "
        "`--clock 9999-12-31T23:59:59Z ... resolve`; `calendar --year 99999999999999999999`",
        (
            Step(("sla", "due", *P2, "9999-12-31T23:59:59Z")),
            Step(("sla", "due", *P2, "0001-01-01T00:00:00Z")),
            Step(("sla", "explain", "--priority", "P1", "0001-01-01T00:00:00Z")),
            Step(("sla", "explain", *P2, "9999-12-31T23:59:59-23:59")),
            Step(("calendar", "--year", "9999")),
            Step(("calendar", "--year", "99999999999999999999")),
            Step(("--clock", "9999-12-31T23:59:59Z", *ADMIN, "ticket", "resolve", "{number}", "--note", "x")),
        ),
        lambda argv, p: _far_year(argv) and (_tb(p) or p.kind == "unnamed"),
    ),
    Known(
        "watch-interval",
        "`rules run --watch --interval inf` and `nan`",
        (
            Step(("rules", "run", "--watch", "--interval", "inf")),
            Step(("rules", "run", "--watch", "--interval", "nan")),
            Step(("rules", "run", "--watch", "--interval", "-1")),
        ),
        lambda argv, p: _words(argv, "rules", "run") and "--interval" in argv and p.kind != "status",
    ),
    Known(
        "csv-and-screenshot-folders",
        "`report ... --csv` into an existing directory or into a missing folder; "
        "`screenshots --out` a missing or unwritable folder",
        (
            Step(("report", "compliance", "--csv", "{folder}"), refused=True),
            Step(("report", "compliance", "--csv", "{folder}/missing/deeper/x.csv")),
            Step(("screenshots", "--out", "{folder}/x.csv/below", "--tickets", "0"), refused=True),
        ),
        lambda argv, p: ("--csv" in argv or "screenshots" in argv) and _tb(p, "OSError", "Error"),
        prepare=_a_file,
    ),
    Known(
        "policy-files",
        'a policy file nested 5,000 levels deep; `target = "99999999999999h"`; files that are not UTF-8',
        (
            Step(("--policy", "{folder}/deep.toml", "sla", "due", *P2, "2026-03-16T14:00:00Z"), refused=True),
            Step(
                ("--policy", "{folder}/huge-target.toml", "sla", "due", *P2, "2026-03-16T14:00:00Z"),
                refused=True,
            ),
            Step(("--policy", "{folder}/latin1.toml", "calendar", "--year", "2026"), refused=True),
        ),
        lambda argv, p: "--policy" in argv and p.kind in ("traceback", "unnamed"),
        prepare=_policy,
    ),
    Known(
        "database-files",
        "`--db sqlite:///x.csv/db.sqlite3` where `x.csv` is a file; a SQLite file with damaged "
        "pages (and `init` then reports success on it)",
        (
            Step(("--db", "sqlite:///{folder}/x.csv/db.sqlite3", "init"), refused=True),
            Step(
                ("--db", "sqlite:///{folder}/damaged.sqlite3", "init"), refused=True, says="damaged.sqlite3"
            ),
        ),
        lambda argv, p: (
            any(a.startswith("sqlite:") and ("x.csv" in a or "damaged" in a or "fuzzed" in a) for a in argv)
            and p.kind in ("traceback", "unnamed")
        ),
        prepare=_damaged_db,
    ),
    Known(
        "survey-csv",
        "a survey CSV row longer than its header, or a field over 131,072 characters; "
        "files that are not UTF-8",
        (
            Step((*ADMIN, "survey", "import", "{folder}/long-row.csv"), says="line 2"),
            Step((*ADMIN, "survey", "import", "{folder}/big-field.csv"), says="line 2"),
            Step((*ADMIN, "survey", "import", "{folder}/latin1.csv"), refused=True, says="latin1.csv"),
        ),
        lambda argv, p: _words(argv, "survey", "import") and p.kind in ("traceback", "unnamed"),
        prepare=_survey,
    ),
    Known(
        "survey-csv-nul-postgres",
        "a NUL byte in a CSV row on PostgreSQL stops the import with no line number and no summary",
        (Step((*ADMIN, "survey", "import", "{folder}/nul.csv"), says="rows not saved"),),
        lambda argv, p: _words(argv, "survey", "import") and p.kind in ("traceback", "unnamed"),
        prepare=_nul_survey,
        backend="postgres",
    ),
    Known(
        "mail-port",
        "`mail settings --port 99999999999999999999` (also 0, -1, 70000) is saved, after which "
        "every `mail send` crashes",
        (
            *(
                Step((*ADMIN, "mail", "settings", "--port", port), refused=True, says="--port")
                for port in ("99999999999999999999", "0", "-1", "70000")
            ),
            Step((*ADMIN, "mail", "send")),
        ),
        lambda argv, p: ("mail" in argv and _tb(p)) or ("--port" in argv and p.kind == "unnamed"),
        cleanup=((*ADMIN, "mail", "settings", "--host", "127.0.0.1", "--port", "1"),),
    ),
    Known(
        "messages-name-the-input",
        "arguments that are not valid UTF-8, files that are not UTF-8, year-out-of-range errors "
        "and tampered rows give messages that do not name the input or the file",
        (
            Step((*ADMIN, "ticket", "note", "{number}", "--note", BAD_UTF8)),
            Step(("--as", BAD_UTF8, "ticket", "list")),
            Step((*ADMIN, "reseller", "add", BAD_UTF8, "--country", "GB")),
            Step(("report", "compliance", "--since", "0001-01-01", "--until", "0001-01-02")),
        ),
        lambda argv, p: (
            p.kind == "unnamed"
            and (_surrogates(argv) or _far_year(argv) or "codec" in p.detail or "out of range" in p.detail)
        ),
    ),
    Known(
        "long-quotes",
        "error messages quote at most a short prefix of a long input",
        (
            Step(("ticket", "show", "x" * 5000), refused=True),
            Step((*ADMIN, "staff", "activate", "y" * 5000), refused=True),
        ),
        lambda argv, p: p.kind == "long",
    ),
    Known(
        "summary-limit",
        "a summary of 128 KB is stored by SQLite and refused by PostgreSQL: one limit, checked with "
        "a clear message, on both",
        (
            Step(
                (
                    *ADMIN,
                    "ticket",
                    "log",
                    "--reseller",
                    "{reseller}",
                    "--contact",
                    "c",
                    "--phone",
                    "1",
                    "--tenant",
                    "t",
                    "--impact",
                    "some",
                    "--channel",
                    "phone",
                    "--summary",
                    "s" * 131_073,
                ),
                refused=True,
                says="summary",
            ),
        ),
        lambda argv, p: "--summary" in argv and p.kind in ("traceback", "unnamed"),
    ),
]


# --- running the examples ------------------------------------------------------------------


def run_example(known: Known, ctx: Ctx) -> list[str]:
    """What is still wrong with the entry's example on this desk (empty: fixed)."""
    folder = ctx.folder / f"known-{known.id}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sub = Ctx(ctx.url, folder, ctx.logins, ctx.numbers, ctx.refs, resellers=ctx.resellers)
    reseller = ctx.resellers[0] if ctx.resellers else "none"
    if known.prepare is not None:
        known.prepare(folder)
        for path in folder.iterdir():  # the files name the desk's survey references
            if path.suffix == ".csv" and path.is_file():
                data = path.read_bytes().replace(b"{ref}", _fill("{ref}", sub).encode())
                path.write_bytes(data)
    failures: list[str] = []
    try:
        for step in known.steps:
            argv = ["--db", ctx.url, *(_fill(a, sub).replace("{reseller}", reseller) for a in step.argv)]
            outcome = run_cli(argv)
            leaf = leaf_for(argv)
            found = problems(outcome, leaf.names(argv), leaf.name) if leaf else []
            short = [a if len(a) < 60 else a[:20] + f"...({len(a)} chars)" for a in argv[2:]]
            failures += [f"{short}: {p.kind}: {p.key}" for p in found]
            if step.refused and outcome.code == 0:
                failures.append(f"{short}: reported success (exit 0); it must be refused")
            said = (outcome.out + outcome.err).lower()
            if step.says and step.says.lower() not in said and not found:
                failures.append(f"{short}: the output does not say {step.says!r}: {said[-300:]!r}")
    finally:
        for line in known.cleanup:
            run_cli(["--db", ctx.url, *line])
    return failures


_still_failing: dict[str, bool] = {}
_scratch: dict[str, Ctx] = {}


def _scratch_desk(backend: str) -> Ctx | None:
    """A desk of its own for the examples (they change it); one a process, made on first use."""
    if backend not in _scratch:
        import atexit
        import tempfile

        from tests.fuzz.desks import make_desk, pg_schema

        folder = Path(tempfile.mkdtemp(prefix="deskapp-known-"))
        atexit.register(shutil.rmtree, folder, True)
        if backend == "sqlite":
            _scratch[backend] = make_desk(f"sqlite:///{folder / 'desk.sqlite3'}", folder / "desk")
        else:
            if not os.environ.get("DESKAPP_TEST_PG_URL"):
                return None
            schema = pg_schema()
            url = schema.__enter__()
            atexit.register(schema.__exit__, None, None, None)
            _scratch[backend] = make_desk(url, folder / "desk")
    return _scratch[backend]


def still_failing(known: Known) -> bool:
    if known.id not in _still_failing:
        ctx = _scratch_desk(known.backend)
        _still_failing[known.id] = ctx is None or bool(run_example(known, ctx))
    return _still_failing[known.id]


def excused(argv: Sequence[str], problem: Problem) -> bool:
    """Whether the problem is one of the known list whose fix has not landed yet."""
    return any(k.matches(argv, problem) and still_failing(k) for k in KNOWN)
