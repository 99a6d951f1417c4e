"""The one place telehealth meets the scheduling engine (its Session and Booking).

Telehealth needs only this much of a scheduled session: its window, its capacity, its
assigned staff (the group's facilitators, or the appointment's clinician) and the participants
booked into it; and it hands the minutes it counted back to the bookings (the hours ledger),
through the scheduling engine's own action.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from openiop.accounts.models import User
from openiop.participants.models import Participant
from openiop.programs.models import GroupFacilitator
from openiop.scheduling import actions as scheduling_actions
from openiop.scheduling.errors import AttendanceError
from openiop.scheduling.models import Booking, Session


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
    # Assigned staff in the co-facilitator role: who joins a participant in a private room.
    co_facilitator_ids: frozenset[int] = frozenset()

    @property
    def publishers(self) -> int:
        """Everyone may be on camera at once: capacity plus the assigned staff."""
        return self.capacity + len(self.facilitator_ids)


def _sessions() -> QuerySet[Session]:
    return Session.objects.select_related("group").prefetch_related(
        "group__facilitator_roles", "bookings"
    )


def _info(session: Session) -> SessionInfo:
    booked = frozenset(
        b.participant_id for b in session.bookings.all() if b.status == Booking.Status.BOOKED
    )
    if session.group is not None:
        roles = list(session.group.facilitator_roles.all())
        staff = frozenset(f.clinician_id for f in roles)
        co_facilitators = frozenset(
            f.clinician_id for f in roles if f.role == GroupFacilitator.Role.CO_FACILITATOR
        )
        capacity = session.group.capacity
        title = session.group.name
    else:
        staff = frozenset([session.clinician_id]) if session.clinician_id else frozenset()
        co_facilitators = frozenset()
        # An individual or family session: whoever is booked (family members come later).
        capacity = max(1, len(booked))
        title = f"{session.get_kind_display()} session"
    return SessionInfo(
        code=session.code,
        program_id=session.program_id,
        title=title,
        kind=session.kind,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        capacity=capacity,
        cancelled=session.is_cancelled,
        facilitator_ids=staff,
        participant_ids=booked,
        co_facilitator_ids=co_facilitators,
    )


def get_session(code: uuid.UUID | str) -> SessionInfo | None:
    session = _sessions().filter(code=code).first()
    return _info(session) if session else None


def upcoming_for_user(user: User, *, since: datetime, limit: int = 20) -> list[SessionInfo]:
    """Sessions the user is booked into or assigned to that have not ended before ``since``."""
    sessions = _sessions().filter(ends_at__gte=since, status=Session.Status.SCHEDULED)
    if user.is_staff_member:
        sessions = sessions.filter(Q(group__facilitator_roles__clinician=user) | Q(clinician=user))
    else:
        sessions = sessions.filter(
            bookings__participant__user=user, bookings__status=Booking.Status.BOOKED
        )
    return [_info(s) for s in sessions.distinct().order_by("starts_at")[:limit]]


def booking_for(session_code: uuid.UUID, participant: Participant) -> Booking | None:
    """Where the scheduling engine keeps this participant's attendance for the session."""
    return (
        Booking.objects.filter(session__code=session_code, participant=participant)
        .select_related("session", "participant")
        .first()
    )


def unmarked_bookings(info: SessionInfo) -> list[Booking]:
    """Bookings of the session that staff have not marked yet."""
    return list(
        Booking.objects.filter(
            session__code=info.code, status=Booking.Status.BOOKED, attendance=""
        ).select_related("session", "participant")
    )


def _booking_status(minutes: int, *, late: bool, left_early: bool) -> str:
    if minutes == 0:
        return Booking.Attendance.ABSENT
    if late:
        return Booking.Attendance.LATE
    if left_early:
        return Booking.Attendance.LEFT_EARLY
    return Booking.Attendance.PRESENT


def record_minutes(
    booking: Booking, minutes: int, *, late: bool, left_early: bool, acting_user: User | None
) -> None:
    """Write the minutes into the scheduling engine's booking (the hours ledger reads it)."""
    status = _booking_status(minutes, late=late, left_early=left_early)
    session_minutes = booking.session.minutes
    # AttendanceError: ended before it started, or cancelled: nothing to count.
    with contextlib.suppress(AttendanceError):
        scheduling_actions.record_attendance(
            booking,
            attendance=status,
            minutes=min(minutes, session_minutes) if status != Booking.Attendance.ABSENT else None,
            # None when the system closes the room; the booking then has no recorder.
            acting_user=acting_user,  # type: ignore[arg-type]
        )


def facilitators(info: SessionInfo) -> list[User]:
    return list(User.objects.filter(pk__in=info.facilitator_ids).prefetch_related("licenses"))
