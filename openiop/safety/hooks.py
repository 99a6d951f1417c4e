"""What safety asks of the apps above it.

The alert page shows where the participant said they were at their current or last video
session (CLINICAL.md §4.3: the emergency protocol depends on the recorded location). Video
sessions live in telehealth, above safety, so telehealth registers a provider here in its
AppConfig.ready; safety never imports it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ReportedLocation:
    """Where the participant said they were when they checked in to a session."""

    text: str
    state: str  # two-letter code
    state_name: str
    confirmed_at: datetime
    callback_phone: Any = ""  # a PhoneNumber or ""
    private_place: bool | None = None
    # The session is still going on (its room is open); else it is the last one they joined.
    current: bool = False


# participant -> the latest location it knows of, or None.
LocationProvider = Callable[[Any], ReportedLocation | None]
_location_providers: list[LocationProvider] = []


def register_location_provider(provider: LocationProvider) -> None:
    if provider not in _location_providers:
        _location_providers.append(provider)


def last_location(participant: Any) -> ReportedLocation | None:
    """The most recently confirmed location any provider knows of (a query or two each)."""
    found = [loc for p in _location_providers if (loc := p(participant)) is not None]
    return max(found, key=lambda loc: loc.confirmed_at, default=None)
