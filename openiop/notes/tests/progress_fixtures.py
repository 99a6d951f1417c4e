"""Progress-note scenes around the personas (openiop/testing.py).

Dr. Alvarez saw Pat for an individual session that started an hour ago; Pat joined it by video
from "Brooklyn, NY", was admitted two minutes in and stayed 48 minutes. Pat answered a PHQ-9
three days ago (total 11, moderate). Pat's plan in effect has two objectives.
Dr. Chen saw Quinn for a psychiatry session; Quinn takes sertraline.
"""

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from openiop.accounts.models import User
from openiop.assessments.actions import shipped_instrument
from openiop.assessments.models import Assignment, Response
from openiop.careplans.models import Goal, Medication, Objective, PlanProblem, TreatmentPlan
from openiop.notes.models import Note
from openiop.participants.models import Participant
from openiop.scheduling.models import Booking, Session
from openiop.telehealth.models import Attendance


def appointment(
    case: Any,
    clinician: User,
    participant: Participant,
    *,
    kind: str = Session.Kind.INDIVIDUAL,
    starts_in: timedelta = timedelta(hours=-1),
    minutes: int = 50,
) -> Session:
    starts_at = timezone.now().replace(second=0, microsecond=0) + starts_in
    ends_at = starts_at + timedelta(minutes=minutes)
    zone = ZoneInfo(case.program.timezone)
    session = Session.objects.create(
        program=case.program,
        kind=kind,
        clinician=clinician,
        starts_at=starts_at,
        ends_at=ends_at,
        local_date=starts_at.astimezone(zone).date(),
        local_starts_at=starts_at.astimezone(zone).time(),
        local_ends_at=ends_at.astimezone(zone).time(),
        timezone=case.program.timezone,
    )
    Booking.objects.create(
        session=session, participant=participant, source=Booking.Source.APPOINTMENT
    )
    return session


def joined_by_video(
    session: Session, participant: Participant, *, late_minutes: int = 2, minutes: int = 48
) -> Attendance:
    return Attendance.objects.create(
        session_code=session.code,
        participant=participant,
        state=Attendance.State.ADMITTED,
        location="Brooklyn",
        location_state="NY",
        callback_phone="555-555-0100",
        private_place=True,
        location_confirmed_at=session.starts_at,
        waiting_since=session.starts_at,
        admitted_at=session.starts_at + timedelta(minutes=late_minutes),
        minutes_attended=minutes,
    )


def scored_phq9(
    case: Any, participant: Participant, *, days_ago: int = 3, total: int = 11
) -> Response:
    instrument = shipped_instrument("phq-9")
    assert participant.user is not None
    when = timezone.now() - timedelta(days=days_ago)
    assignment = Assignment.objects.create(
        participant=participant,
        instrument=instrument,
        assigned_by=case.alvarez,
        status=Assignment.Status.COMPLETED,
        completed_at=when,
    )
    return Response.objects.create(
        assignment=assignment,
        participant=participant,
        instrument=instrument,
        status=Response.Status.SUBMITTED,
        source=Response.Source.PARTICIPANT,
        answers={},
        started_by=participant.user,
        submitted_by=participant.user,
        submitted_at=when,
        complete=True,
        scores={
            "total": {
                "label": "PHQ-9 total score",
                "value": total,
                "band": "moderate",
                "band_label": "Moderate",
            }
        },
    )


def plan_with_objectives(
    case: Any, participant: Participant, *, status: str = TreatmentPlan.Status.ACTIVE
) -> list[Objective]:
    plan = TreatmentPlan.objects.create(
        participant=participant, status=status, created_by=case.alvarez
    )
    problem = PlanProblem.objects.create(
        plan=plan, in_own_words="I can't get out of bed.", clinical_statement="Low mood."
    )
    goal = Goal.objects.create(problem=problem, text="Feel able to do what matters again.")
    return [
        Objective.objects.create(
            goal=goal,
            position=0,
            text="Use one distress-tolerance skill daily",
            target_date=date(2027, 3, 1),
        ),
        Objective.objects.create(
            goal=goal,
            position=1,
            text="PHQ-9 at most 9",
            target_date=date(2027, 3, 12),
            measure="phq-9",
            measure_comparator="lte",
            measure_target=9,
        ),
    ]


def sertraline(case: Any, participant: Participant) -> Medication:
    return Medication.objects.create(
        participant=participant,
        name="Sertraline",
        dose="50 mg by mouth daily",
        prescriber="Dr. Wei Chen",
        started_on=date(2026, 1, 10),
        updated_by=case.chen,
    )


SOAP = {
    "subjective": "Pat says the week was hard.",
    "objective": "Alert, tearful at times.",
    "assessment": "Mood low but engaged; no new risk.",
    "plan": "Practise TIPP daily; next session Thursday.",
}


def complete_draft(
    author: User,
    participant: Participant,
    session: Session | None = None,
    **fields: Any,
) -> Note:
    """A draft with everything signing needs."""
    started = (
        session.starts_at
        if session
        else timezone.now().replace(second=0, microsecond=0) - timedelta(hours=2)
    )
    values: dict[str, Any] = {
        "participant": participant,
        "session": session,
        "author": author,
        "kind": session.kind if session else Note.Kind.INDIVIDUAL,
        "started_at": started,
        "ended_at": started + timedelta(minutes=50),
        "participant_location": "Brooklyn, NY",
        "sections": dict(SOAP),
        "risk_status": Note.Risk.NO_CONCERN,
    }
    values.update(fields)
    if "started_at" in fields and "ended_at" not in fields:
        values["ended_at"] = fields["started_at"] + timedelta(minutes=50)
    return Note.objects.create(**values)


def post_data(note: Note, **overrides: Any) -> dict[str, Any]:
    """The edit form's fields as the page posts them (times in the viewer's zone)."""
    zone = ZoneInfo(note.author.timezone)
    data: dict[str, Any] = {
        "edit_version": note.edit_version,
        "form": note.form,
        "started_at": note.started_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
        if note.started_at
        else "",
        "ended_at": note.ended_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
        if note.ended_at
        else "",
        "telehealth_mode": note.telehealth_mode,
        "participant_location": note.participant_location,
        "risk_status": note.risk_status,
        "risk_comment": note.risk_comment,
        "medications_reviewed": note.medications_reviewed,
        "objectives": [str(pk) for pk in note.objectives.values_list("pk", flat=True)],
    }
    for key, text in (note.sections or {}).items():
        data[f"section_{key}"] = text
    data.update(overrides)
    return data
