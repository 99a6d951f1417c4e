from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from openiop.lib.hours import (
    LedgerEntry,
    hours_to_minutes,
    minutes_to_hours,
    start_of_day,
    week_bounds,
    week_ledger,
)

NY = ZoneInfo("America/New_York")


def _group(day: int, *, attended: int | None = None, cancelled: bool = False) -> LedgerEntry:
    """A 3-hour evening group on `day` March 2026 (Monday is the 9th)."""
    start = datetime(2026, 3, day, 18, tzinfo=NY)
    return LedgerEntry(
        start=start,
        end=start + timedelta(hours=3),
        attended_minutes=attended,
        cancelled=cancelled,
    )


@time_machine.travel(datetime(2026, 3, 11, 21, 30, tzinfo=NY), tick=False)
def test_it_flags_3_hours_attended_by_wednesday_with_3_left_against_9():
    # Monday attended, Wednesday missed, Thursday still to come: 3 + 3 < 9.
    entries = [_group(9, attended=180), _group(11, attended=0), _group(12)]
    ledger = week_ledger(entries, minimum_hours=Decimal(9), now=datetime.now(UTC))
    assert ledger.attended_hours == Decimal("3.00")
    assert ledger.remaining_hours == Decimal("3.00")
    assert ledger.scheduled_hours == Decimal("9.00")
    assert ledger.minimum_hours == Decimal("9.00")
    assert ledger.at_risk
    assert ledger.shortfall_hours == Decimal("3.00")
    assert ledger.still_needed_minutes == 6 * 60


@time_machine.travel(datetime(2026, 3, 11, 12, tzinfo=NY), tick=False)
def test_it_does_not_flag_a_week_that_can_still_reach_the_minimum():
    entries = [_group(9, attended=180), _group(11), _group(12)]
    ledger = week_ledger(entries, minimum_hours=9, now=datetime.now(UTC))
    assert ledger.remaining_minutes == 360
    assert not ledger.at_risk
    assert not ledger.met


@time_machine.travel(datetime(2026, 3, 13, 9, tzinfo=NY), tick=False)
def test_late_attendance_counts_partial_minutes():
    entries = [_group(9, attended=180), _group(11, attended=150), _group(12, attended=180)]
    ledger = week_ledger(entries, minimum_hours="9", now=datetime.now(UTC))
    assert ledger.attended_minutes == 510
    assert ledger.at_risk
    assert ledger.shortfall_minutes == 30


def test_unrecorded_past_sessions_do_not_raise_a_false_alarm():
    now = datetime(2026, 3, 13, 9, tzinfo=NY)
    ledger = week_ledger([_group(9), _group(11), _group(12)], minimum_hours=9, now=now)
    assert ledger.unrecorded_minutes == 540
    assert ledger.remaining_minutes == 0
    assert not ledger.at_risk


def test_cancelled_sessions_count_nowhere():
    now = datetime(2026, 3, 9, 9, tzinfo=NY)
    entries = [_group(9), _group(11, cancelled=True), _group(12)]
    ledger = week_ledger(entries, minimum_hours=9, now=now)
    assert ledger.scheduled_minutes == 360
    assert ledger.at_risk


def test_a_session_in_progress_is_still_remaining():
    now = datetime(2026, 3, 9, 19, tzinfo=NY)
    ledger = week_ledger([_group(9)], minimum_hours=3, now=now)
    assert ledger.remaining_minutes == 180
    assert not ledger.at_risk


def test_a_met_week_is_never_at_risk():
    now = datetime(2026, 3, 15, 9, tzinfo=NY)
    entries = [_group(9, attended=180), _group(11, attended=180), _group(12, attended=180)]
    ledger = week_ledger(entries, minimum_hours=9, now=now)
    assert ledger.met and not ledger.at_risk


def test_it_rejects_impossible_attendance():
    with pytest.raises(ValueError, match="between 0 and the session length"):
        week_ledger([_group(9, attended=181)], minimum_hours=9, now=datetime.now(UTC))


def test_it_rejects_naive_now():
    with pytest.raises(ValueError, match="aware"):
        week_ledger([], minimum_hours=9, now=datetime(2026, 3, 9))


def test_hour_conversions_are_exact():
    assert hours_to_minutes(Decimal("9.5")) == 570
    assert minutes_to_hours(200) == Decimal("3.33")
    with pytest.raises(ValueError):
        hours_to_minutes(Decimal("0.001"))


def test_week_bounds_follow_local_midnight_across_spring_forward():
    start, end = week_bounds(date(2026, 3, 11), "America/New_York")
    assert start == datetime(2026, 3, 9, tzinfo=NY)
    assert start.astimezone(UTC) == datetime(2026, 3, 9, 4, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 3, 16, 4, tzinfo=UTC)
    week_with_change, _ = week_bounds(date(2026, 3, 8), "America/New_York")
    assert (end - start) == timedelta(days=7)
    assert week_with_change.astimezone(UTC) == datetime(2026, 3, 2, 5, tzinfo=UTC)


def test_a_day_without_midnight_starts_at_its_first_instant():
    # Chile springs forward at 24:00 on Saturday 5 September 2026: Sunday starts at 01:00.
    start = start_of_day(date(2026, 9, 6), "America/Santiago")
    assert (start.hour, start.minute) == (1, 0)
    assert start.astimezone(UTC) == datetime(2026, 9, 6, 4, tzinfo=UTC)
