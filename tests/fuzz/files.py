"""Every file the app reads, fuzzed: what is in it is drawn, then the commands that read it run.

- the policy (TOML): `--policy FILE` for `sla due`, `sla explain` and `calendar`;
- a survey answers CSV: `survey import FILE`;
- the settings (INI; QSettings' file on Linux): `--version` and a command with no
  `--db` read the saved database from it, and the settings dialog reads each
  setting with `deskapp.gui.settings.read`;
- the SQLite database file: `init`, `staff list`, `ticket list` on it;
- the message templates an administrator may override (DESKAPP_TEMPLATE_DIR):
  `mail ticket-number` renders one;
- the holidays cache (JSON in the user cache folder): `calendar` and `sla due`.

Each file's content is a real one changed a little (a value replaced, a line
dropped or doubled, bytes spliced in, cut short) or bytes from nowhere, in UTF-8 or
not. `CHECKS[name](ctx, folder, data)` writes the file, runs the commands and gives
[(argv, problems)]; `fuzz_file` drives one kind with hypothesis.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.harness import Problem, leaf_for, problems, run_cli
from tests.fuzz.known import excused
from tests.fuzz.strategies import TEXT_EXTREMES, Ctx

Checked = list[tuple[list[str], list[Problem]]]
Check = Callable[[Ctx, Path, bytes], Checked]

TOML_VALUES = [
    '""',
    '"x"',
    "-1",
    "0",
    "1e999",
    "inf",
    "nan",
    "[]",
    "{}",
    "[[]]",
    '"99999999999999h"',
    '"0h"',
    '"-4h"',
    '"90m"',
    '"25:00"',
    '"18:00"',
    '"Sat"',
    '"Mars/Olympus"',
    '"9999-12-31"',
    '"0001-01-01"',
    "true",
    '{ country = "ZZ" }',
    '{ country = "GB", subdiv = "XX" }',
    '[ { date = "2026-02-30" } ]',
    '"next_business_day"',
    '"24x7"',
    '"P1"',
    "1979-05-27T07:32:00Z",
    '"\\u0000"',
    "'''\n'''",
]
JUNK = [b"", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\r", b"\n\n", b"[", b"=", b'"', b",", b"\x1b[2J"]


def mutated(original: bytes, values: list[str]) -> st.SearchStrategy[bytes]:
    """A real file with a few edits, or one cut short, or bytes from nowhere."""

    @st.composite
    def edit(draw: st.DrawFn) -> bytes:
        lines = original.split(b"\n")
        for _ in range(draw(st.integers(1, 4))):
            i = draw(st.integers(0, len(lines) - 1))
            how = draw(st.integers(0, 4))
            if how == 0 and b"=" in lines[i]:
                key = lines[i].split(b"=", 1)[0]
                lines[i] = key + b"= " + draw(st.sampled_from(values)).encode("utf-8")
            elif how == 0 and b"," in lines[i]:
                cells = lines[i].split(b",")
                j = draw(st.integers(0, len(cells) - 1))
                cells[j] = draw(st.sampled_from(values)).encode("utf-8", "surrogateescape")
                lines[i] = b",".join(cells)
            elif how == 1:
                del lines[i]
                if not lines:
                    lines = [b""]
            elif how == 2:
                lines.insert(i, lines[i])
            else:
                at = draw(st.integers(0, len(lines[i])))
                bits = draw(st.one_of(st.sampled_from(JUNK), st.binary(max_size=12)))
                lines[i] = lines[i][:at] + bits + lines[i][at:]
        return b"\n".join(lines)

    return st.one_of(
        edit(),
        edit(),
        st.integers(0, len(original)).map(lambda n: original[:n]),
        st.binary(max_size=200),
        st.text(max_size=200).map(lambda t: t.encode("utf-8")),
        st.just(original.decode("utf-8").encode("utf-16")),
    )


# --- the checks ----------------------------------------------------------------------------


def _run(argv: list[str], *read: Path) -> tuple[list[str], list[Problem]]:
    """Run a command line that reads the files `read` (which its errors may name)."""
    leaf = leaf_for(argv)
    outcome = run_cli(argv)
    names = leaf.names(argv, files=[str(p) for p in read]) if leaf else None
    if leaf is None or names is None:
        raise AssertionError(f"no command in {argv!r}")
    return argv, problems(outcome, names, leaf.name)


def check_policy(ctx: Ctx, folder: Path, data: bytes) -> Checked:
    path = folder / "policy.toml"
    path.write_bytes(data)
    pol = ["--db", ctx.url, "--policy", str(path)]
    return [
        _run(
            [*pol, "sla", "due", "--priority", "P2", "2026-03-13T17:00:00Z", "2026-12-24T16:00:00+00:00"],
            path,
        ),
        _run([*pol, "sla", "explain", "--priority", "P3", "2026-03-13T17:00:00Z"], path),
        _run([*pol, "calendar", "--year", "2026"], path),
    ]


def check_survey(ctx: Ctx, folder: Path, data: bytes) -> Checked:
    path = folder / "answers.csv"
    path.write_bytes(data)
    return [_run(["--db", ctx.url, "--as", "admin", "survey", "import", str(path)], path)]


def check_settings(ctx: Ctx, folder: Path, data: bytes) -> Checked:
    from PySide6.QtCore import QSettings

    from deskapp.gui import settings as conf

    with _no_db_env():
        path = Path(QSettings("deskapp", "deskapp").fileName())
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        found = [_run(["--version"], path), _run(["staff", "list"], path)]
    ini = folder / "settings.ini"
    ini.write_bytes(data)
    argv = ["(settings dialog)", str(ini)]
    try:
        store = QSettings(str(ini), QSettings.Format.IniFormat)
        for setting in conf.ALL:
            conf.read(store, setting)
    except Exception as exc:
        import traceback

        trace = traceback.format_exc()
        found.append((argv, [Problem("traceback", f"{type(exc).__name__} in settings.read", trace)]))
    return found


@contextlib.contextmanager
def _no_db_env() -> Iterator[None]:
    saved = os.environ.pop("DESKAPP_DB", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["DESKAPP_DB"] = saved


def check_database(ctx: Ctx, folder: Path, data: bytes) -> Checked:
    path = folder / "fuzzed.sqlite3"
    # A new file each time (unlinked, not rewritten): a connection the last in-process run
    # left open keeps its locks on the old file, as a finished process would not.
    for extra in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    path.write_bytes(data)
    url = f"sqlite:///{path}"
    return [
        _run(["--db", url, "staff", "list", "--json"], path),
        _run(["--db", url, "ticket", "list", "--all"], path),
        _run(["--db", url, "init", "--training"], path),
    ]


def check_template(ctx: Ctx, folder: Path, data: bytes) -> Checked:
    templates = folder / "templates"
    templates.mkdir(exist_ok=True)
    (templates / "ticket_number.txt").write_bytes(data)
    saved = os.environ.get("DESKAPP_TEMPLATE_DIR")
    os.environ["DESKAPP_TEMPLATE_DIR"] = str(templates)
    try:
        number = ctx.numbers[len(data) % len(ctx.numbers)] if ctx.numbers else "INC-000001"
        argv = ["--db", ctx.url, "--as", "admin", "mail", "ticket-number", number]
        return [_run(argv, templates / "ticket_number.txt")]
    finally:
        if saved is None:
            os.environ.pop("DESKAPP_TEMPLATE_DIR", None)
        else:
            os.environ["DESKAPP_TEMPLATE_DIR"] = saved


def check_holidays_cache(ctx: Ctx, folder: Path, data: bytes) -> Checked:
    from deskapp.user_cache import HOLIDAYS_FILE, cache_dir

    path = cache_dir() / HOLIDAYS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return [
        _run(["--db", ctx.url, "calendar", "--year", "2027"], path),
        _run(["--db", ctx.url, "sla", "due", "--priority", "P3", "2027-12-24T17:00:00Z"], path),
    ]


# --- what the real files look like ---------------------------------------------------------


def _policy_text() -> bytes:
    from deskapp.resources import default_policy_path

    return default_policy_path().read_bytes()


def _survey_text(ctx: Ctx) -> bytes:
    refs = ctx.refs[:3] or ["nothing"]
    rows = ["reference,score,comment", *(f"{r},{i % 5 + 1},fine {i}" for i, r in enumerate(refs))]
    return "\n".join(rows).encode("utf-8")


def _settings_text() -> bytes:
    return (
        b"[database]\nurl=sqlite:////nonexistent/desk.sqlite3\n\n"
        b"[timers]\ncountdown_ms=1000\nrules_ms=30000\nwatch_ms=3000\n"
    )


_TEMPLATE_DB: dict[str, bytes] = {}


def _database_bytes(folder: Path) -> bytes:
    """A real desk's file (made once a process), to damage."""
    if "db" not in _TEMPLATE_DB:
        path = folder / "template.sqlite3"
        out = run_cli(["--db", f"sqlite:///{path}", "init", "--training"])
        assert out.code == 0, out.err
        copy = folder / "template-copy.sqlite3"
        source, dest = sqlite3.connect(path), sqlite3.connect(copy)
        source.backup(dest)  # one file, whatever the desk's journal holds
        dest.execute("PRAGMA journal_mode=DELETE")
        source.close()
        dest.close()
        _TEMPLATE_DB["db"] = copy.read_bytes()
    return _TEMPLATE_DB["db"]


