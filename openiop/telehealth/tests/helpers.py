"""Video sessions for the personas (openiop/testing.py).

Pat's evening group: Dr. Alvarez leads it and Sam co-facilitates; Pat is booked into it.
Quinn's individual session: with Dr. Chen.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from openiop.telehealth.models import Attendance, StandInSession

PATS_GROUP = "Evening skills group"
QUINNS_SESSION = "Individual session"


def make_session(
    case: Any,
    title: str,
    facilitators: list[Any],
    participants: list[Any],
    *,
    starts_in: timedelta = timedelta(minutes=-5),
    minutes: int = 180,
    capacity: int = 8,
) -> StandInSession:
    starts_at = timezone.now() + starts_in
    session = StandInSession.objects.create(
        program=case.program,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        capacity=capacity,
    )
    session.facilitators.set(facilitators)
    session.participants.set(participants)
    return session


def pats_group(case: Any) -> StandInSession:
    existing = StandInSession.objects.filter(title=PATS_GROUP).first()
    return existing or make_session(case, PATS_GROUP, [case.alvarez, case.sam], [case.pat])


def quinns_session(case: Any) -> StandInSession:
    existing = StandInSession.objects.filter(title=QUINNS_SESSION).first()
    return existing or make_session(case, QUINNS_SESSION, [case.chen], [case.quinn], capacity=1)


def waiting_attendance(session: StandInSession, participant: Any) -> Attendance:
    existing = Attendance.objects.filter(session_code=session.code, participant=participant)
    return existing.first() or Attendance.objects.create(
        session_code=session.code,
        participant=participant,
        location="Brooklyn",
        location_state="NY",
        callback_phone="555-555-0100",
        private_place=True,
        location_confirmed_at=timezone.now(),
        waiting_since=timezone.now(),
    )


def _matrix_attendance(case: Any, target: str) -> Attendance:
    """Own = Pat waiting in Pat's group; other = Quinn waiting in Quinn's session.

    Both exist whichever matrix entry runs first, so every entry sees the same state.
    """
    own = waiting_attendance(pats_group(case), case.pat)
    other = waiting_attendance(quinns_session(case), case.quinn)
    return own if target == "own" else other


def session_kwargs(case: Any, target: str) -> dict:
    """For the authorisation matrix."""
    if target == "missing":
        return {"code": uuid.uuid4()}
    return {"code": _matrix_attendance(case, target).session_code}


def attendance_kwargs(case: Any, target: str) -> dict:
    if target == "missing":
        return {"code": uuid.uuid4(), "attendance_code": uuid.uuid4()}
    attendance = _matrix_attendance(case, target)
    return {"code": attendance.session_code, "attendance_code": attendance.code}


def admitted_session_kwargs(case: Any, target: str) -> dict:
    """A second session of each where the participant is already in the room."""
    if target == "missing":
        return {"code": uuid.uuid4()}
    title = f"Afternoon session ({target})"
    session = StandInSession.objects.filter(title=title).first()
    if session is None:
        if target == "own":
            session = make_session(case, title, [case.alvarez, case.sam], [case.pat])
        else:
            session = make_session(case, title, [case.chen], [case.quinn])
    person = case.pat if target == "own" else case.quinn
    attendance = waiting_attendance(session, person)
    attendance.state = Attendance.State.ADMITTED
    attendance.admitted_at = timezone.now()
    attendance.save()
    return {"code": session.code}
