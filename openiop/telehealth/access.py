"""Who may reach a video session. Outsiders get 404, never a hint that the session exists.

A staff seat is the session's group facilitators (or an appointment's clinician), counted only
for people who may hold a facilitator's chair (openiop.programs.access): an administrator or a
participant account set as a group's facilitator gets a 404 like anyone else. The facilitator
pages that show participants (the waiting list with locations and call-back phones, the
attendance sheet) record their reads here.

Guests (an interpreter, a family member) have no account: their browser session holds a
signed marker naming one invitation (``set_guest_marker``), and only the guest pages read it
(``get_guest``). Every other page sees an anonymous visitor.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from django.core import signing
from django.http import Http404, HttpRequest

from openiop.accounts.models import User
from openiop.audit.reads import record_read, record_read_once
from openiop.participants.access import own_chart
from openiop.participants.models import Participant
from openiop.programs import access as programs
from openiop.programs.eligibility import Seat as ProgramSeat

from .models import Attendance, GuestInvite
from .schedule import SessionInfo, get_session, upcoming_for_user
from .tokens import hash_token


class Seat(enum.Enum):
    PARTICIPANT = "participant"
    FACILITATOR = "facilitator"


def seat_for(user: User, info: SessionInfo) -> Seat | None:
    """Enrolled participants and assigned staff only: not directors, not the care team."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_staff_member:
        if user.pk in info.facilitator_ids and programs.holds_seat(
            user, ProgramSeat.FACILITATOR, info.program_id
        ):
            return Seat.FACILITATOR
        return None
    if own_chart(user).pk in info.participant_ids:
        return Seat.PARTICIPANT
    return None


def upcoming_sessions(user: User, *, since: datetime) -> list[SessionInfo]:
    """The user's sessions, leaving out staff seats the user may not hold."""
    upcoming = upcoming_for_user(user, since=since)
    if not user.is_staff_member:
        return upcoming  # booked into, by the query itself
    return [info for info in upcoming if seat_for(user, info) is Seat.FACILITATOR]


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
    return info, own_chart(user)


def get_facilitator_session(user: User, code: uuid.UUID | str) -> SessionInfo:
    info, seat = get_session_for_user(user, code)
    if seat is not Seat.FACILITATOR:
        raise Http404
    return info


def get_waiting_list(user: User, code: uuid.UUID | str, *, page_view: str) -> SessionInfo:
    """The waiting list (names, locations, call-back phones) for the session's facilitators.

    The room page polls it every few seconds under one `page_view` id, so one read is
    recorded per page view; a request without an id (opened on its own) always records.
    """
    info = get_facilitator_session(user, code)
    record_read_once(
        "telehealth.waiting_list_viewed",
        page_view=page_view,
        subject=str(info.code),
        acting_user=user,
        details={"session": str(info.code)},
    )
    return info


def get_attendance_sheet(user: User, code: uuid.UUID | str) -> SessionInfo:
    """The attendance sheet (who came, for how long) for the session's facilitators."""
    info = get_facilitator_session(user, code)
    record_read(
        "telehealth.attendance_viewed", acting_user=user, details={"session": str(info.code)}
    )
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


def record_crisis_reads(
    user: User, info: SessionInfo, attendances: list[Attendance], *, page_view: str
) -> None:
    """A crisis card shows the participant's phones and emergency contact: one read per card
    and page view (the panel polls every few seconds)."""
    for item in attendances:
        record_read_once(
            "telehealth.crisis_card_viewed",
            page_view=page_view,
            subject=f"{info.code}:{item.code}",
            acting_user=user,
            participant=item.participant,
            target=item,
            details={"session": str(info.code)},
        )


def get_breakout_companion(info: SessionInfo, user_id: str) -> User | None:
    """The staff member chosen to join a participant in the private room: one of the
    session's staff who holds a facilitator's seat; None for anyone else."""
    try:
        pk = int(user_id)
    except ValueError:
        return None
    if pk not in info.facilitator_ids:
        return None
    person = User.objects.filter(pk=pk, is_active=True).first()
    if person is None or seat_for(person, info) is not Seat.FACILITATOR:
        return None
    return person


def get_invite_for_facilitator(
    user: User, code: uuid.UUID | str, invite_code: uuid.UUID | str
) -> tuple[SessionInfo, GuestInvite]:
    """One of the session's guest invitations, for the session's facilitators."""
    info = get_facilitator_session(user, code)
    invite = GuestInvite.objects.filter(session_code=info.code, code=invite_code).first()
    if invite is None:
        raise Http404
    return info, invite


GUEST_MARKER = "telehealth_guest"
_GUEST_SALT = "openiop.telehealth.guest"


def set_guest_marker(request: HttpRequest, invite: GuestInvite) -> None:
    """Bind this browser to one invitation: a new session key, holding only the marker."""
    request.session.cycle_key()
    request.session[GUEST_MARKER] = signing.dumps(
        {"invite": str(invite.code), "session": str(invite.session_code)}, salt=_GUEST_SALT
    )


def get_guest(request: HttpRequest, code: uuid.UUID | str) -> tuple[SessionInfo, GuestInvite]:
    """The invitation ``code`` for the browser that consented to it; 404 for anyone else.

    Signed-in people are never guests (they use their own pages). A withdrawn or expired
    invitation is still returned: the guest's pages say so (actions.guest_problem).
    """
    if request.user.is_authenticated:
        raise Http404
    try:
        marker = signing.loads(request.session.get(GUEST_MARKER, ""), salt=_GUEST_SALT)
    except signing.BadSignature:
        raise Http404 from None
    if not isinstance(marker, dict) or marker.get("invite") != str(code):
        raise Http404
    invite = GuestInvite.objects.filter(
        code=code, session_code=str(marker.get("session")), used_at__isnull=False
    ).first()
    info = get_session(invite.session_code) if invite is not None else None
    if invite is None or info is None:
        raise Http404
    return info, invite


def invite_for_link(token: str) -> GuestInvite | None:
    """The invitation a guest link names (by its token's hash), whatever its state."""
    return GuestInvite.objects.filter(token_hash=hash_token(token)).first()


def session_for_invite(invite: GuestInvite) -> SessionInfo:
    info = get_session(invite.session_code)
    if info is None:
        raise Http404
    return info
