from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from openiop.lib.business_days import add_business_days, next_business_day

NY = ZoneInfo("America/New_York")
ZONE = "America/New_York"


def test_three_business_days_from_a_monday_is_thursday_at_the_same_time():
    due = add_business_days(datetime(2026, 3, 2, 10, 0, tzinfo=NY), 3, zone=ZONE)
    assert due.astimezone(NY) == datetime(2026, 3, 5, 10, 0, tzinfo=NY)


def test_the_weekend_is_skipped():
    due = add_business_days(datetime(2026, 2, 27, 10, 0, tzinfo=NY), 3, zone=ZONE)  # Friday
    assert due.astimezone(NY) == datetime(2026, 3, 4, 10, 0, tzinfo=NY)  # Wednesday


def test_a_saturday_entry_starts_counting_on_monday_morning():
    due = add_business_days(datetime(2026, 2, 28, 15, 0, tzinfo=NY), 1, zone=ZONE)
    assert due.astimezone(NY) == datetime(2026, 3, 3, 0, 0, tzinfo=NY)  # Tuesday 00:00


def test_closed_days_are_skipped():
    closed = {date(2026, 3, 3)}
    due = add_business_days(datetime(2026, 3, 2, 10, 0, tzinfo=NY), 3, zone=ZONE, closed=closed)
    assert due.astimezone(NY) == datetime(2026, 3, 6, 10, 0, tzinfo=NY)
    assert next_business_day(date(2026, 3, 3), closed) == date(2026, 3, 4)


def test_the_wall_clock_time_holds_across_spring_forward():
    # Friday 6 March 2026, 10:00 EST; the clocks go forward on Sunday the 8th.
    due = add_business_days(datetime(2026, 3, 6, 10, 0, tzinfo=NY), 3, zone=ZONE)
    assert due == datetime(2026, 3, 11, 14, 0, tzinfo=UTC)  # 10:00 EDT
    assert due.astimezone(NY).strftime("%a %H:%M %Z") == "Wed 10:00 EDT"


def test_the_wall_clock_time_holds_across_fall_back():
    due = add_business_days(datetime(2026, 10, 30, 10, 0, tzinfo=NY), 1, zone=ZONE)
    assert due.astimezone(NY).strftime("%a %d %H:%M %Z") == "Mon 02 10:00 EST"


def test_zero_days_is_the_start_itself_and_naive_times_are_refused():
    start = datetime(2026, 3, 2, 10, 0, tzinfo=NY)
    assert add_business_days(start, 0, zone=ZONE) == start
    with pytest.raises(ValueError):
        add_business_days(datetime(2026, 3, 2, 10, 0), 1, zone=ZONE)
