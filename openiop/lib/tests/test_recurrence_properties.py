from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from openiop.lib.recurrence import (
    AmbiguousLocalTime,
    NonexistentLocalTime,
    WeeklyBlock,
    expand,
)

# Zones with DST at 02:00, none, at midnight, with a 30-minute shift, and south of the equator.
ZONES = [
    "America/New_York",
    "America/Phoenix",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Australia/Sydney",
    "Europe/London",
    "Asia/Kolkata",
]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@settings(max_examples=400, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
    minutes=st.integers(min_value=0, max_value=22 * 4 - 1).map(lambda q: q * 15),
    fold=st.sampled_from([None, 0, 1]),
)
def test_an_occurrence_is_its_wall_time_or_a_clear_refusal(zone, day, minutes, fold):
    start = time(minutes // 60, minutes % 60)
    end = (datetime.combine(day, start) + timedelta(hours=1)).time()
    block = WeeklyBlock(
        rule=f"FREQ=WEEKLY;BYDAY={DAYS[day.weekday()]}",
        starts_on=day,
        starts_at=start,
        ends_at=end,
        fold=fold,
    )
    try:
        (occurrence,) = expand(block, zone, first_day=day, last_day=day)
    except NonexistentLocalTime:
        return
    except AmbiguousLocalTime:
        assert fold is None
        return
    local = occurrence.start.astimezone(ZoneInfo(zone))
    assert (local.date(), local.time()) == (day, start)
    assert occurrence.end > occurrence.start
    if fold is not None:
        assert local.fold == fold or local.utcoffset() == local.replace(fold=1 - fold).utcoffset()
