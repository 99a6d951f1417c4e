"""What program setup asks of the apps above it.

Removing a facilitator from a group that has booked sessions ahead deserves a warning that
lists them; sessions live in scheduling, above programs, so SchedulingConfig.ready registers
the lookup here.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class BookedSession:
    """An upcoming, not cancelled session of a group with at least one booking."""

    code: str
    starts_at: datetime
    booked: int
    url: str


UpcomingSessions = Callable[[Any], list[BookedSession]]
_upcoming: list[UpcomingSessions] = []


def register_upcoming_sessions(provider: UpcomingSessions) -> None:
    if provider not in _upcoming:
        _upcoming.append(provider)


def upcoming_booked_sessions(group: Any) -> list[BookedSession]:
    """One query per provider, soonest first."""
    found = [row for provider in _upcoming for row in provider(group)]
    return sorted(found, key=lambda row: row.starts_at)
