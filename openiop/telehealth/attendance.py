"""Turn a participant's join/leave/heartbeat events into minutes attended.

A pure function: the server records events as they arrive (``joined`` when Janus confirms the
join, ``heartbeat`` every 30 s while media flows, ``lost`` when the client loses Janus, ``left``
when the person leaves) and this module reads them back.

Rules, in order:
1. Events are read in time order (sightings before leaves at the same instant); a ``joined``
   while already present (a second tab, a repeated report) changes nothing.
2. ``left`` and ``lost`` end presence at their time. A reconnect is ``lost`` then ``joined``:
   the gap between them is not attended.
3. A sighting (``joined`` or ``heartbeat``) vouches for ``grace`` after it. If no event comes in
   time (browser crashed, laptop closed), presence ends at the last sighting + ``grace``; a later
   heartbeat without a new join starts presence again (the client kept the media).
4. Presence is clipped to the session's scheduled window; minutes are whole minutes, rounded
   down, so a billed minute is always a minute attended.
5. Late arrival: first presence more than ``late_after`` after the start. Early leave: last
   presence ends more than ``early_before`` before the end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class EventKind(StrEnum):
    JOINED = "joined"
    HEARTBEAT = "heartbeat"
    LOST = "lost"
    LEFT = "left"


HEARTBEAT_SECONDS = 30
DEFAULT_GRACE = timedelta(seconds=2 * HEARTBEAT_SECONDS + 15)
DEFAULT_LATE_AFTER = timedelta(minutes=5)
DEFAULT_EARLY_BEFORE = timedelta(minutes=5)


@dataclass(frozen=True)
class PresenceEvent:
    kind: EventKind
    at: datetime


@dataclass(frozen=True)
class Summary:
    minutes: int
    intervals: list[tuple[datetime, datetime]] = field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    late: bool = False
    left_early: bool = False
    reconnects: int = 0

    @property
    def attended(self) -> bool:
        return self.minutes > 0

    @property
    def gaps(self) -> list[tuple[datetime, datetime]]:
        """Times not attended between two stretches of presence (a reconnect, a failover)."""
        return [(a[1], b[0]) for a, b in zip(self.intervals, self.intervals[1:], strict=False)]

    @property
    def gap_spans(self) -> list[tuple[datetime, int]]:
        """Each gap as (when it began, how many seconds it lasted): a failover's gap is seconds
        long, so the sheet shows its start in the viewer's zone and its length."""
        return [(start, round((end - start).total_seconds())) for start, end in self.gaps]


def intervals(
    events: Iterable[PresenceEvent], *, grace: timedelta = DEFAULT_GRACE, until: datetime
) -> list[tuple[datetime, datetime]]:
    """Intervals of presence (rules 1 to 3), not yet clipped to the session window."""
    result: list[tuple[datetime, datetime]] = []
    opened: datetime | None = None
    seen: datetime | None = None

    def close(at: datetime) -> None:
        nonlocal opened, seen
        if opened is not None and at > opened:
            result.append((opened, at))
        opened = seen = None

    # At the same instant, a sighting is read before a leave (a last heartbeat sent with "left").
    ordered = sorted(events, key=lambda e: (e.at, e.kind in (EventKind.LOST, EventKind.LEFT)))
    for event in ordered:
        if opened is not None and seen is not None and event.at - seen > grace:
            close(seen + grace)
        if event.kind in (EventKind.JOINED, EventKind.HEARTBEAT):
            if opened is None:
                opened = event.at
            seen = event.at
        else:
            close(event.at)
    if opened is not None and seen is not None:
        close(min(seen + grace, until))
    return result


def summarize(
    events: Iterable[PresenceEvent],
    *,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime | None = None,
    grace: timedelta = DEFAULT_GRACE,
    late_after: timedelta = DEFAULT_LATE_AFTER,
    early_before: timedelta = DEFAULT_EARLY_BEFORE,
) -> Summary:
    until = ends_at if now is None else min(now, ends_at)
    clipped = [
        (max(start, starts_at), min(end, ends_at))
        for start, end in intervals(events, grace=grace, until=until)
        if end > starts_at and start < ends_at
    ]
    if not clipped:
        return Summary(minutes=0)
    seconds = sum((end - start).total_seconds() for start, end in clipped)
    first_seen, last_seen = clipped[0][0], clipped[-1][1]
    finished = now is None or now >= ends_at
    return Summary(
        minutes=int(seconds // 60),
        intervals=clipped,
        first_seen=first_seen,
        last_seen=last_seen,
        late=first_seen - starts_at > late_after,
        left_early=finished and ends_at - last_seen > early_before,
        # Each return after a gap (reconnect, crash, step out) opens one more interval.
        reconnects=len(clipped) - 1,
    )
