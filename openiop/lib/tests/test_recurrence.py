from datetime import UTC, date, datetime, time

import pytest

from openiop.lib.recurrence import (
    AmbiguousLocalTime,
    InvalidRule,
    InvalidTimezone,
    NonexistentLocalTime,
    RecurrenceError,
    WeeklyBlock,
    expand,
    expand_all,
    localize,
    to_utc,
)

NY = "America/New_York"
EVENING_DBT = WeeklyBlock(
    rule="FREQ=WEEKLY;BYDAY=MO,WE,TH",
    starts_on=date(2026, 1, 5),
    starts_at=time(18, 0),
    ends_at=time(21, 0),
)


def _on(day: date):
    (occurrence,) = expand(EVENING_DBT, NY, first_day=day, last_day=day)
    return occurrence


def test_it_keeps_evening_group_at_18_local_after_spring_forward():
    occurrence = _on(date(2026, 3, 9))
    assert occurrence.start == datetime(2026, 3, 9, 22, 0, tzinfo=UTC)  # 18:00 EDT
    assert occurrence.in_zone(NY)[0].hour == 18
    assert occurrence.local_start == time(18, 0)
    assert occurrence.zone == NY


def test_it_keeps_evening_group_at_18_local_after_fall_back():
    occurrence = _on(date(2026, 11, 2))
    assert occurrence.start == datetime(2026, 11, 2, 23, 0, tzinfo=UTC)  # 18:00 EST
    assert occurrence.in_zone(NY)[0].hour == 18


def test_the_week_before_spring_forward_is_an_hour_later_in_utc():
    assert _on(date(2026, 3, 2)).start == datetime(2026, 3, 2, 23, 0, tzinfo=UTC)


def test_a_viewer_in_phoenix_sees_the_shifted_local_time():
    # Phoenix stays on MST (UTC-7) all year, so the 18:00 New York group moves for them.
    march_start, march_end = _on(date(2026, 3, 9)).in_zone("America/Phoenix")
    november_start, _ = _on(date(2026, 11, 2)).in_zone("America/Phoenix")
    assert (march_start.hour, march_end.hour) == (15, 18)
    assert november_start.hour == 16


def test_it_expands_only_the_rule_days_in_the_window():
    occurrences = expand(EVENING_DBT, NY, first_day=date(2026, 3, 2), last_day=date(2026, 3, 8))
    assert [o.local_date for o in occurrences] == [
        date(2026, 3, 2),
        date(2026, 3, 4),
        date(2026, 3, 5),
    ]
    assert all(o.minutes == 180 for o in occurrences)


def test_it_starts_no_earlier_than_the_block():
    occurrences = expand(EVENING_DBT, NY, first_day=date(2025, 12, 29), last_day=date(2026, 1, 6))
    assert [o.local_date for o in occurrences] == [date(2026, 1, 5)]


def test_it_skips_holidays():
    occurrences = expand(
        EVENING_DBT,
        NY,
        first_day=date(2026, 3, 2),
        last_day=date(2026, 3, 8),
        skip={date(2026, 3, 4)},
    )
    assert [o.local_date for o in occurrences] == [date(2026, 3, 2), date(2026, 3, 5)]


def test_it_honours_interval_and_until():
    block = WeeklyBlock(
        rule="RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20260131",
        starts_on=date(2026, 1, 6),
        starts_at=time(10, 0),
        ends_at=time(11, 0),
    )
    occurrences = expand(block, NY, first_day=date(2026, 1, 1), last_day=date(2026, 3, 1))
    assert [o.local_date for o in occurrences] == [date(2026, 1, 6), date(2026, 1, 20)]


def test_it_merges_blocks_in_start_order():
    saturday = WeeklyBlock(
        rule="FREQ=WEEKLY;BYDAY=SA",
        starts_on=date(2026, 1, 3),
        starts_at=time(9, 0),
        ends_at=time(12, 0),
    )
    occurrences = expand_all(
        [saturday, EVENING_DBT], NY, first_day=date(2026, 3, 2), last_day=date(2026, 3, 8)
    )
    assert [o.local_date.day for o in occurrences] == [2, 4, 5, 7]


def test_it_refuses_a_block_in_the_spring_forward_gap():
    block = WeeklyBlock(
        rule="FREQ=WEEKLY;BYDAY=SU",
        starts_on=date(2026, 3, 1),
        starts_at=time(2, 30),
        ends_at=time(4, 0),
    )
    with pytest.raises(NonexistentLocalTime) as caught:
        expand(block, NY, first_day=date(2026, 3, 1), last_day=date(2026, 3, 15))
    assert "02:30 on Sunday 8 March 2026 does not exist in America/New_York" in str(caught.value)
    assert "skip forward 1 hour" in str(caught.value)


def test_a_skipped_spring_forward_date_lets_the_block_run():
    block = WeeklyBlock(
        rule="FREQ=WEEKLY;BYDAY=SU",
        starts_on=date(2026, 3, 1),
        starts_at=time(2, 30),
        ends_at=time(4, 0),
    )
    occurrences = expand(
        block, NY, first_day=date(2026, 3, 1), last_day=date(2026, 3, 15), skip={date(2026, 3, 8)}
    )
    assert [o.local_date.day for o in occurrences] == [1, 15]


