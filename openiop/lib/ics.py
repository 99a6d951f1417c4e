"""Private calendar feeds (RFC 5545) that say only that there is a session, and when.

Calendar entries leave OpenIOP for phones and third-party calendar servers, so they carry no
PHI (DESIGN.md rule 5): no program or group name, no clinician, no other participant, no
diagnosis. The event type has no free-text field, so callers cannot put PHI in by mistake;
the summary is one calendar-wide title and the only link is an opaque session URL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import icalendar

from openiop.lib.recurrence import get_zone

PRODID = "-//OpenIOP//Sessions//EN"
DEFAULT_TITLE = "Session"
# Calendar clients poll feeds; an hour keeps cancellations timely without hammering the site.
REFRESH_INTERVAL = timedelta(hours=1)


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    start: datetime
    end: datetime
    cancelled: bool = False
    sequence: int = 0
    url: str = ""


def build_feed(
    events: Iterable[FeedEvent],
    *,
    zone: str,
    now: datetime,
    title: str = DEFAULT_TITLE,
    calendar_name: str = "Sessions",
) -> bytes:
    """The ICS text of `events`, with times written in `zone` (the feed owner's timezone).

    Cancelled events stay in the feed with STATUS:CANCELLED so calendar clients remove them
    instead of keeping a stale copy.
    """
    tz = get_zone(zone)
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", calendar_name)
    calendar.add("x-wr-timezone", tz.key)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for item in events:
        if item.start.tzinfo is None or item.end.tzinfo is None:
            raise ValueError("feed events need aware start and end times")
        if item.end <= item.start:
            raise ValueError("a feed event must end after it starts")
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", item.start.astimezone(tz))
        event.add("dtend", item.end.astimezone(tz))
        event.add("summary", title)
        event.add("sequence", item.sequence)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        event.add("transp", "OPAQUE")
        event.add("class", "PRIVATE")
        if item.url:
            event.add("url", item.url)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
