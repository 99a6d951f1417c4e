"""The time zone a person reads times in."""

from typing import Any

from django.conf import settings

from openiop.participants.models import Participant


def viewer_zone(user: Any) -> str:
    """A participant reads their chart's zone, staff their account's; nobody signed in, UTC.

    The chart's zone wins for participants because their care team keeps it current (it is
    the zone their sessions and reminders use); the account's zone is only a default.
    """
    if not getattr(user, "is_authenticated", False):
        return str(settings.TIME_ZONE)
    if user.is_participant:
        try:
            return str(user.participant.timezone)
        except Participant.DoesNotExist:
            pass
    return str(user.timezone)
