"""The one place telehealth reads sessions from.

Telehealth needs only this much of a scheduled session: its window, its capacity, its
assigned staff and the participants booked into it. Until the scheduling engine's models are
on main it reads ``StandInSession``; switching to ``scheduling.Session`` + ``Booking`` (and
the group's facilitators) means rewriting the two functions below, nothing else.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from openiop.accounts.models import User

from .models import StandInSession


@dataclass(frozen=True)
class SessionInfo:
    code: uuid.UUID
    program_id: int
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    cancelled: bool
    facilitator_ids: frozenset[int]
    # Participant (chart) ids booked into the session.
    participant_ids: frozenset[int]

    @property
    def publishers(self) -> int:
        """Everyone may be on camera at once: capacity plus the assigned staff."""
        return self.capacity + len(self.facilitator_ids)


def _info(session: StandInSession) -> SessionInfo:
    return SessionInfo(
        code=session.code,
        program_id=session.program_id,
        title=session.title,
        kind=session.kind,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        capacity=session.capacity,
        cancelled=session.cancelled,
        facilitator_ids=frozenset(u.pk for u in session.facilitators.all()),
        participant_ids=frozenset(p.pk for p in session.participants.all()),
    )


def get_session(code: uuid.UUID | str) -> SessionInfo | None:
    session = (
        StandInSession.objects.filter(code=code)
        .prefetch_related("facilitators", "participants")
        .first()
    )
    return _info(session) if session else None


def upcoming_for_user(user: User, *, since: datetime, limit: int = 20) -> list[SessionInfo]:
    """Sessions the user is booked into or assigned to that have not ended before ``since``."""
    sessions = StandInSession.objects.filter(ends_at__gte=since, cancelled=False)
    if user.is_staff_member:
        sessions = sessions.filter(facilitators=user)
    else:
        sessions = sessions.filter(participants__user=user)
    sessions = sessions.order_by("starts_at").prefetch_related("facilitators", "participants")
    return [_info(s) for s in sessions[:limit]]


def facilitators(info: SessionInfo) -> list[User]:
    return list(User.objects.filter(pk__in=info.facilitator_ids).prefetch_related("licenses"))
