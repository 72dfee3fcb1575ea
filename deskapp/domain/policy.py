"""The contract as data: load and validate a policy file.

Every number the SLA engine and the rules use comes from here, so a desk
with another contract edits `resources/policy/default-policy.toml`, not code.
A malformed file raises `PolicyError` naming the key and what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from deskapp.domain.time_range import quote

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CLOCKS = ("24x7", "business")
CHANNELS = ("phone", "email", "helpcentre")
NEXT_BUSINESS_DAY = "next_business_day"
# process.auto_resolved_at: what an automatically resolved ticket's resolved_at is.
AutoResolvedAt = Literal["limit", "rule_pass"]
AUTO_RESOLVED_AT: tuple[AutoResolvedAt, ...] = ("limit", "rule_pass")
_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*$")


# The longest a target or a number of days may be: far more than any contract needs, and
# short enough that every due time stays inside the span of years deskapp works with.
MAX_TARGET_HOURS = 1000
MAX_DAYS = 366


class PolicyError(ValueError):
    """A policy file that cannot be used; `key` is the dotted path at fault."""

    def __init__(self, key: str, problem: str, source: str | None = None) -> None:
        self.key = key
        self.problem = problem
        self.source = source
        where = f" in {_shown_path(source)}" if source else ""
        super().__init__(f"policy{where}: {key}: {problem}")


def _shown_path(path: str, limit: int = 160) -> str:
    # A path of hundreds of characters would bury the problem; its ends say which file.
    # Control characters are escaped: raw, they would break the message's lines.
    if not path.isprintable():
        path = repr(path)[1:-1]
    return path if len(path) <= limit else f"{path[:90]}…{path[-60:]}"


@dataclass(frozen=True)
class HolidayCalendar:
    country: str
    subdiv: str | None = None

    @property
    def label(self) -> str:
        return f"{self.country}-{self.subdiv}" if self.subdiv else self.country


@dataclass(frozen=True)
class Priority:
    code: str
    name: str
    meaning: str
    impact: str
    channels: tuple[str, ...]
    clock: str  # "24x7" or "business"
    target: dt.timedelta | None  # None means next business day
    next_business_day: bool = False

    @property
    def wall_clock(self) -> bool:
        return self.clock == "24x7"


@dataclass(frozen=True)
class Policy:
    version: str
    timezone: str
    open_time: dt.time
    close_time: dt.time
    business_weekdays: frozenset[int]  # Monday == 0
    calendars: tuple[HolidayCalendar, ...]
    closures: Mapping[dt.date, str]
    removed: frozenset[dt.date]
    priorities: Mapping[str, Priority]
    at_risk_fraction: float
    awaiting_info_limit_days: int
    chaser_interval_days: int
    reopen_window_days: int
    # Choices SLA-RULES.md leaves open (see the [process] table of the default file);
    # these defaults are the desk's behaviour before they were settings.
    chaser_restarts_auto_resolve: bool = False
    agreed_update_moves_auto_resolve: bool = False
    auto_resolved_at: AutoResolvedAt = "limit"
    # Who may change a ticket's priority after logging (role names of
    # deskapp.domain.lifecycle.Role); and how alike two summaries must be (0-1) for
    # intake to warn of a possible duplicate.
    reprioritise_roles: tuple[str, ...] = ("tier2", "lead")
    duplicate_similarity: float = 0.6
    # [mail]: inbound mail. Larger attachments are kept as a note, not stored.
    max_attachment_bytes: int = 10 * 1024 * 1024
    # The number an emailed P1 is told to ring (a P1 is raised by phone only).
    p1_phone: str = "the desk's support line"
    source: str | None = field(default=None, compare=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def business_day_length(self) -> dt.timedelta:
        day = dt.date(2000, 1, 3)
        return dt.datetime.combine(day, self.close_time) - dt.datetime.combine(day, self.open_time)

    def priority(self, code: str) -> Priority:
        try:
            return self.priorities[code.upper()]
        except KeyError:
            known = ", ".join(self.priorities)
            raise ValueError(f"unknown priority {quote(code)} (known: {known})") from None

    def suggested_priority(self, impact: str) -> str:
        for code, prio in self.priorities.items():
            if prio.impact == impact:
                return code
        raise ValueError(f"no priority is suggested for impact {impact!r}")

    @property
    def impacts(self) -> tuple[str, ...]:
        return tuple(p.impact for p in self.priorities.values())


# --- loading -----------------------------------------------------------------


def load_policy(path: str | Path) -> Policy:
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError("(file)", f"cannot be read: {exc.strerror or exc}", source) from None
    except UnicodeDecodeError as exc:
        raise PolicyError(
            "(file)", f"is not UTF-8 text (byte {exc.start + 1} cannot be read)", source
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError("(file)", f"is not valid TOML: {exc}", source) from None
    except RecursionError:  # tomllib recurses once a level: 5,000 nested [[[ or {x={
        raise PolicyError("(file)", "nests arrays or tables too deeply to be a policy", source) from None
    return parse_policy(data, source)


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    # Imported here so the domain stays importable without the package's
    # resource layout (e.g. from a test that builds its own policy).
    from deskapp.resources import default_policy_path

    return load_policy(default_policy_path())


def parse_policy(data: Mapping[str, Any], source: str | None = None) -> Policy:
    r = _Reader(data, source)
    version = r.string("version")
    timezone = r.string("timezone")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise PolicyError("timezone", f"unknown time zone {timezone!r}", source) from None

    open_time = r.clock_time("business_hours.open")
    close_time = r.clock_time("business_hours.close")
    if close_time <= open_time:
        raise PolicyError("business_hours.close", "must be later than business_hours.open", source)
    days = r.string_list("business_hours.days")
    weekdays = set()
    for i, day in enumerate(days):
        if day not in WEEKDAYS:
            raise PolicyError(f"business_hours.days[{i}]", f"{day!r} is not one of {WEEKDAYS}", source)
        weekdays.add(WEEKDAYS.index(day))
    if not weekdays:
        raise PolicyError("business_hours.days", "names no business day", source)

    calendars = []
    for i, entry in enumerate(r.table_list("holidays.calendars")):
        key = f"holidays.calendars[{i}]"
        country = entry.get("country")
        if not isinstance(country, str) or not country:
            raise PolicyError(f"{key}.country", "must be a country code such as 'GB'", source)
        subdiv = entry.get("subdiv")
        if subdiv is not None and not isinstance(subdiv, str):
            raise PolicyError(f"{key}.subdiv", "must be a text such as 'ENG'", source)
        cal = HolidayCalendar(country.upper(), subdiv)
        _check_calendar_exists(cal, key, source)
        calendars.append(cal)

    closures: dict[dt.date, str] = {}
    for i, entry in enumerate(r.table_list("holidays.closures", required=False)):
        key = f"holidays.closures[{i}]"
        closures[_date(entry.get("date"), f"{key}.date", source)] = str(entry.get("name") or "Desk closure")
    removed = frozenset(
        _date(value, f"holidays.removed[{i}]", source)
        for i, value in enumerate(r.list_("holidays.removed", required=False))
    )

    priorities: dict[str, Priority] = {}
    table = r.table("priorities")
    if not table:
        raise PolicyError("priorities", "names no priority", source)
    for code, entry in table.items():
        priorities[code.upper()] = _priority(code.upper(), entry, source)
    impacts = [p.impact for p in priorities.values()]
    if len(set(impacts)) != len(impacts):
        raise PolicyError("priorities", "two priorities claim the same impact", source)

    fraction = r.number("sla.at_risk_fraction")
    if not 0 < fraction < 1:
        raise PolicyError("sla.at_risk_fraction", "must be between 0 and 1", source)

    return Policy(
        version=version,
        timezone=timezone,
        open_time=open_time,
        close_time=close_time,
        business_weekdays=frozenset(weekdays),
        calendars=tuple(calendars),
        closures=closures,
        removed=removed,
        priorities=priorities,
        at_risk_fraction=float(fraction),
        awaiting_info_limit_days=r.positive_int("process.awaiting_info_limit_business_days"),
        chaser_interval_days=r.positive_int("process.chaser_interval_business_days"),
        reopen_window_days=r.positive_int("process.reopen_window_calendar_days"),
        chaser_restarts_auto_resolve=r.boolean(
            "process.chaser_restarts_auto_resolve", Policy.chaser_restarts_auto_resolve
        ),
        agreed_update_moves_auto_resolve=r.boolean(
            "process.agreed_update_moves_auto_resolve", Policy.agreed_update_moves_auto_resolve
        ),
        auto_resolved_at=cast(
            AutoResolvedAt,
            r.choice("process.auto_resolved_at", AUTO_RESOLVED_AT, Policy.auto_resolved_at),
        ),
        reprioritise_roles=_roles(r, "process.reprioritise_roles", Policy.reprioritise_roles, source),
        duplicate_similarity=_fraction(r, "process.duplicate_similarity", Policy.duplicate_similarity),
        max_attachment_bytes=r.optional_int(
            "mail.max_attachment_bytes", Policy.max_attachment_bytes, 2**31 - 1
        ),
        p1_phone=r.optional_string("mail.p1_phone", Policy.p1_phone),
        source=source,
    )


ROLE_NAMES = ("tier1", "tier2", "lead", "admin")


def _roles(r: _Reader, dotted: str, default: tuple[str, ...], source: str | None) -> tuple[str, ...]:
    if r._get(dotted, required=False) is None:
        return default
    roles = tuple(r.string_list(dotted))
    for i, role in enumerate(roles):
        if role not in ROLE_NAMES:
            raise PolicyError(f"{dotted}[{i}]", f"{role!r} is not one of {ROLE_NAMES}", source)
    if not roles:
        raise PolicyError(dotted, "names no role: someone must be able to do it", source)
    return roles


def _fraction(r: _Reader, dotted: str, default: float) -> float:
    if r._get(dotted, required=False) is None:
        return default
    value = r.number(dotted)
    if not 0 < value <= 1:
        raise r._fail(dotted, f"must be more than 0 and at most 1, not {value!r}")
    return value


def _priority(code: str, entry: Any, source: str | None) -> Priority:
    key = f"priorities.{code}"
    if not isinstance(entry, Mapping):
        raise PolicyError(key, "must be a table", source)
    r = _Reader(entry, source, prefix=key + ".")
    channels = tuple(r.string_list("channels"))
    for i, channel in enumerate(channels):
        if channel not in CHANNELS:
            raise PolicyError(f"{key}.channels[{i}]", f"{channel!r} is not one of {CHANNELS}", source)
    clock = r.string("clock")
    if clock not in CLOCKS:
        raise PolicyError(f"{key}.clock", f"must be one of {CLOCKS}, not {clock!r}", source)
    target_text = r.string("target")
    target: dt.timedelta | None
    if target_text == NEXT_BUSINESS_DAY:
        if clock != "business":
            raise PolicyError(f"{key}.target", "next_business_day needs clock = 'business'", source)
        target = None
    else:
        target = _duration(target_text, f"{key}.target", source)
    return Priority(
        code=code,
        name=r.string("name"),
        meaning=r.string("meaning"),
        impact=r.string("impact"),
        channels=channels,
        clock=clock,
        target=target,
        next_business_day=target is None,
    )


def _check_calendar_exists(cal: HolidayCalendar, key: str, source: str | None) -> None:
    from deskapp.domain.holiday_source import check_calendar

    try:
        check_calendar(cal.country, cal.subdiv)
    except NotImplementedError:
        raise PolicyError(f"{key}.country", f"no holiday calendar for {cal.country!r}", source) from None
    except Exception as exc:  # holidays raises plain errors for a bad subdivision
        raise PolicyError(f"{key}.subdiv", str(exc), source) from None


def _duration(text: str, key: str, source: str | None) -> dt.timedelta:
    match = _DURATION.match(text)
    if not text.strip() or not match or not any(match.groups()):
        raise PolicyError(key, f"{text!r} is not a duration like '4h', '90m' or 'next_business_day'", source)
    hours, minutes = (int(g or 0) for g in match.groups())
    if hours * 60 + minutes > MAX_TARGET_HOURS * 60:
        raise PolicyError(
            key, f"{text[:20]!r} is longer than the longest target, {MAX_TARGET_HOURS}h", source
        )
    value = dt.timedelta(hours=hours, minutes=minutes)
    if value <= dt.timedelta(0):
        raise PolicyError(key, "must be longer than zero", source)
    return value


def _date(value: Any, key: str, source: str | None) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise PolicyError(key, f"{quote(value)} is not a date like 2026-12-31", source)


class _Reader:
    """Typed access to nested keys, raising PolicyError with the full key."""

    def __init__(self, data: Mapping[str, Any], source: str | None, prefix: str = "") -> None:
        self.data = data
        self.source = source
        self.prefix = prefix

    def _get(self, dotted: str, required: bool = True) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, Mapping) or part not in node:
                if required:
                    raise PolicyError(self.prefix + dotted, "is missing", self.source)
                return None
            node = node[part]
        return node

    def _fail(self, dotted: str, problem: str) -> PolicyError:
        return PolicyError(self.prefix + dotted, problem, self.source)

    def string(self, dotted: str) -> str:
        value = self._get(dotted)
        if not isinstance(value, str) or not value.strip():
            raise self._fail(dotted, f"must be a non-empty text, not {quote(value)}")
        return value

    def number(self, dotted: str) -> float:
        value = self._get(dotted)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(dotted, f"must be a number, not {quote(value)}")
        return float(value)

    def boolean(self, dotted: str, default: bool) -> bool:
        """An optional true/false key: `default` when the file leaves it out."""
        value = self._get(dotted, required=False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self._fail(dotted, f"must be true or false, not {quote(value)}")
        return value

    def choice(self, dotted: str, allowed: tuple[str, ...], default: str) -> str:
        """An optional key naming one of `allowed`: `default` when the file leaves it out."""
        value = self._get(dotted, required=False)
        if value is None:
            return default
        if value not in allowed:
            names = " or ".join(repr(a) for a in allowed)
            raise self._fail(dotted, f"must be {names}, not {quote(value)}")
        return str(value)

    def positive_int(self, dotted: str, maximum: int = MAX_DAYS) -> int:
        value = self._get(dotted)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
            raise self._fail(dotted, f"must be a whole number from 1 to {maximum}, not {str(value)[:30]}")
        return value

    def optional_int(self, dotted: str, default: int, maximum: int) -> int:
        """An optional whole number from 1 to `maximum`: `default` when the file leaves it out."""
        if self._get(dotted, required=False) is None:
            return default
        return self.positive_int(dotted, maximum)

    def optional_string(self, dotted: str, default: str) -> str:
        """An optional non-empty text: `default` when the file leaves it out."""
        if self._get(dotted, required=False) is None:
            return default
        return self.string(dotted).strip()

    def clock_time(self, dotted: str) -> dt.time:
        value = self._get(dotted)
        if isinstance(value, dt.time):
            return value
        if isinstance(value, str):
            try:
                return dt.time.fromisoformat(value)
            except ValueError:
                pass
        raise self._fail(dotted, f"must be a time like '08:00', not {quote(value)}")

    def list_(self, dotted: str, required: bool = True) -> list[Any]:
        value = self._get(dotted, required)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._fail(dotted, "must be a list")
        return value

    def string_list(self, dotted: str) -> list[str]:
        values = self.list_(dotted)
        for i, value in enumerate(values):
            if not isinstance(value, str):
                raise self._fail(f"{dotted}[{i}]", f"must be a text, not {quote(value)}")
        return values

    def table_list(self, dotted: str, required: bool = True) -> list[Mapping[str, Any]]:
        values = self.list_(dotted, required)
        for i, value in enumerate(values):
            if not isinstance(value, Mapping):
                raise self._fail(f"{dotted}[{i}]", "must be a table like { country = 'GB' }")
        return values

    def table(self, dotted: str) -> Mapping[str, Any]:
        value = self._get(dotted)
        if not isinstance(value, Mapping):
            raise self._fail(dotted, "must be a table")
        return value
