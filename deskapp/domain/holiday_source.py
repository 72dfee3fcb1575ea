"""Where the business calendar gets its public holidays: the `holidays` library, optionally
through a small file kept between runs.

The library's package imports every country's calendar when any one is asked for: about
a fifth of a second, a sixth of the desktop app's launch. The desk needs a few dozen
dates. So the desktop app and the command line call `use_cache` with a file in the user
cache folder, and read the library only for a calendar or year the file does not hold.
The file is keyed by the library's version: after an upgrade of `holidays` it is read
afresh. A file that cannot be read or written is ignored (the library answers); it is
never the reason something fails. Without `use_cache` (tests, scripts importing
`deskapp.sla`) the library answers every time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

FORMAT = 1
CHECK_YEAR = 2000  # any year will do to ask the library whether a calendar exists

_lock = threading.Lock()
_path: Path | None = None
_file: dict[str, Any] | None = None  # the file's content once read: {"calendars": {key: {year: {iso: name}}}}
_version: str | None = None


def use_cache(path: Path | None) -> None:
    """Keep what the library says in the file `path` (None: ask the library every time)."""
    global _path, _file, _version
    with _lock:
        _path, _file, _version = path, None, None


def holiday_names(country: str, subdiv: str | None, years: Iterable[int]) -> dict[dt.date, str]:
    """The public holidays of a calendar in `years`, by date; a name may join several with "; ".

    Raises as the library does for an unknown calendar: NotImplementedError for the
    country, another exception for the subdivision."""
    wanted = sorted(set(years))
    with _lock:
        calendar = _cached_calendar(country, subdiv)
        if calendar is not None and all(str(y) in calendar for y in wanted):
            days = (item for y in wanted for item in calendar[str(y)].items())
            return {dt.date.fromisoformat(day): name for day, name in days}
    by_year = _from_library(country, subdiv, wanted)
    with _lock:
        _remember(country, subdiv, by_year)
    return {day: name for found in by_year.values() for day, name in found.items()}


def check_calendar(country: str, subdiv: str | None) -> None:
    """Raise as `holiday_names` does if the library has no such calendar."""
    with _lock:
        if _cached_calendar(country, subdiv):
            return  # the library answered for it before, at this version
    holiday_names(country, subdiv, [CHECK_YEAR])


# --- the library ------------------------------------------------------------------------


def _from_library(country: str, subdiv: str | None, years: list[int]) -> dict[int, dict[dt.date, str]]:
    """What the library gives for each year asked on its own (an observed day may fall in
    another year); together, exactly what it gives for all of them at once."""
    import holidays  # here: a cached calendar never pays for importing it

    by_year = {}
    for year in years:
        found = holidays.country_holidays(country, subdiv=subdiv, years=year)
        by_year[year] = {day: str(name) for day, name in found.items()}
    return by_year


def _library_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("holidays")
    except PackageNotFoundError:  # e.g. a frozen build without the metadata: no file
        return None


# --- the file (callers hold _lock) ------------------------------------------------------


def _key(country: str, subdiv: str | None) -> str:
    return f"{country}/{subdiv or ''}"


def _calendars() -> dict[str, Any] | None:
    """The cached calendars, read from the file on first use; None when not caching."""
    global _file, _version
    if _path is None:
        return None
    if _file is None:
        _version = _library_version()
        if _version is None:
            return None
        _file = {"format": FORMAT, "holidays": _version, "calendars": {}}
        try:
            content = json.loads(_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            content = None  # none yet, or damaged: start afresh
        if (
            isinstance(content, dict)
            and content.get("format") == FORMAT
            and content.get("holidays") == _version
            and isinstance(content.get("calendars"), dict)
        ):
            _file = content
    calendars: dict[str, Any] = _file["calendars"]
    return calendars


def _cached_calendar(country: str, subdiv: str | None) -> dict[str, dict[str, str]] | None:
    calendars = _calendars()
    if calendars is None:
        return None
    calendar = calendars.get(_key(country, subdiv))
    return calendar if isinstance(calendar, dict) else None


def _remember(country: str, subdiv: str | None, by_year: dict[int, dict[dt.date, str]]) -> None:
    calendars = _calendars()
    if calendars is None or _path is None:
        return
    calendar = calendars.setdefault(_key(country, subdiv), {})
    for year, found in by_year.items():
        calendar[str(year)] = {day.isoformat(): name for day, name in sorted(found.items())}
    try:
        _path.parent.mkdir(parents=True, exist_ok=True)
        partial = _path.with_name(f"{_path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        partial.write_text(json.dumps(_file, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        os.replace(partial, _path)  # whole or not at all, even with two processes writing
    except OSError:
        pass  # a read-only or full disk: the library answers next time too
