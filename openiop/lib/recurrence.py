"""Weekly session templates expanded in a program's own timezone.

A template is stored as local wall time + IANA zone + an RFC 5545 weekly RRULE, never as a UTC
instant plus a fixed interval: "UTC + 7 days" turns a 18:00 New York group into a 19:00 group
after the March clock change (SECURITY.md R10). Each occurrence is converted to UTC on its own
date, so it keeps its wall-clock time across DST.

Wall times that do not exist (02:30 on the spring-forward day) are refused; wall times that
happen twice (01:30 on the fall-back day) are refused unless the caller chose which one
(`fold=0` the first, `fold=1` the second). Nothing is silently shifted (SECURITY.md X13).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr

# A bounded window keeps an open-ended rule (no UNTIL or COUNT) from expanding forever.
MAX_EXPANSION_DAYS = 2 * 366

_ALLOWED_RULE_PARTS = {"FREQ", "INTERVAL", "BYDAY", "UNTIL", "COUNT", "WKST"}
_WEEKDAYS = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"}


class RecurrenceError(ValueError):
    """Bad template or wall time; `str(error)` is a message fit to show the person who typed it."""


class InvalidTimezone(RecurrenceError):
    pass


class InvalidRule(RecurrenceError):
    pass


class NonexistentLocalTime(RecurrenceError):
    def __init__(self, wall: datetime, zone: str, gap: timedelta) -> None:
        self.wall = wall
        self.zone = zone
        super().__init__(
            f"{_describe(wall)} does not exist in {zone}: the clocks skip forward "
            f"{_hours(gap)} that night. Choose another time or skip that date."
        )


class AmbiguousLocalTime(RecurrenceError):
    def __init__(self, wall: datetime, zone: str) -> None:
        self.wall = wall
        self.zone = zone
        tz = ZoneInfo(zone)
        first = wall.replace(tzinfo=tz, fold=0)
        second = wall.replace(tzinfo=tz, fold=1)
        super().__init__(
            f"{_describe(wall)} happens twice in {zone} (first {first.tzname()}, "
            f"then {second.tzname()}, after the clocks go back). Choose the first or the second."
        )


def _describe(wall: datetime) -> str:
    return f"{wall:%H:%M} on {wall:%A} {wall.day} {wall:%B %Y}"


def _hours(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes % 60 == 0:
        return "1 hour" if minutes == 60 else f"{minutes // 60} hours"
    return f"{minutes} minutes"


def get_zone(name: str) -> ZoneInfo:
    """The IANA zone `name`, or InvalidTimezone with a readable message."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidTimezone(f"{name!r} is not a known IANA timezone.") from error


def localize(wall: datetime, zone: str, *, fold: int | None = None) -> datetime:
    """Attach `zone` to the naive wall time `wall`, refusing times that DST makes unclear.

    Steps:
    1. A wall time that does not survive a round trip through UTC falls in a spring-forward
       gap: NonexistentLocalTime, whatever `fold` says.
    2. A wall time whose two folds have different offsets happens twice: it needs `fold`
       (0 = the first, 1 = the second), else AmbiguousLocalTime.
    """
    if wall.tzinfo is not None:
        raise ValueError("localize() takes a naive wall time")
    tz = get_zone(zone)
    early = wall.replace(tzinfo=tz, fold=0)
    late = wall.replace(tzinfo=tz, fold=1)
    early_offset = early.utcoffset()
    late_offset = late.utcoffset()
    assert early_offset is not None and late_offset is not None
    if early.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall:
        raise NonexistentLocalTime(wall, zone, late_offset - early_offset)
    if early_offset != late_offset:
        if fold is None:
            raise AmbiguousLocalTime(wall, zone)
        return late if fold else early
    return early


def to_utc(wall: datetime, zone: str, *, fold: int | None = None) -> datetime:
    return localize(wall, zone, fold=fold).astimezone(UTC)


@dataclass(frozen=True)
class WeeklyBlock:
    """One line of a track's weekly template, e.g. Mon/Wed/Thu 18:00-21:00 from 5 January.

    `rule` is an RFC 5545 RRULE value with FREQ=WEEKLY and BYDAY; the time of day comes from
    `starts_at`/`ends_at` (local wall times, same day), the first week from `starts_on`.
    `fold` is the explicit choice for wall times that happen twice (None = refuse them).
    """

    rule: str
    starts_on: date
    starts_at: time
    ends_at: time
    fold: int | None = None


