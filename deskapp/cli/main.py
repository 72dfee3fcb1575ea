"""Parse the command line and dispatch; errors become messages, never tracebacks."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from deskapp import __version__
from deskapp.cli import sla_commands
from deskapp.domain.lifecycle import DeskError
from deskapp.domain.policy import PolicyError
from deskapp.logs import setup_logging
from deskapp.user_cache import use_holiday_cache

# Commands that need neither the store nor Qt. Scripts call `deskapp sla due`
# many times; they should not pay for importing peewee and the services
# (about half a second) to compute a due time.
LIGHT_COMMANDS = frozenset({"sla", "calendar"})
_OPTIONS_WITH_VALUES = frozenset({"--policy", "--db", "--clock", "--as"})


def command_word(argv: Sequence[str]) -> str | None:
    """The command named on a command line (the first word that is not an option)."""
    words = iter(argv)
    for word in words:
        if word in _OPTIONS_WITH_VALUES:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def build_parser(*, light: bool = False) -> argparse.ArgumentParser:
    """Every command, or (`light`) only the store-free ones."""
    parser = argparse.ArgumentParser(
        prog="deskapp",
        description="Service-desk client. With no command, starts the desktop app.",
    )
    parser.add_argument("--version", action="store_true", help="print versions and exit")
    parser.add_argument("--self-test", action="store_true", help="check this build headless and exit")
    parser.add_argument("--policy", metavar="FILE", help="a policy file instead of the default")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="sqlite:////path or postgresql://... "
        "(default: DESKAPP_DB, else the app's saved database, else the file in the user data folder)",
    )
    parser.add_argument("--clock", metavar="ISO", help="act at this instant (training only)")
    parser.add_argument("--as", dest="as_login", metavar="LOGIN", help="the acting staff member")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sla_commands.add_parsers(sub)
    if not light:
        from deskapp.cli import mail_commands, report_commands, store_commands, ticket_commands
        from deskapp.gui import screenshots

        store_commands.add_parsers(sub)
        ticket_commands.add_parsers(sub)
        report_commands.add_parsers(sub)
        mail_commands.add_parsers(sub)
        screenshots.add_parsers(sub)
    return parser


def print_versions(args: argparse.Namespace) -> int:
    """deskapp's version, Qt's, and the database it would open (password hidden)."""
    from deskapp.cli.session import database_url
    from deskapp.store.connection import redact

    try:
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        qt = f"Qt {qVersion()} (PySide6 {pyside_version})"
    except ImportError as exc:  # a broken install should still say what it is
        qt = f"Qt not available ({exc})"
    print(f"deskapp {__version__}")
    print(qt)
    print(f"database {redact(database_url(args.db))}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    use_holiday_cache()
    parser = build_parser(light=command_word(args_list) in LIGHT_COMMANDS)
    args = parser.parse_args(args_list)
    for position, word in enumerate(args_list):
        if not _is_utf8(word):
            print(
                f"deskapp: {_argument_name(parser, args, args_list, position)} is not valid UTF-8 text",
                file=sys.stderr,
            )
            return 2
    setup_logging()
    if args.version:
        return print_versions(args)
    if args.self_test:
        from deskapp.selftest import run_self_test

        return run_self_test()
    if args.command is None:
        from deskapp.gui.launch import run_gui

        return run_gui(args)
    if args.policy and not policy_applies(args):
        print(
            f"deskapp: --policy does not apply to `deskapp {command_name(args)}`: it computes no "
            "due time and applies no rule (give --policy to ticket, rules, report, sla, calendar, "
            "mail ticket-number or the app)",
            file=sys.stderr,
        )
        return 2
    try:
        return int(args.handler(args))
    except DeskError as exc:
        print(f"deskapp: {exc}", file=sys.stderr)
        return 1
    except PolicyError as exc:
        print(f"deskapp: {exc}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:
        # Text stored in the database that is not UTF-8: a damaged file or not a desk.
        print(
            f"deskapp: database {_which_database(args)} holds text that is not UTF-8 ({exc.reason} "
            f"at byte {exc.start}): the file is damaged or not a desk; restore it from a backup",
            file=sys.stderr,
        )
        return 1
    except ValueError as exc:
        print(f"deskapp: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if not _database_error(exc):
            raise
        print(
            f"deskapp: database {_which_database(args)}: {str(exc).strip()[:300]}{_hint(exc)}",
            file=sys.stderr,
        )
        return 1


def _argument_name(
    parser: argparse.ArgumentParser, args: argparse.Namespace, words: list[str], position: int
) -> str:
    """Which input a word that is not UTF-8 is: the option it follows, else the
    positional it became (its metavar), else its place; with its bytes shown."""
    word = words[position]
    shown = word.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")[:60]
    shown_raw = word.encode("utf-8", "backslashreplace").decode("ascii", "replace")[:60]
    before = words[position - 1] if position else ""
    if before.startswith("--") and "=" not in before:
        return f"the value of {before} ({shown}, {shown_raw})"
    if word.startswith("--"):
        return f"the option {shown}"
    for key, value in vars(args).items():
        if value == word or (isinstance(value, list) and word in value):
            return f"{_metavars(parser).get(key, key.upper())} ({shown}, {shown_raw})"
    return f"argument {position + 1} ({shown})"


def _metavars(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Each positional's name as the usage shows it (its metavar), over every command."""
    names: dict[str, str] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                for dest, metavar in _metavars(sub).items():
                    names.setdefault(dest, metavar)
        elif not action.option_strings and isinstance(action.metavar, str):
            names.setdefault(action.dest, action.metavar)
    return names


def _is_utf8(word: str) -> bool:
    # Bytes that are not UTF-8 reach Python as lone surrogates (PEP 383), which no
    # database, file or terminal can take: refuse them here, naming the argument.
    try:
        word.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _which_database(args: argparse.Namespace) -> str:
    from deskapp.cli.session import database_url
    from deskapp.store.connection import redact

    return redact(database_url(getattr(args, "db", None)))


def _hint(exc: Exception) -> str:
    text = str(exc)
    if "malformed" in text or "not a database" in text:
        return " (the file is damaged or not a desk: restore it from a backup)"
    return ""


# Commands whose due times, rules or messages follow the policy: --policy applies to
# them; any other command refuses it rather than silently ignoring it.
_POLICY_COMMANDS = frozenset({"sla", "calendar", "ticket", "rules", "report"})
_POLICY_SUBCOMMANDS = frozenset({("mail", "ticket-number")})


def command_name(args: argparse.Namespace) -> str:
    sub = next((v for k, v in vars(args).items() if k.endswith("_command") and isinstance(v, str)), None)
    return f"{args.command} {sub}" if sub else str(args.command)


def policy_applies(args: argparse.Namespace) -> bool:
    if args.command in _POLICY_COMMANDS:
        return True
    return (args.command, getattr(args, f"{args.command}_command", None)) in _POLICY_SUBCOMMANDS


def _database_error(exc: Exception) -> bool:
    # Imported only here: a light command never loads peewee or the store.
    from peewee import PeeweeException

    from deskapp.store.migrations import SchemaError

    return isinstance(exc, SchemaError | PeeweeException)
