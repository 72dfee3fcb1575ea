"""The fuzz suite at a larger scale, for the figures: inputs tried, tracebacks, unnamed errors.

Runs what tests/fuzz runs (every command of the argparse parser, every file the
app reads) with more examples, and reports instead of failing at the first
problem:

    inputs tried: N, tracebacks: N (must be 0), errors that did not name what was wrong: N

then one example of each distinct problem (by exception and where it was raised,
or by the command for an unnamed error), with how often it was seen. Inputs of
tests/fuzz/known.py (being fixed on another branch) are counted apart while their
example still fails.

    python3 bench/fuzz_figures.py [--examples N] [--pg-examples N] [--files-examples N]
                                  [--only WORDS] [--skip WORDS] [--no-postgres] [--show N]

PostgreSQL comes from DESKAPP_TEST_PG_URL (a schema of its own, dropped after).
Exit status 0 when there was no traceback and no unnamed error, else 1.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _isolate(home: Path) -> None:
    for name in ("DATA", "CONFIG", "CACHE", "STATE"):
        os.environ[f"XDG_{name}_HOME"] = str(home / name.lower())
    os.environ["DESKAPP_LOG_DIR"] = str(home / "logs")
    os.environ["DESKAPP_TEMPLATE_DIR"] = str(home / "templates")
    for name in ("DESKAPP_DB", "DESKAPP_PASSWORD", "DESKAPP_NEW_PASSWORD"):
        os.environ.pop(name, None)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--examples", type=int, default=150, help="per command on SQLite (default 150)")
    ap.add_argument("--pg-examples", type=int, default=40, help="per command on PostgreSQL (default 40)")
    ap.add_argument("--files-examples", type=int, default=150, help="per file kind (default 150)")
    ap.add_argument("--only", help="only commands whose words start so, e.g. 'ticket'")
    ap.add_argument("--skip", default="", help="commands to leave out, comma-separated, e.g. screenshots")
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--show", type=int, default=30, help="distinct problems to show (default 30)")
    opts = ap.parse_args(argv)

    home = Path(tempfile.mkdtemp(prefix="deskapp-fuzz-"))
    _isolate(home)

    from tests.fuzz import files
    from tests.fuzz.desks import make_desk, pg_schema
    from tests.fuzz.figures import FIGURES, Tally
    from tests.fuzz.harness import leaves
    from tests.fuzz.runner import fuzz_command

    tally = Tally()
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        desks = {"sqlite": make_desk(f"sqlite:///{home / 'desk.sqlite3'}", home / "sqlite")}
        if not opts.no_postgres:
            desks["postgres"] = make_desk(stack.enter_context(pg_schema()), home / "pg")
        old = Path.cwd()
        for leaf in leaves():
            if opts.only and not leaf.name.startswith(opts.only):
                continue
            if any(w and leaf.name.startswith(w) for w in opts.skip.split(",")):
                continue
            for backend, ctx in desks.items():
                n = opts.examples if backend == "sqlite" else opts.pg_examples
                n = min(n, 10) if leaf.words[0] == "screenshots" else n  # seconds an example
                os.chdir(ctx.folder)
                t0 = time.monotonic()
                fuzz_command(leaf, ctx, n, tally.record)
                print(f"  {leaf.name} ({backend}): {time.monotonic() - t0:.1f} s", file=sys.stderr)
        os.chdir(old)
        if not opts.only:
            for name in files.CHECKS:
                for backend, ctx in desks.items():
                    n = opts.files_examples if backend == "sqlite" else opts.pg_examples
                    if backend != "sqlite" and not files.NEEDS_DESK[name]:
                        continue
                    t0 = time.monotonic()
                    folder = home / f"files-{name}-{backend}"
                    folder.mkdir(parents=True, exist_ok=True)
                    os.chdir(folder)
                    files.fuzz_file(name, ctx, n, tally.record, folder)
                    print(f"  file {name} ({backend}): {time.monotonic() - t0:.1f} s", file=sys.stderr)
            os.chdir(old)

    print(f"fuzzed for {time.monotonic() - started:.0f} s")
    print(FIGURES.line())
    for line in tally.lines(opts.show):
        print(line)
    return 0 if FIGURES.tracebacks == 0 and FIGURES.unnamed == 0 and FIGURES.other == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
