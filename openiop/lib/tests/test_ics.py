from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest

from openiop.lib.ics import FeedEvent, build_feed
from openiop.lib.recurrence import WeeklyBlock, expand

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
EVENING_DBT = WeeklyBlock(
    rule="FREQ=WEEKLY;BYDAY=MO",
    starts_on=date(2026, 1, 5),
    starts_at=time(18, 0),
    ends_at=time(21, 0),
)


def _events():
    occurrences = [
        *expand(
            EVENING_DBT, "America/New_York", first_day=date(2026, 3, 9), last_day=date(2026, 3, 9)
        ),
        *expand(
            EVENING_DBT, "America/New_York", first_day=date(2026, 11, 2), last_day=date(2026, 11, 2)
        ),
    ]
    return [
        FeedEvent(uid=f"session-{i}@openiop", start=o.start, end=o.end, url=f"https://x/s/{i}")
        for i, o in enumerate(occurrences)
    ]


def _starts(feed: bytes):
    calendar = icalendar.Calendar.from_ical(feed)
    return [event.decoded("dtstart") for event in calendar.walk("VEVENT")]


def test_it_writes_times_in_the_owners_timezone_across_dst():
    starts = _starts(build_feed(_events(), zone="America/New_York", now=NOW))
    assert [(s.hour, str(s.tzinfo)) for s in starts] == [
        (18, "America/New_York"),
        (18, "America/New_York"),
    ]


def test_a_participant_in_phoenix_gets_their_local_times():
    feed = build_feed(_events(), zone="America/Phoenix", now=NOW)
    starts = _starts(feed)
    assert [(s.month, s.day, s.hour) for s in starts] == [(3, 9, 15), (11, 2, 16)]
    assert b"DTSTART;TZID=America/Phoenix:20260309T150000" in feed
    assert b"BEGIN:VTIMEZONE" in feed and b"TZID:America/Phoenix" in feed


def test_it_says_only_that_there_is_a_session_and_when():
    feed = build_feed(_events(), zone="America/New_York", now=NOW)
    (event, _) = icalendar.Calendar.from_ical(feed).walk("VEVENT")
    assert str(event["summary"]) == "Session"
    assert str(event["class"]) == "PRIVATE"
    names = {name for name in event if not name.startswith("X-")}
    assert names <= {
        "UID",
        "DTSTAMP",
        "DTSTART",
        "DTEND",
        "SUMMARY",
        "SEQUENCE",
        "STATUS",
        "TRANSP",
        "CLASS",
        "URL",
    }


def test_cancelled_sessions_stay_as_cancelled():
    event = FeedEvent(
        uid="s@openiop",
        start=datetime(2026, 3, 9, 22, tzinfo=UTC),
        end=datetime(2026, 3, 9, 23, tzinfo=UTC),
        cancelled=True,
        sequence=1,
    )
    (parsed,) = icalendar.Calendar.from_ical(build_feed([event], zone="UTC", now=NOW)).walk(
        "VEVENT"
    )
    assert str(parsed["status"]) == "CANCELLED"
    assert parsed.decoded("sequence") == 1


def test_an_empty_feed_is_still_a_calendar():
    calendar = icalendar.Calendar.from_ical(build_feed([], zone="America/New_York", now=NOW))
    assert str(calendar["x-wr-timezone"]) == "America/New_York"
    assert calendar.walk("VEVENT") == []


def test_it_refuses_naive_or_backwards_events():
    start = datetime(2026, 3, 9, 22)
    with pytest.raises(ValueError, match="aware"):
        build_feed([FeedEvent("a", start, start + timedelta(hours=1))], zone="UTC", now=NOW)
    aware = start.replace(tzinfo=UTC)
    with pytest.raises(ValueError, match="end after"):
        build_feed([FeedEvent("a", aware, aware)], zone="UTC", now=NOW)