@dataclass(frozen=True)
class Occurrence:
    start: datetime
    end: datetime
    local_date: date
    local_start: time
    local_end: time
    zone: str

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def in_zone(self, zone: str) -> tuple[datetime, datetime]:
        """Start and end as seen by someone in `zone` (e.g. a participant in Phoenix)."""
        tz = get_zone(zone)
        return self.start.astimezone(tz), self.end.astimezone(tz)


def _rule_parts(rule: str) -> dict[str, str]:
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    parts: dict[str, str] = {}
    for item in filter(None, text.split(";")):
        key, sep, value = item.partition("=")
        key = key.strip().upper()
        if not sep or not value.strip():
            raise InvalidRule(f"{item!r} is not a KEY=VALUE part of a recurrence rule.")
        if key in parts:
            raise InvalidRule(f"{key} appears twice in the recurrence rule.")
        parts[key] = value.strip().upper()
    return parts


def parse_rule(block: WeeklyBlock) -> rrule:
    """The block's rule as a dateutil rrule over naive local wall times.

    Refuses anything that is not a plain weekly rule, rules that set the time of day themselves,
    a block whose end is not after its start, and rules that yield no session at all.
    """
    if block.ends_at <= block.starts_at:
        raise InvalidRule("The end time must be after the start time on the same day.")
    if block.fold not in (None, 0, 1):
        raise InvalidRule("fold must be 0 (first), 1 (second) or None.")
    parts = _rule_parts(block.rule)
    unknown = sorted(set(parts) - _ALLOWED_RULE_PARTS)
    if unknown:
        raise InvalidRule(
            f"The recurrence rule may not use {', '.join(unknown)}: the time of day comes from "
            "the block's start and end time."
        )
    if parts.get("FREQ") != "WEEKLY":
        raise InvalidRule("A weekly template needs FREQ=WEEKLY.")
    days = parts.get("BYDAY", "").split(",")
    if not parts.get("BYDAY") or any(day not in _WEEKDAYS for day in days):
        raise InvalidRule("BYDAY must list weekdays such as MO,WE,TH (no ordinals).")
    if "UNTIL" in parts and "COUNT" in parts:
        raise InvalidRule("Use UNTIL or COUNT, not both.")
    if "UNTIL" in parts and parts["UNTIL"].endswith("Z"):
        raise InvalidRule("UNTIL is a local date (e.g. 20261231), not a UTC instant.")
    dtstart = datetime.combine(block.starts_on, block.starts_at)
    try:
        parsed = rrulestr(
            "RRULE:" + ";".join(f"{k}={v}" for k, v in parts.items()), dtstart=dtstart
        )
    except (ValueError, TypeError) as error:
        raise InvalidRule(f"The recurrence rule could not be read: {error}.") from error
    assert isinstance(parsed, rrule)
    if parsed.after(dtstart, inc=True) is None:
        raise InvalidRule("The recurrence rule yields no sessions.")
    return parsed


def expand(
    block: WeeklyBlock,
    zone: str,
    *,
    first_day: date,
    last_day: date,
    skip: Collection[date] = (),
) -> list[Occurrence]:
    """Occurrences of `block` on local dates first_day..last_day (inclusive) in `zone`.

    Dates in `skip` (holidays, a spring-forward Sunday the director excluded) are left out
    before their wall time is checked, so excluding a date is how a 02:30 block survives DST.
    """
    tz_name = get_zone(zone).key
    if last_day < first_day:
        raise RecurrenceError("The last day must not be before the first day.")
    if (last_day - first_day).days > MAX_EXPANSION_DAYS:
        raise RecurrenceError(f"Expand at most {MAX_EXPANSION_DAYS} days at a time.")
    rule = parse_rule(block)
    skipped = set(skip)
    window_start = datetime.combine(first_day, time.min)
    window_end = datetime.combine(last_day, time.max)
    occurrences = []
    for wall_start in rule.between(window_start, window_end, inc=True):
        day = wall_start.date()
        if day in skipped:
            continue
        start = to_utc(wall_start, tz_name, fold=block.fold)
        end = to_utc(datetime.combine(day, block.ends_at), tz_name, fold=block.fold)
        occurrences.append(
            Occurrence(
                start=start,
                end=end,
                local_date=day,
                local_start=block.starts_at,
                local_end=block.ends_at,
                zone=tz_name,
            )
        )
    return occurrences


def expand_all(
    blocks: Collection[WeeklyBlock],
    zone: str,
    *,
    first_day: date,
    last_day: date,
    skip: Collection[date] = (),
) -> list[Occurrence]:
    """All blocks of a template, in start order."""
    occurrences = [
        occurrence
        for block in blocks
        for occurrence in expand(block, zone, first_day=first_day, last_day=last_day, skip=skip)
    ]
    return sorted(occurrences, key=lambda occurrence: occurrence.start)
