from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from openiop.lib.timefmt import format_date, format_datetime, format_range

NEW_YORK = "America/New_York"
# 03:08 UTC on 1 December is 10:08 PM EST on 30 November: the day differs as well as the hour.
LATE_EVENING = datetime(2026, 12, 1, 3, 8, tzinfo=UTC)


def test_it_shows_the_moment_in_the_zone_with_its_abbreviation():
    assert format_datetime(LATE_EVENING, NEW_YORK) == "Mon 30 Nov 2026, 10:08 PM EST"
    assert format_datetime(LATE_EVENING, NEW_YORK, "short") == "Mon 30 Nov, 10:08 PM EST"
    assert format_datetime(LATE_EVENING, NEW_YORK, "time") == "10:08 PM EST"
    assert format_datetime(LATE_EVENING, NEW_YORK, "date") == "Mon 30 Nov 2026"
    assert format_datetime(LATE_EVENING, NEW_YORK, "longdate") == "Monday 30 November 2026"
    assert format_datetime(LATE_EVENING, "UTC", "short") == "Tue 1 Dec, 3:08 AM UTC"


def test_it_follows_daylight_saving_time():
    summer = datetime(2026, 3, 9, 22, 0, tzinfo=UTC)
    assert format_datetime(summer, NEW_YORK, "short") == "Mon 9 Mar, 6:00 PM EDT"
    assert format_datetime(summer, "America/Phoenix", "time") == "3:00 PM MST"


def test_noon_and_midnight_read_as_people_say_them():
    assert format_datetime(datetime(2026, 6, 1, 16, 0, tzinfo=UTC), NEW_YORK, "time") == (
        "12:00 PM EDT"
    )
    assert format_datetime(datetime(2026, 6, 1, 4, 5, tzinfo=UTC), NEW_YORK, "time") == (
        "12:05 AM EDT"
    )


def test_zones_without_letters_name_their_offset():
    moment = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
    assert format_datetime(moment, "America/Sao_Paulo", "time") == "12:00 PM UTC-03"


def test_it_accepts_a_tzinfo_and_refuses_naive_datetimes():
    assert format_datetime(LATE_EVENING, ZoneInfo(NEW_YORK), "time") == "10:08 PM EST"
    with pytest.raises(ValueError, match="aware"):
        format_datetime(datetime(2026, 12, 1, 3, 8), NEW_YORK)
    with pytest.raises(ValueError, match="Unknown style"):
        format_datetime(LATE_EVENING, NEW_YORK, "fancy")


def test_a_range_names_the_day_and_abbreviation_once():
    start = datetime(2026, 3, 9, 22, 0, tzinfo=UTC)
    end = start + timedelta(minutes=90)
    assert format_range(start, end, NEW_YORK) == "Mon 9 Mar, 6:00 PM – 7:30 PM EDT"
    assert format_range(start, end, NEW_YORK, "time") == "6:00 PM – 7:30 PM EDT"
    assert format_range(start, end, NEW_YORK, "datetime") == (
        "Mon 9 Mar 2026, 6:00 PM – 7:30 PM EDT"
    )


def test_a_range_across_midnight_or_a_clock_change_says_so():
    late = datetime(2026, 12, 1, 4, 30, tzinfo=UTC)
    assert format_range(late, late + timedelta(hours=1), NEW_YORK) == (
        "Mon 30 Nov, 11:30 PM – Tue 1 Dec, 12:30 AM EST"
    )
    # 1 November 2026, 1:30 AM EDT; the clocks go back at 2:00 AM.
    before = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert format_range(before, before + timedelta(hours=1), NEW_YORK, "time") == (
        "1:30 AM EDT – 1:30 AM EST"
    )


def test_calendar_days_have_no_zone():
    assert format_date(date(2026, 3, 9)) == "Mon 9 Mar 2026"
    assert format_date(date(2026, 3, 9), "shortdate") == "Mon 9 Mar"
    assert format_date(date(1990, 4, 2), "plain") == "2 Apr 1990"
    with pytest.raises(ValueError):
        format_date(date(2026, 3, 9), "time")
