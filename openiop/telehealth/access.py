"""Who may reach a video session. Outsiders get 404, never a hint that the session exists."""

from __future__ import annotations

import enum
import uuid

from django.http import Http404

from openiop.accounts.models import User
from openiop.participants.models import Participant

from .models import Attendance
from .schedule import SessionInfo, get_session


class Seat(enum.Enum):
    PARTICIPANT = "participant"
    FACILITATOR = "facilitator"


def seat_for(user: User, info: SessionInfo) -> Seat | None:
    """Enrolled participants and assigned staff only: not directors, not the care team."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_staff_member:
        return Seat.FACILITATOR if user.pk in info.facilitator_ids else None
    participant = Participant.objects.filter(user=user).only("pk").first()
    if participant is not None and participant.pk in info.participant_ids:
        return Seat.PARTICIPANT
    return None


def get_session_for_user(user: User, code: uuid.UUID | str) -> tuple[SessionInfo, Seat]:
    info = get_session(code)
    seat = seat_for(user, info) if info is not None else None
    if info is None or seat is None:
        raise Http404
    return info, seat


def get_participant_seat(user: User, code: uuid.UUID | str) -> tuple[SessionInfo, Participant]:
    """For pages only a participant uses (location gate, waiting room)."""
    info, seat = get_session_for_user(user, code)
    if seat is not Seat.PARTICIPANT:
        raise Http404
    return info, Participant.objects.get(user=user)


def get_facilitator_session(user: User, code: uuid.UUID | str) -> SessionInfo:
    info, seat = get_session_for_user(user, code)
    if seat is not Seat.FACILITATOR:
        raise Http404
    return info


def get_attendance_for_facilitator(
    user: User, code: uuid.UUID | str, attendance_code: uuid.UUID | str
) -> tuple[SessionInfo, Attendance]:
    info = get_facilitator_session(user, code)
    attendance = (
        Attendance.objects.filter(session_code=info.code, code=attendance_code)
        .select_related("participant")
        .first()
    )
    if attendance is None:
        raise Http404
    return info, attendance
