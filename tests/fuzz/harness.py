"""Run the command line in-process and judge what it did.

    run_cli(argv, stdin=b"") -> Outcome      what `deskapp ARGV` printed and returned
    problems(outcome, names) -> list[str]    what breaks the contract (empty: all well)
    leaves(parser) -> list[Leaf]              every command of the argparse parser

The contract (tests/fuzz/README and the issue): for any input, no traceback
(no uncaught exception, no "Traceback" on standard error), an exit status in
{0, 1, 2}, and an exit status 2 comes with a message that names what was wrong.

The run is as close to a real one as an in-process call can be: standard output
and error are UTF-8 text streams with the interpreter's own error handlers
(strict for output, backslashreplace for errors), so printing text that a
terminal could not take fails here as it would there. There is no terminal: a
password prompt reads a line from standard input, as getpass does without one.
Two things are bounded, and only those:
- the desktop app: a command line that would open the GUI records that it would
  and returns 0 (a window cannot be fuzzed from a shell);
- waiting: `time.sleep` called by a command's own loop (`rules run --watch`,
  `mail send --watch`) checks its argument as the real one does (nan, negative
  and too large still raise) and then, at the second wait, raises
  KeyboardInterrupt as a user's Ctrl-C would, so a watch ends after two passes.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import io
import math
import re
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from deskapp.cli.main import build_parser, main

EXIT_CODES = frozenset({0, 1, 2})
PREFIX = 8  # a message may quote only the first characters of a long value
LONG = 200  # and should: a message quotes no more than this of any value
_real_sleep = time.sleep


@dataclass
class Outcome:
    argv: list[str]
    code: int | None = None
    out: str = ""
    err: str = ""
    error: BaseException | None = None
    trace: str = ""
    opened_gui: bool = False
    interrupted: bool = False  # the bounded sleep played a Ctrl-C (exit 130 is then right)


@dataclass
class Names:
    """What an exit-2 message may name: options and positionals of the command, values
    given on the command line (or a prefix of them) and files the input involved."""

    options: set[str] = field(default_factory=set)
    metavars: set[str] = field(default_factory=set)
    values: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


class _BoundedSleep:
    def __init__(self) -> None:
        self.waits = 0

    def __call__(self, seconds: float) -> None:
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if not str(caller).startswith("deskapp."):
            _real_sleep(seconds)
            return
        if math.isnan(seconds) or seconds < 0 or seconds >= 1e10:
            _real_sleep(seconds)  # raises as the real call would (ValueError, OverflowError)
        self.waits += 1
        if self.waits >= 2:
            raise KeyboardInterrupt


def _prompt(prompt: str = "Password: ", stream: Any = None) -> str:
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\n")


@contextlib.contextmanager
def _streams(stdin: bytes) -> Iterator[dict[str, str]]:
    out_b, err_b = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_b, encoding="utf-8", errors="strict", write_through=True)
    err = io.TextIOWrapper(err_b, encoding="utf-8", errors="backslashreplace", write_through=True)
    inp = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8", errors="strict")
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = inp, out, err
    captured: dict[str, str] = {}
    try:
        yield captured
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
        for stream in (out, err):
            with contextlib.suppress(ValueError):
                stream.flush()
        captured["out"] = out_b.getvalue().decode("utf-8", "replace")
        captured["err"] = err_b.getvalue().decode("utf-8", "replace")


def run_cli(argv: Sequence[str], stdin: bytes = b"") -> Outcome:
    """`deskapp ARGV` in this process: its exit status, output, and any uncaught exception."""
    outcome = Outcome(list(argv))

    def gui(args: argparse.Namespace) -> int:
        outcome.opened_gui = True
        return 0

    sleep = _BoundedSleep()
    with (
        _streams(stdin) as captured,
        mock.patch("deskapp.gui.launch.run_gui", gui),
        mock.patch.object(time, "sleep", sleep),
        mock.patch.object(getpass, "getpass", _prompt),
    ):
        try:
            outcome.code = main(list(argv))
        except SystemExit as exc:  # argparse: 2 for a bad command line, 0 for --help
            code = exc.code
            outcome.code = code if isinstance(code, int) else (0 if code is None else 1)
            if not isinstance(code, int | None):
                print(code, file=sys.stderr)
        except BaseException as exc:
            outcome.error = exc
            outcome.trace = traceback.format_exc()
    outcome.out, outcome.err = captured["out"], captured["err"]
    outcome.interrupted = sleep.waits >= 2
    return outcome


# --- judging -------------------------------------------------------------------------------

_USAGE_CONT = re.compile(r"^\s")
_PROG = re.compile(r"^deskapp(?: [\w-]+)*: (?:error: )?")


def message_body(err: str) -> str:
    """Standard error without argparse's usage block and the `deskapp CMD: error:` prefix
    (the usage lists every option, and the prefix every command word: neither names
    what was wrong)."""
    lines: list[str] = []
    in_usage = False
    for line in err.splitlines():
        if line.startswith("usage:"):
            in_usage = True
            continue
        if in_usage and _USAGE_CONT.match(line):
            continue
        in_usage = False
        lines.append(_PROG.sub("", line))
    return "\n".join(lines)


def _word(body: str, token: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(token)}(?![\w])", body) is not None


def _forms(value: str) -> set[str]:
    low = value.strip().lower()
    forms = {value, value.strip(), low, repr(value)[1:-1], repr(low)[1:-1]}
    forms.add(value.encode("utf-8", "backslashreplace").decode("ascii", "replace"))
    return {f[:PREFIX] for f in forms if f.strip()}


def names_input(err: str, names: Names) -> bool:
    """Whether an error message names an option or positional of the command, a value
    that was given (a prefix is enough) or a file the input involved."""
    body = message_body(err)
    if not body.strip():
        return False
    if any(_word(body, o) for o in names.options):
        return True
    if any(_word(body, m) for m in names.metavars):
        return True
    for value in names.values:
        if not value.strip() and (
            re.search(r"''|\"\"|\bempty\b|\bblank\b", body) or (value and f" {value}:" in body)
        ):
            return True  # an empty value, quoted as such, or a blank one just before a colon
        for form in _forms(value):
            if len(form) >= 3 and form in body:
                return True
            if len(form) < 3 and _word(body, form):
                return True
    return any(f and f in body for f in names.files)


@dataclass(frozen=True)
class Problem:
    """One break of the contract: its kind, a key that tells like problems apart, and the detail."""

    # "traceback"; "unnamed" (exit 2 naming no input, or exit 1 saying nothing); "status" (an
    # exit status outside 0, 1, 2); "long" (an error quoting all of a long value)
    kind: str
    key: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.key}\n{self.detail}"


def _raised_at(trace: str) -> str:
    frames = re.findall(r'File "([^"]+)", line (\d+), in (\S+)', trace)
    ours = [f for f in frames if "/deskapp/" in f[0].replace("\\", "/")]
    file, line, func = (ours or frames or [("?", "?", "?")])[-1]
    return f"{file.replace(chr(92), '/').rsplit('/deskapp/', 1)[-1]}:{line} {func}"


def problems(outcome: Outcome, names: Names, command: str = "") -> list[Problem]:
    """What breaks the contract (empty: all well)."""
    where = f"argv={outcome.argv!r}\nstdout={outcome.out[-2000:]!r}\nstderr={outcome.err[-2000:]!r}"
    if outcome.error is not None:
        kind = type(outcome.error).__name__
        return [Problem("traceback", f"{kind} at {_raised_at(outcome.trace)}", f"{outcome.trace}\n{where}")]
    if "Traceback" in outcome.err:
        return [Problem("traceback", f"printed at {_raised_at(outcome.err)}", where)]
    long = [v for v in names.values if len(v) > LONG and v[:LONG] in outcome.err]
    if long:
        return [Problem("long", f"{command}: an error quotes all of a {len(long[0])}-character value", where)]
    if outcome.code not in EXIT_CODES and not (outcome.interrupted and outcome.code == 130):
        return [Problem("status", f"exit {outcome.code} from {command}", where)]
    if outcome.code == 1 and not (outcome.err.strip() or outcome.out.strip()):
        return [Problem("unnamed", f"{command}: exit 1 saying nothing", where)]
    if outcome.code == 2 and not names_input(outcome.err, names):
        first = next((ln for ln in message_body(outcome.err).splitlines() if ln.strip()), "")
        shape = re.sub(r"\d+", "N", first)[:70]
        return [Problem("unnamed", f"{command}: {shape}", where)]
    return []


# --- the parser ------------------------------------------------------------------------------


@dataclass
class Leaf:
    """A command: its words (`ticket assign`), its parser, and the global parser."""

    words: tuple[str, ...]
    parser: argparse.ArgumentParser
    top: argparse.ArgumentParser

    @property
    def name(self) -> str:
        return " ".join(self.words)

    def actions(self) -> list[argparse.Action]:
        if not self.words:
            return []
        return [
            a
            for a in self.parser._actions
            if not isinstance(a, argparse._HelpAction | argparse._SubParsersAction)
        ]

    def global_actions(self) -> list[argparse.Action]:
        return [
            a
            for a in self.top._actions
            if not isinstance(a, argparse._HelpAction | argparse._SubParsersAction)
        ]

    def names(self, argv: Sequence[str], files: Sequence[str] = ()) -> Names:
        n = Names(files=list(files))
        for action in [*self.actions(), *self.global_actions()]:
            n.options.update(action.option_strings)
            if not action.option_strings:
                n.metavars.add(str(action.metavar or action.dest))
        words = list(self.words)
        for word in argv:
            if words and word == words[0]:
                words.pop(0)
            elif word not in n.options:
                n.values.append(word)
                if word.startswith("sqlite:///"):  # a message names the file, not the URL
                    n.files.append(word.removeprefix("sqlite:///"))
        return n


def leaves(parser: argparse.ArgumentParser | None = None) -> list[Leaf]:
    """Every command the parser knows, found by walking its subparsers (aliases once)."""
    top = parser or build_parser()
    found: list[Leaf] = []
    seen: set[int] = set()

    def walk(p: argparse.ArgumentParser, words: tuple[str, ...]) -> None:
        subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            found.append(Leaf(words, p, top))
            return
        for sub in subs:
            for name, child in sub.choices.items():
                if id(child) not in seen:
                    seen.add(id(child))
                    walk(child, (*words, name))

    walk(top, ())
    return found


_LEAVES: list[Leaf] = []


def leaf_for(argv: Sequence[str]) -> Leaf | None:
    """The command a command line runs (its longest known run of command words)."""
    if not _LEAVES:
        _LEAVES.extend(leaves())
    words: list[str] = []
    it = iter(argv)
    for word in it:
        if word in ("--db", "--policy", "--clock", "--as"):
            next(it, None)
        elif not word.startswith("-"):
            words.append(word)
    if not words:  # `deskapp --version`, or the desktop app
        top = _LEAVES[0].top
        return Leaf((), top, top)
    best = [leaf for leaf in _LEAVES if list(leaf.words) == words[: len(leaf.words)]]
    return max(best, key=lambda leaf: len(leaf.words), default=None)
