"""The demo's guest in a session: an individual video session today with one pending
interpreter's invitation (synthetic data)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from openiop.accounts.models import User
from openiop.programs.models import Program
from openiop.scheduling.models import Booking, Session

from . import actions, schedule
from .models import GuestInvite

CLINICIAN = "Alvarez"


def load_guest_demo(program: Program, *, now: datetime) -> GuestInvite | None:
    """Dr. Alvarez's individual session with her first participant, starting in ten minutes
    (its room opens now), with an invitation for "Maria (interpreter)" not used yet.

    The link itself is not kept (only its hash): to try the guest's side, withdraw it and
    invite again from the room page, then open the new link in a private window.
    """
    clinician = User.objects.filter(
        program_memberships__program=program, family_name=CLINICIAN
    ).first()
    participant = (
        program.participants.filter(care_team__clinician=clinician).order_by("pk").first()
        if clinician is not None
        else None
    )
    if clinician is None or participant is None:
        return None
    zone = ZoneInfo(program.timezone)
    starts_at = now.replace(second=0, microsecond=0) + timedelta(minutes=10)
    ends_at = starts_at + timedelta(minutes=50)
    session = Session.objects.create(
        program=program,
        kind=Session.Kind.INDIVIDUAL,
        clinician=clinician,
        starts_at=starts_at,
        ends_at=ends_at,
        local_date=starts_at.astimezone(zone).date(),
        local_starts_at=starts_at.astimezone(zone).time(),
        local_ends_at=ends_at.astimezone(zone).time(),
        timezone=program.timezone,
    )
    Booking.objects.create(
        session=session, participant=participant, source=Booking.Source.APPOINTMENT
    )
    info = schedule.get_session(session.code)
    assert info is not None
    invite, _ = actions.create_invite(
        info,
        role=GuestInvite.Role.INTERPRETER,
        display_name="Maria",
        acting_user=clinician,
    )
    return invite
