"""Rows for the dashboard's tests, written straight to the tables at chosen times.

The dashboard only reads: these helpers put down exactly the stays, scores, sessions and
alerts a test's arithmetic talks about, without the actions' side effects (reminders, alerts,
seat counts) getting in the way of the numbers.
"""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from openiop.accounts.models import User
from openiop.assessments.actions import shipped_instrument
from openiop.assessments.models import Assignment, Response
from openiop.discharge.models import DischargeSummary
from openiop.intake.models import EpisodeOfCare, Referral
from openiop.participants.models import Participant
from openiop.programs.models import Group, Program, Track
from openiop.safety.models import SafetyAlert
from openiop.scheduling.models import Booking, Enrollment, Session


def at(day: date, hour: int, minute: int = 0, zone: str = "America/New_York") -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone))


def track_and_group(program: Program, name: str, group_name: str) -> Group:
    track = Track.objects.create(program=program, name=name, starts_on=date(2026, 1, 5))
    return Group.objects.create(track=track, name=group_name, curriculum_starts_on=date(2026, 1, 5))


def stay(
    participant: Participant,
    *,
    group: Group | None,
    admitted_at: datetime,
    by: User,
    discharged_on: date | None = None,
    ended_at: datetime | None = None,
) -> EpisodeOfCare:
    """An admission (referred three days before), a place in `group`, and when
    `discharged_on` is given a signed discharge summary that ended the stay that evening."""
    program = participant.program
    assert program is not None
    referral = Referral.objects.create(
        participant=participant,
        program=program,
        source=Referral.Source.PRIMARY_CARE,
        referrer="Test practice",
        reason="Test referral",
        consent_to_contact=True,
        stage=Referral.Stage.ADMITTED,
        created_by=by,
    )
    Referral.objects.filter(pk=referral.pk).update(created_at=admitted_at - timedelta(days=3))
    zone = ZoneInfo(program.timezone)
    admitted_on = admitted_at.astimezone(zone).date()
    if discharged_on is not None and ended_at is None:
        ended_at = at(discharged_on, 20, zone=program.timezone)
    episode = EpisodeOfCare.objects.create(
        participant=participant,
        program=program,
        referral=referral,
        level_of_care="iop",
        status="finished" if ended_at else "active",
        admitted_at=admitted_at,
        admitted_by=by,
        ended_at=ended_at,
        end_reason="completed" if ended_at else "",
    )
    if group is not None:
        Enrollment.objects.create(
            participant=participant,
            group=group,
            episode=episode,
            status="ended" if ended_at else "seated",
            starts_on=admitted_on,
            expected_end_on=admitted_on + timedelta(weeks=8),
            requested_at=admitted_at,
            seated_at=admitted_at,
            ended_at=ended_at,
            created_by=by,
        )
    if discharged_on is not None:
        assert ended_at is not None
        DischargeSummary.objects.create(
            participant=participant,
            episode=episode,
            status="signed",
            reason="completed",
            admitted_on=admitted_on,
            discharged_on=discharged_on,
            computed_at=ended_at,
            author=by,
            signed_by=by,
            signed_at=ended_at,
            content_hash="0" * 64,
        )
    return episode


def score(participant: Participant, key: str, value: int | None, when: datetime) -> Response:
    """A submitted response on `key` whose total is `value` (None: incomplete, not scored),
    completed at `when`."""
    instrument = shipped_instrument(key)
    user = participant.user
    assert user is not None
    assignment = Assignment.objects.create(
        participant=participant,
        instrument=instrument,
        status="completed",
        assigned_by=user,
        completed_at=when,
    )
    return Response.objects.create(
        assignment=assignment,
        participant=participant,
        instrument=instrument,
        status="submitted",
        source="participant",
        started_by=user,
        submitted_at=when,
        submitted_by=user,
        complete=value is not None,
        scores={"total": {"label": "Total score", "value": value, "band_label": ""}},
    )


def session(group: Group, day: date, start: time, minutes: int = 180, **fields: Any) -> Session:
    program = group.track.program
    starts = datetime.combine(day, start, tzinfo=ZoneInfo(program.timezone))
    ends = starts + timedelta(minutes=minutes)
    return Session.objects.create(
        program=program,
        group=group,
        kind="group",
        starts_at=starts,
        ends_at=ends,
        local_date=day,
        local_starts_at=start,
        local_ends_at=ends.time(),
        timezone=program.timezone,
        **fields,
    )


def book(
    session: Session,
    participant: Participant,
    attendance: str = "",
    minutes: int | None = None,
    status: str = "booked",
) -> Booking:
    return Booking.objects.create(
        session=session,
        participant=participant,
        source="enrollment",
        status=status,
        attendance=attendance,
        minutes_attended=minutes,
    )


def alert(participant: Participant, kind: str, opened_at: datetime) -> SafetyAlert:
    return SafetyAlert.objects.create(
        participant=participant,
        kind=kind,
        opened_at=opened_at,
        last_triggered_at=opened_at,
    )
