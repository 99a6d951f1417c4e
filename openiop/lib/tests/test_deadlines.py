from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from openiop.lib.deadlines import (
    business_days,
    deadline_after,
    is_business_hours,
    next_business_day_end,
    wall_clock_moment,
)

NY = ZoneInfo("America/New_York")
EVERY_DAY = [1, 2, 3, 4, 5, 6, 7]


def test_minutes_are_real_elapsed_time_across_spring_forward():
    # 01:58 EST on Sunday 14 March 2027; five minutes later the clock reads 03:03 EDT.
    moment = datetime(2027, 3, 14, 1, 58, tzinfo=NY)
    deadline = deadline_after(moment, minutes=5, zone=NY)
    assert deadline == datetime(2027, 3, 14, 7, 3, tzinfo=UTC)
    assert deadline.astimezone(NY).strftime("%H:%M %Z") == "03:03 EDT"


def test_minutes_are_real_elapsed_time_across_fall_back():
    moment = datetime(2026, 11, 1, 1, 58, tzinfo=NY, fold=0)  # 01:58 EDT, the first one
    deadline = deadline_after(moment, minutes=5, zone=NY)
    assert deadline.astimezone(NY).strftime("%H:%M %Z") == "01:03 EST"


def test_a_business_day_end_in_the_spring_gap_is_the_instant_of_the_change():
    # Saturday 13 March 2027 → Sunday 14th (a business day here) at 02:30, which never happens.
    moment = datetime(2027, 3, 13, 12, tzinfo=NY)
    deadline = next_business_day_end(moment, NY, days=EVERY_DAY, ends_at=time(2, 30))
    assert deadline == datetime(2027, 3, 14, 7, 0, tzinfo=UTC)
    assert deadline.astimezone(NY).strftime("%H:%M %Z") == "03:00 EDT"


def test_a_business_day_end_that_happens_twice_is_its_first_occurrence():
    moment = datetime(2026, 10, 31, 12, tzinfo=NY)
    deadline = next_business_day_end(moment, NY, days=EVERY_DAY, ends_at=time(1, 30))
    assert deadline == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert deadline.astimezone(NY).strftime("%H:%M %Z") == "01:30 EDT"


def test_wall_clock_moment_is_plain_on_ordinary_days():
    assert wall_clock_moment(date(2026, 3, 10), time(17), NY) == datetime(
        2026, 3, 10, 21, tzinfo=UTC
    )


def test_the_end_of_the_next_business_day_skips_the_weekend():
    friday_evening = datetime(2026, 3, 6, 20, tzinfo=NY)
    assert next_business_day_end(friday_evening, NY) == datetime(2026, 3, 9, 17, tzinfo=NY)
    monday_morning = datetime(2026, 3, 9, 8, tzinfo=NY)
    assert next_business_day_end(monday_morning, NY) == datetime(2026, 3, 10, 17, tzinfo=NY)


def test_the_next_business_day_is_computed_in_the_programs_zone():
    # 03:00 UTC Tuesday is still Monday evening in New York: next business day is Tuesday.
    moment = datetime(2026, 3, 10, 3, tzinfo=UTC)
    assert next_business_day_end(moment, NY) == datetime(2026, 3, 10, 17, tzinfo=NY)


def test_no_business_days_means_monday_to_friday():
    assert business_days([]) == frozenset({1, 2, 3, 4, 5})
    assert business_days([0, 8, "x"]) == frozenset({1, 2, 3, 4, 5})  # type: ignore[list-item]
    assert business_days([6, 7]) == frozenset({6, 7})


def test_business_hours_run_from_nine_to_the_end_of_day_on_business_days():
    assert is_business_hours(datetime(2026, 3, 9, 9, tzinfo=NY), NY)
    assert is_business_hours(datetime(2026, 3, 9, 16, 59, tzinfo=NY), NY)
    assert not is_business_hours(datetime(2026, 3, 9, 17, tzinfo=NY), NY)
    assert not is_business_hours(datetime(2026, 3, 9, 8, 59, tzinfo=NY), NY)
    assert not is_business_hours(datetime(2026, 3, 7, 12, tzinfo=NY), NY)  # Saturday
    assert is_business_hours(datetime(2026, 3, 7, 12, tzinfo=NY), NY, days=[6])
