"""Video sessions for the personas (openiop/testing.py), as the scheduling engine stores them.

Pat's evening group: Dr. Alvarez leads it and Sam is its peer specialist; Pat is booked into
its session. Quinn's individual session: with Dr. Chen.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from openiop.consent.tests.helpers import sign_required
from openiop.programs.models import Group, GroupFacilitator, Track
from openiop.scheduling.models import Booking, Session
from openiop.telehealth.models import Attendance

PATS_GROUP = "Evening skills group"
QUINNS_SESSION = "Individual"


def _times(case: Any, starts_in: timedelta, minutes: int) -> dict[str, Any]:
    starts_at = timezone.now().replace(second=0, microsecond=0) + starts_in
    ends_at = starts_at + timedelta(minutes=minutes)
    zone = ZoneInfo(case.program.timezone)
    return {
        "program": case.program,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "local_date": starts_at.astimezone(zone).date(),
        "local_starts_at": starts_at.astimezone(zone).time(),
        "local_ends_at": ends_at.astimezone(zone).time(),
        "timezone": case.program.timezone,
    }


def make_session(
    case: Any,
    title: str,
    facilitators: list[Any],
    participants: list[Any],
    *,
    starts_in: timedelta = timedelta(minutes=-5),
    minutes: int = 180,
    capacity: int = 8,
) -> Session:
    """A group session of a group called ``title``; the first facilitator leads it."""
    track, _ = Track.objects.get_or_create(
        program=case.program, name="Video test track", defaults={"starts_on": date(2026, 1, 5)}
    )
    group = Group.objects.create(
        track=track,
        name=title,
        capacity=capacity,
        hard_cap=max(capacity, Group.DEFAULT_CAPACITY),
        curriculum_starts_on=date(2026, 1, 5),
    )
    for n, person in enumerate(facilitators):
        role = GroupFacilitator.Role.LEAD if n == 0 else GroupFacilitator.Role.CO_FACILITATOR
        GroupFacilitator.objects.create(group=group, clinician=person, role=role)
    session = Session.objects.create(
        group=group, kind=Session.Kind.GROUP, **_times(case, starts_in, minutes)
    )
    Booking.objects.bulk_create(
        Booking(session=session, participant=p, source=Booking.Source.MAKEUP) for p in participants
    )
    # Booked participants have signed what the first session needs (the consent gate).
    for participant in participants:
        sign_required(participant)
    return session


def make_appointment(case: Any, clinician: Any, participant: Any) -> Session:
    session = Session.objects.create(
        kind=Session.Kind.INDIVIDUAL,
        clinician=clinician,
        **_times(case, timedelta(minutes=-5), 60),
    )
    Booking.objects.create(
        session=session, participant=participant, source=Booking.Source.APPOINTMENT
    )
    sign_required(participant)
    return session


def pats_group(case: Any) -> Session:
    existing = Session.objects.filter(group__name=PATS_GROUP).first()
    return existing or make_session(case, PATS_GROUP, [case.alvarez, case.sam], [case.pat])


def quinns_session(case: Any) -> Session:
    existing = Session.objects.filter(kind=Session.Kind.INDIVIDUAL, clinician=case.chen).first()
    return existing or make_appointment(case, case.chen, case.quinn)


def waiting_attendance(session: Session, participant: Any) -> Attendance:
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
    """Own = Pat waiting in Pat's group; other = Quinn waiting for Dr. Chen.

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
    title = f"Afternoon group ({target})"
    session = Session.objects.filter(group__name=title).first()
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
