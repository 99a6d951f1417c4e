"""Weekly hours-ledger arithmetic: scheduled, attended, minimum, remaining, at risk.

A week is Monday 00:00 to the next Monday 00:00 in the program's timezone. Each session is
in exactly one of three states at `now`:

- recorded: attendance entered; its attended minutes count (0 for an absence);
- remaining: not yet ended and not recorded; it can still be attended in full;
- unrecorded: ended, attendance not entered yet; counted as possibly attended, so a late
  roster never raises a false alarm. It is reported separately so the gap is visible.

A participant is at risk when even attending every remaining and unrecorded session in full
cannot reach the program's weekly minimum (CLINICAL.md: ASAM 2.1 adults >= 9 h/week).
Cancelled sessions count nowhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from openiop.lib.recurrence import get_zone


@dataclass(frozen=True)
class LedgerEntry:
    start: datetime
    end: datetime
    attended_minutes: int | None = None
    cancelled: bool = False

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True)
class WeekLedger:
    scheduled_minutes: int
    attended_minutes: int
    remaining_minutes: int
    unrecorded_minutes: int
    minimum_minutes: int

    @property
    def possible_minutes(self) -> int:
        """The most the week can still total: attended + remaining + unrecorded."""
        return self.attended_minutes + self.remaining_minutes + self.unrecorded_minutes

    @property
    def at_risk(self) -> bool:
        return self.possible_minutes < self.minimum_minutes

    @property
    def met(self) -> bool:
        return self.attended_minutes >= self.minimum_minutes

    @property
    def still_needed_minutes(self) -> int:
        return max(0, self.minimum_minutes - self.attended_minutes)

    @property
    def shortfall_minutes(self) -> int:
        """Minutes the week will miss the minimum by even if everything left is attended."""
        return max(0, self.minimum_minutes - self.possible_minutes)

    scheduled_hours = property(lambda self: minutes_to_hours(self.scheduled_minutes))
    attended_hours = property(lambda self: minutes_to_hours(self.attended_minutes))
    remaining_hours = property(lambda self: minutes_to_hours(self.remaining_minutes))
    unrecorded_hours = property(lambda self: minutes_to_hours(self.unrecorded_minutes))
    minimum_hours = property(lambda self: minutes_to_hours(self.minimum_minutes))
    shortfall_hours = property(lambda self: minutes_to_hours(self.shortfall_minutes))


def hours_to_minutes(hours: Decimal | int | str) -> int:
    minutes = Decimal(hours) * 60
    if minutes < 0 or minutes != minutes.to_integral_value():
        raise ValueError(f"{hours} hours is not a whole, non-negative number of minutes")
    return int(minutes)


def minutes_to_hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def week_ledger(
    entries: Iterable[LedgerEntry], *, minimum_hours: Decimal | int | str, now: datetime
) -> WeekLedger:
    """Sum one participant's week of sessions as seen at `now` (aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    scheduled = attended = remaining = unrecorded = 0
    for entry in entries:
        if entry.cancelled:
            continue
        scheduled += entry.minutes
        if entry.attended_minutes is not None:
            if not 0 <= entry.attended_minutes <= entry.minutes:
                raise ValueError("attended minutes must lie between 0 and the session length")
            attended += entry.attended_minutes
        elif entry.end > now:
            remaining += entry.minutes
        else:
            unrecorded += entry.minutes
    return WeekLedger(
        scheduled_minutes=scheduled,
        attended_minutes=attended,
        remaining_minutes=remaining,
        unrecorded_minutes=unrecorded,
        minimum_minutes=hours_to_minutes(minimum_hours),
    )


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def week_bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    """Aware start (inclusive) and end (exclusive) of `day`'s Monday-Sunday week in `zone`.

    Midnight does not exist on some DST days (e.g. America/Santiago); see start_of_day.
    """
    monday = week_start(day)
    return start_of_day(monday, zone), start_of_day(monday + timedelta(days=7), zone)


def start_of_day(day: date, zone: str) -> datetime:
    """The first instant of local `day` in `zone`: 00:00, or 01:00 where midnight is skipped."""
    tz = get_zone(zone)
    wall = datetime.combine(day, time.min, tzinfo=tz)
    return wall.astimezone(UTC).astimezone(tz)