def test_it_refuses_an_ambiguous_block_without_a_choice():
    block = WeeklyBlock(
        rule="FREQ=WEEKLY;BYDAY=SU",
        starts_on=date(2026, 10, 25),
        starts_at=time(1, 30),
        ends_at=time(1, 45),
    )
    with pytest.raises(AmbiguousLocalTime) as caught:
        expand(block, NY, first_day=date(2026, 10, 25), last_day=date(2026, 11, 8))
    message = str(caught.value)
    assert "01:30 on Sunday 1 November 2026 happens twice in America/New_York" in message
    assert "first EDT, then EST" in message


@pytest.mark.parametrize(("fold", "utc_hour"), [(0, 5), (1, 6)])
def test_an_explicit_fold_picks_the_first_or_second_01_30(fold, utc_hour):
    block = WeeklyBlock(
        rule="FREQ=WEEKLY;BYDAY=SU",
        starts_on=date(2026, 11, 1),
        starts_at=time(1, 30),
        ends_at=time(1, 45),
        fold=fold,
    )
    (occurrence,) = expand(block, NY, first_day=date(2026, 11, 1), last_day=date(2026, 11, 1))
    assert occurrence.start == datetime(2026, 11, 1, utc_hour, 30, tzinfo=UTC)
    assert occurrence.minutes == 15


def test_localize_refuses_nonexistent_time_even_with_a_fold():
    with pytest.raises(NonexistentLocalTime):
        localize(datetime(2026, 3, 8, 2, 30), NY, fold=1)


def test_localize_accepts_ordinary_times_without_a_fold():
    assert to_utc(datetime(2026, 7, 1, 9, 0), NY) == datetime(2026, 7, 1, 13, 0, tzinfo=UTC)


def test_a_zone_without_dst_never_needs_a_choice():
    phoenix = "America/Phoenix"
    assert to_utc(datetime(2026, 3, 8, 2, 30), phoenix).hour == 9
    assert to_utc(datetime(2026, 11, 1, 1, 30), phoenix).hour == 8


def test_it_handles_leap_day():
    block = WeeklyBlock(
        rule="FREQ=WEEKLY;BYDAY=TU",
        starts_on=date(2028, 2, 1),
        starts_at=time(18, 0),
        ends_at=time(19, 0),
    )
    days = [
        o.local_date
        for o in expand(block, NY, first_day=date(2028, 2, 28), last_day=date(2028, 3, 1))
    ]
    assert days == [date(2028, 2, 29)]


def test_localize_rejects_aware_input():
    with pytest.raises(ValueError, match="naive"):
        localize(datetime(2026, 7, 1, tzinfo=UTC), NY)


def test_it_rejects_unknown_zones():
    with pytest.raises(InvalidTimezone, match="not a known IANA timezone"):
        expand(EVENING_DBT, "Mars/Olympus", first_day=date(2026, 3, 2), last_day=date(2026, 3, 8))


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=DAILY", "needs FREQ=WEEKLY"),
        ("FREQ=WEEKLY", "BYDAY must list weekdays"),
        ("FREQ=WEEKLY;BYDAY=1MO", "BYDAY must list weekdays"),
        ("FREQ=WEEKLY;BYDAY=MO;BYHOUR=9", "may not use BYHOUR"),
        ("FREQ=WEEKLY;BYDAY=MO;UNTIL=20260301T000000Z", "local date"),
        ("FREQ=WEEKLY;BYDAY=MO;UNTIL=20260301;COUNT=3", "not both"),
        ("FREQ=WEEKLY;BYDAY=MO;UNTIL=20251231", "yields no sessions"),
        ("FREQ=WEEKLY;BYDAY=MO;INTERVAL=zero", "could not be read"),
        ("FREQ=WEEKLY;BYDAY", "KEY=VALUE"),
        ("FREQ=WEEKLY;FREQ=WEEKLY;BYDAY=MO", "appears twice"),
    ],
)
def test_it_rejects_bad_rules_with_a_clear_message(rule, message):
    block = WeeklyBlock(rule=rule, starts_on=date(2026, 1, 5), starts_at=time(18), ends_at=time(21))
    with pytest.raises(InvalidRule, match=message):
        expand(block, NY, first_day=date(2026, 1, 5), last_day=date(2026, 2, 1))


def test_it_rejects_an_end_before_the_start():
    block = WeeklyBlock(
        rule="FREQ=WEEKLY;BYDAY=MO",
        starts_on=date(2026, 1, 5),
        starts_at=time(21),
        ends_at=time(18),
    )
    with pytest.raises(InvalidRule, match="end time must be after the start"):
        expand(block, NY, first_day=date(2026, 1, 5), last_day=date(2026, 2, 1))


def test_it_bounds_an_open_ended_rule_by_the_window():
    with pytest.raises(RecurrenceError, match="at most"):
        expand(EVENING_DBT, NY, first_day=date(2026, 1, 5), last_day=date(2029, 1, 5))
    year = expand(EVENING_DBT, NY, first_day=date(2026, 1, 5), last_day=date(2027, 1, 3))
    assert len(year) == 52 * 3