def _template_text() -> bytes:
    from deskapp.resources import resource_path

    return resource_path("templates", "ticket_number.txt").read_bytes()


def _cache_text() -> bytes:
    return b'{"format": 1, "holidays": "0.0", "calendars": {"GB/ENG": {"2027": {"2027-12-25": "Christmas"}}}}'


SETTINGS_VALUES = [
    *TEXT_EXTREMES,
    "sqlite:////nonexistent/x.sqlite3",
    "sqlite:///",
    "-1",
    "1e99",
    "@Invalid()",
    "@ByteArray(\\0)",
    "postgresql://u@127.0.0.1:1/desk",
    "99999999999999999999",
]
CSV_VALUES = [*TEXT_EXTREMES, "", "0", "6", "-1", "5.0", "99999999999999999999", '"', '"a""b"', "x" * 200]

STRATEGIES: dict[str, Callable[[Ctx, Path], st.SearchStrategy[bytes]]] = {
    "policy": lambda ctx, f: mutated(_policy_text(), TOML_VALUES),
    "survey": lambda ctx, f: mutated(_survey_text(ctx), CSV_VALUES),
    "settings": lambda ctx, f: mutated(_settings_text(), SETTINGS_VALUES),
    "database": lambda ctx, f: _damaged(_database_bytes(f)),
    "template": lambda ctx, f: mutated(_template_text(), ["$", "${", "$$", "$number$", "Subject", "\x00"]),
    "holidays-cache": lambda ctx, f: mutated(
        _cache_text(), ['"x"', "[]", "{}", "null", "1e999", '{"2027": 1}']
    ),
}


