"""Acknowledgement deadlines and business hours, in a program's zone (no database).

Two kinds of deadline:
- a length (emergency 5 min, high 30 min): real elapsed time from the moment, so five minutes
  stay five minutes across a DST change;
- "end of the next business day" (elevated): the wall-clock time `ends_at` on the first
  business day after the moment's local date, in the zone.

A wall-clock time that DST makes odd is still well defined: the deadline is the first instant
at which the zone's clock shows that time or later. A time in a spring-forward gap (02:30 on
14 March 2027 in New York) becomes the instant of the change (03:00 EDT); a time that happens
twice (01:30 on 1 November 2026) is its first occurrence (01:30 EDT).

Business hours run from BUSINESS_DAY_STARTS_AT (09:00) to the program's `ends_at`, on its
business days (ISO weekdays, Monday = 1; none given = Monday to Friday).
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_BUSINESS_DAYS = (1, 2, 3, 4, 5)
BUSINESS_DAY_STARTS_AT = time(9, 0)
BUSINESS_DAY_ENDS_AT = time(17, 0)


def business_days(days: Iterable[int] | None) -> frozenset[int]:
    """The valid ISO weekdays among `days`, or Monday to Friday when there are none."""
    chosen = frozenset(day for day in (days or ()) if isinstance(day, int) and 1 <= day <= 7)
    return chosen or frozenset(DEFAULT_BUSINESS_DAYS)


def wall_clock_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The first instant (UTC) at which the clock in `zone` shows `at` or later on `day`."""
    wall = datetime.combine(day, at.replace(tzinfo=None))
    early = wall.replace(tzinfo=zone, fold=0)
    early_utc = early.astimezone(UTC)
    if early_utc.astimezone(zone).replace(tzinfo=None) == wall:
        # It exists; when it happens twice, fold=0 is the first time.
        return early_utc
    # In a gap: the clock jumps over `at`. Between the two readings of the naive time, the
    # local clock only moves forward, so search (to the second) for the first instant whose
    # wall time is at or after `at` — the instant of the change.
    low = int(wall.replace(tzinfo=zone, fold=1).astimezone(UTC).timestamp())
    high = int(early_utc.timestamp())
    if low > high:
        low, high = high, low

    def reached(second: int) -> bool:
        return datetime.fromtimestamp(second, zone).replace(tzinfo=None) >= wall

    while high - low > 1:
        middle = (low + high) // 2
        if reached(middle):
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(low if reached(low) else high, UTC)


def next_business_day_end(
    moment: datetime,
    zone: ZoneInfo,
    *,
    days: Iterable[int] | None = None,
    ends_at: time = BUSINESS_DAY_ENDS_AT,
) -> datetime:
    """`ends_at` on the first business day after `moment`'s local date, as a UTC instant."""
    allowed = business_days(days)
    day = moment.astimezone(zone).date() + timedelta(days=1)
    while day.isoweekday() not in allowed:
        day += timedelta(days=1)
    return wall_clock_moment(day, ends_at, zone)


def deadline_after(
    moment: datetime,
    *,
    minutes: int | None,
    zone: ZoneInfo,
    days: Iterable[int] | None = None,
    ends_at: time = BUSINESS_DAY_ENDS_AT,
) -> datetime:
    """`minutes` of real time after `moment`, or (None) the end of the next business day."""
    if minutes is not None:
        # Add in UTC: aware arithmetic in one zone is wall-clock arithmetic in Python.
        return moment.astimezone(UTC) + timedelta(minutes=minutes)
    return next_business_day_end(moment, zone, days=days, ends_at=ends_at)


def is_business_hours(
    moment: datetime,
    zone: ZoneInfo,
    *,
    days: Iterable[int] | None = None,
    starts_at: time = BUSINESS_DAY_STARTS_AT,
    ends_at: time = BUSINESS_DAY_ENDS_AT,
) -> bool:
    """Is `moment` on a business day between `starts_at` (inclusive) and `ends_at`?"""
    local = moment.astimezone(zone)
    if local.isoweekday() not in business_days(days):
        return False
    clock = local.time().replace(tzinfo=None)
    return starts_at <= clock < ends_at
