"""Business-day deadlines in a program's zone (no database).

A target such as "assessment within 3 business days" becomes a due moment:

- the clock starts when the stage was entered; entered on a weekend or a closed day, it starts
  at midnight of the next business day instead;
- each business day moves the due moment to the same wall-clock time on the next business day
  (weekends and the program's closed days skipped), so "3 business days" from Friday 10:00 is
  Wednesday 10:00, and a DST change in between keeps 10:00 on the wall;
- a wall-clock time that DST makes odd is the first instant the clock shows it or later
  (`openiop.lib.deadlines.wall_clock_moment`).

Overdue means later than the due moment: at exactly the due moment a stage is due, not late.
"""

from collections.abc import Container
from datetime import date, datetime, time, timedelta

from openiop.lib.deadlines import wall_clock_moment
from openiop.lib.recurrence import get_zone

WEEKEND = (6, 7)  # ISO weekdays: Saturday, Sunday


def is_business_day(day: date, closed: Container[date] = ()) -> bool:
    return day.isoweekday() not in WEEKEND and day not in closed


def next_business_day(day: date, closed: Container[date] = ()) -> date:
    """`day` itself when it is a business day, else the first one after it."""
    while not is_business_day(day, closed):
        day += timedelta(days=1)
    return day


def add_business_days(
    start: datetime, days: int, *, zone: str, closed: Container[date] = ()
) -> datetime:
    """The moment `days` business days after `start` (aware), as a UTC instant."""
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    if days < 0:
        raise ValueError("days must not be negative")
    tz = get_zone(zone)
    local = start.astimezone(tz)
    day, at = local.date(), local.time().replace(tzinfo=None)
    if not is_business_day(day, closed):
        day, at = next_business_day(day, closed), time.min
    for _ in range(days):
        day = next_business_day(day + timedelta(days=1), closed)
    return wall_clock_moment(day, at, tz)