def _damaged(original: bytes) -> st.SearchStrategy[bytes]:
    @st.composite
    def flips(draw: st.DrawFn) -> bytes:
        data = bytearray(original)
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, len(data) - 1))
            size = draw(st.sampled_from([1, 4, 16, 512, 4096]))
            data[at : at + size] = draw(st.binary(min_size=1, max_size=1)) * size
        return bytes(data[: len(original)])

    return st.one_of(
        flips(),
        flips(),
        st.integers(0, len(original)).map(lambda n: original[:n]),
        st.sampled_from([b"", b"SQLite format 3\x00", b"SQLite format 3\x00" + b"\xff" * 200]),
        st.binary(max_size=600),
    )


CHECKS: dict[str, Check] = {
    "policy": check_policy,
    "survey": check_survey,
    "settings": check_settings,
    "database": check_database,
    "template": check_template,
    "holidays-cache": check_holidays_cache,
}
# Whether the file is read through the desk (so run on PostgreSQL too), or on its own.
NEEDS_DESK = {
    "policy": False,
    "survey": True,
    "settings": False,
    "database": False,
    "template": True,
    "holidays-cache": False,
}


def fuzz_file(name: str, ctx: Ctx, examples: int, record: Callable[..., None], folder: Path) -> None:
    from tests.fuzz.runner import SETTINGS

    check = CHECKS[name]
    folder.mkdir(parents=True, exist_ok=True)

    @settings(SETTINGS, max_examples=examples)
    @given(data=STRATEGIES[name](ctx, folder))
    def run(data: bytes) -> None:
        for argv, found in check(ctx, folder, data):
            record(found, known=bool(found) and all(excused(argv, p) for p in found))

    run()
