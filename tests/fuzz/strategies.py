"""Hypothesis strategies for command lines, drawn from the argparse parser itself.

`command_line(leaf, ctx)` builds `deskapp [GLOBALS] WORDS [OPTIONS] [POSITIONALS]` for
one command: every required option and positional, each optional one or not, each
value by what the action is (its choices, its type, its name) and mixed with
extremes: empty, very long, NUL, control and terminal sequences, text that is not
UTF-8 (os.fsdecode of arbitrary bytes, as a real argv carries it), huge integers,
inf and nan, years 1 and 9999, and paths to missing folders, folders and files.
A new command or option is fuzzed without touching this file; names only steer
which values are likely to be accepted (a login, a ticket number, a timestamp).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

from tests.fuzz.harness import Leaf

TEXT_EXTREMES = [
    "", " ", "-", "--", "x" * 5000, "\x00", "a\x00b", os.fsdecode(b"\xff\xfe"),
    os.fsdecode(b"caf\xe9"), "\x1b[2J\x1b[31mred\x1b[0m", "\r\n\t", "\u202edesrever",
    "\U0001f4a5", '=HYPERLINK("http://x.example","click")', "'; DROP TABLE ticket; --",
    "../../etc/passwd", "%s%n{0}$summary",
]  # fmt: skip
INT_EXTREMES = [
    "0", "-1", "1", "2147483648", "9223372036854775808", "99999999999999999999",
    "-99999999999999999999", "1e3", "0x10", " 7", "\u0663", "1_000", "", "seven",
]  # fmt: skip
FLOAT_EXTREMES = [
    "inf", "-inf", "nan", "1e309", "0", "-1", "0.001", "1e-320", "9999999999", "", "x",
]  # fmt: skip
INSTANT_EXTREMES = [
    "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-23:59", "0999-06-01T12:00:00Z", "2026-03-16T14:00:00",
    "2026-02-30T10:00:00Z", "2026-03-16T25:00:00Z", "now", "", "99999-01-01T00:00:00Z",
]  # fmt: skip
DATE_EXTREMES = ["0001-01-01", "9999-12-31", "2026-02-30", "26-1-1", "", "yesterday"]


@dataclass
class Ctx:
    """The desk a command line runs against: its URL and what it holds, and paths."""

    url: str
    folder: Path
    logins: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    resellers: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # readable files worth passing (a policy, a CSV)

    def paths(self) -> list[str]:
        f = self.folder
        text = f / "a-file.txt"
        text.write_text("hello\n", encoding="utf-8")
        (f / "a-dir").mkdir(exist_ok=True)
        return [
            str(f / "out.csv"), str(f / "missing" / "deeper" / "x.csv"), str(f / "a-dir"),
            str(text), str(text / "below"), "", "-", "x" * 300, "a\x00b",
            os.fsdecode(os.fsencode(f) + b"/caf\xe9.csv"),
            *self.files,
        ]  # fmt: skip


def text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(TEXT_EXTREMES),
        st.text(max_size=30),
        st.binary(max_size=20).map(os.fsdecode),
        st.text(st.characters(max_codepoint=0x1F), max_size=8),
    )


def integer() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(-5, 500).map(str),
        st.sampled_from(INT_EXTREMES),
        st.integers().map(str),
        text(),
    )


def number() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(FLOAT_EXTREMES),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.floats(0.001, 5).map(repr),
        text(),
    )


def instant() -> st.SearchStrategy[str]:
    zones = st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=1)), dt.timezone(dt.timedelta(hours=-5))])
    # Far years from a few: the calendar of each new year costs the holidays library seconds.
    far = st.builds(
        dt.datetime,
        st.sampled_from([1, 2, 999, 1000, 1970, 2038, 9998, 9999]),
        st.integers(1, 12),
        st.integers(1, 28),
        st.integers(0, 23),
        st.integers(0, 59),
        st.integers(0, 59),
    )
    some = st.tuples(far, zones).map(lambda p: p[0].replace(tzinfo=p[1]))
    near = st.datetimes(dt.datetime(2024, 1, 1), dt.datetime(2028, 1, 1), timezones=zones)
    return st.one_of(
        near.map(lambda d: d.isoformat()),
        some.map(lambda d: d.isoformat()),
        st.sampled_from(INSTANT_EXTREMES),
        text(),
    )


def date() -> st.SearchStrategy[str]:
    return st.one_of(
        st.dates(dt.date(2024, 1, 1), dt.date(2028, 1, 1)).map(str),
        st.dates().map(str),
        st.sampled_from(DATE_EXTREMES),
        text(),
    )


def year() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(2020, 2030).map(str), st.sampled_from(["1", "9999", "0", "10000"]), integer()
    )


def _known(values: list[str]) -> st.SearchStrategy[str]:
    if not values:
        return text()
    picked = st.sampled_from(values)
    return st.one_of(picked, picked, picked.map(lambda v: f" {v.upper()} "), text())


def _paths(ctx: Ctx) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(ctx.paths()), text())


# A work size: a value that sets how much work a command does (demo tickets) is drawn from
# what finishes in a test; the huge ones are in tests/fuzz/known.py until refused.
SIZE = st.one_of(st.integers(-3, 12).map(str), st.sampled_from(["", "x", "1.5", "-99999999999999999999"]))


def value(action: argparse.Action, ctx: Ctx, command: str) -> st.SearchStrategy[str]:
    """A value for one option or positional, steered by its choices, type and name."""
    name = (action.dest or "").lower()
    meta = str(action.metavar or "").upper()
    if action.choices is not None:
        return st.one_of(st.sampled_from([str(c) for c in action.choices]), text())
    if name == "tickets" or (name == "seed" and command == "demo"):
        return SIZE
    if name == "year":
        return year()
    if action.type is int:
        return integer()
    if action.type is float:
        return number()
    if action.type is dt.date.fromisoformat or meta == "DATE":
        return date()
    if meta == "ISO" or name in ("clock", "timestamp", "timestamps", "agreed_update"):
        return instant()
    if meta in ("FILE", "DIR") or name in ("file", "csv", "out", "policy"):
        return _paths(ctx)
    if meta == "NUMBER" or name in ("number", "follow_up_of"):
        return _known(ctx.numbers)
    if meta == "LOGIN" or name in ("login", "as_login", "engineer"):
        return _known(ctx.logins)
    if name == "ref":
        return _known(ctx.refs)
    if name == "reseller":
        return _known(ctx.resellers)
    if name == "priority":
        return st.one_of(st.sampled_from(["P1", "P2", "P3", "p2", "P9"]), text())
    if name == "country":
        return st.one_of(st.sampled_from(["GB", "IE", "gb", "FR"]), text())
    if name in ("email", "sender"):
        return st.one_of(st.sampled_from(["desk@acme.example", "a@b", "not an address"]), text())
    if name == "host":
        # Never a name to look up: a DNS query for a random name can take a long time.
        return st.sampled_from(["127.0.0.1", "localhost", "::1", "", " ", "\x00", "x" * 300, "a b"])
    if name == "summary":
        return st.one_of(st.text(min_size=1, max_size=40), text(), st.just("s" * 131_073))
    return st.one_of(st.text(min_size=1, max_size=40), text())


def _takes_value(action: argparse.Action) -> bool:
    return action.nargs != 0


@st.composite
def command_line(draw: st.DrawFn, leaf: Leaf, ctx: Ctx) -> list[str]:
    """`deskapp --db URL [GLOBALS] WORDS [OPTIONS] [POSITIONALS]` for one command."""
    command = leaf.words[0] if leaf.words else ""
    argv = ["--db", ctx.url]
    for action in leaf.global_actions():
        if action.dest in ("db", "version", "self_test"):
            continue
        often = action.dest == "as_login"  # most commands need someone acting
        if draw(st.integers(0, 4)) != 0 if often else draw(st.integers(0, 3)) == 0:
            opt = action.option_strings[-1]
            argv += [opt, draw(value(action, ctx, command))] if _takes_value(action) else [opt]
    argv += list(leaf.words)
    positionals: list[str] = []
    groups: dict[int, bool] = {}
    for each in leaf.parser._mutually_exclusive_groups:
        groups[id(each)] = False
    for action in leaf.actions():
        if not action.option_strings:
            count = 1
            if action.nargs in ("+", "*"):
                count = draw(st.integers(1 if action.nargs == "+" else 0, 3))
            elif isinstance(action.nargs, int):
                count = action.nargs
            positionals += [draw(value(action, ctx, command)) for _ in range(count)]
            continue
        group = next((g for g in leaf.parser._mutually_exclusive_groups if action in g._group_actions), None)
        # A work size with a large default (screenshots' demo tickets) is always drawn small.
        big = action.dest == "tickets" and isinstance(action.default, int) and action.default > 12
        wanted = action.required or big or draw(st.integers(0, 2)) == 0
        if group is not None:
            if groups[id(group)] and draw(st.integers(0, 9)):
                continue  # mostly one option of an exclusive group; now and then two
            if group.required and not groups[id(group)] and action is group._group_actions[-1]:
                wanted = True
        if not wanted:
            continue
        if group is not None:
            groups[id(group)] = True
        opt = draw(st.sampled_from(action.option_strings))
        if _takes_value(action):
            argv += [opt, draw(value(action, ctx, command))]
        else:
            argv.append(opt)
    if positionals and draw(st.integers(0, 5)) == 0:
        argv.append("--")  # a value that starts with '-' reaches the positional
    # A real argv cannot carry NUL (the OS passes C strings); files and stdin can, and do.
    return [a.replace("\x00", "") for a in (*argv, *positionals)]
