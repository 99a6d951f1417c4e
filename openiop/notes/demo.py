"""The demo's progress notes: weekly individual sessions and their notes, signed and draft.

Synthetic data. For the first participants seated in a group, the primary clinician had a weekly
individual session over the last three weeks; the two older sessions have signed notes citing
the plan's objectives (when a plan exists), the latest one a draft waiting to be signed. Half of
those participants also saw Dr. Chen for a psychiatry session, signed. One note has an addendum.
Signing goes through `actions.sign_note`, so the hashes and audit events are real.

Call after the scheduling demo (and the plan demo, for objectives):

    from openiop.notes.demo import load_notes_demo
    load_notes_demo(program, now=timezone.now())
"""

from datetime import datetime, time, timedelta

from django.db import transaction

from openiop.accounts.models import User
from openiop.lib.recurrence import get_zone
from openiop.notes import actions, queries
from openiop.notes.labels import note_is_part2
from openiop.notes.models import Note
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs.models import Program
from openiop.scheduling.models import Booking, Enrollment, Session

PARTICIPANTS = 8
WEEKS = 3

SOAP = [
    {
        "subjective": "Reports a hard week at work; used the TIPP skill twice when overwhelmed.",
        "objective": "On time, engaged, affect brighter toward the end. PHQ-9 reviewed together.",
        "assessment": "Building distress-tolerance skills; mood still low; no new risk factors.",
        "plan": "Practise one skill daily and log it; next session in a week.",
    },
    {
        "subjective": "Slept better; argued with a sibling and walked away instead of shouting.",
        "objective": "Calm, good eye contact, described the chain of events clearly.",
        "assessment": "Uses interpersonal skills under stress; progress toward the objective.",
        "plan": "Review DEAR MAN before the family visit; next session in a week.",
    },
]
DRAFT = {
    "subjective": "Says the group this week felt useful; worried about returning to work.",
    "objective": "Tired but engaged.",
}


def _at(day: datetime, hour: int, zone: str) -> datetime:
    return datetime.combine(day.date(), time(hour), tzinfo=get_zone(zone))


def _session(
    program: Program, participant: Participant, clinician: User, starts_at: datetime, kind: str
) -> Session:
    zone = get_zone(program.timezone)
    ends_at = starts_at + timedelta(minutes=50)
    session = Session.objects.create(
        program=program,
        kind=kind,
        clinician=clinician,
        starts_at=starts_at,
        ends_at=ends_at,
        local_date=starts_at.astimezone(zone).date(),
        local_starts_at=starts_at.astimezone(zone).time(),
        local_ends_at=ends_at.astimezone(zone).time(),
        timezone=program.timezone,
    )
    Booking.objects.create(
        session=session,
        participant=participant,
        source=Booking.Source.APPOINTMENT,
        attendance=Booking.Attendance.PRESENT,
        minutes_attended=50,
        recorded_by=clinician,
        recorded_at=ends_at,
    )
    return session


def _note(session: Session, participant: Participant, sections: dict[str, str]) -> Note:
    assert session.clinician is not None
    note = Note.objects.create(
        participant=participant,
        session=session,
        author=session.clinician,
        kind=session.kind,
        started_at=session.starts_at,
        ended_at=session.ends_at,
        participant_location=f"Home, {participant.home_state}",
        sections=sections,
        scores=queries.this_weeks_scores(participant, now=session.ends_at),
        risk_status=Note.Risk.NO_CONCERN,
        part2=note_is_part2(participant, session),
    )
    objectives = list(queries.objectives_to_pick(participant)[:2])
    if objectives:
        note.objectives.set(objectives)
    return note


@transaction.atomic
def load_notes_demo(program: Program, *, now: datetime) -> list[Note]:
    """Create the demo's individual and psychiatry sessions and their notes; returns the
    notes."""
    seated = (
        Enrollment.objects.filter(group__track__program=program, status=Enrollment.Status.SEATED)
        .values_list("participant_id", flat=True)
        .order_by("participant_id")
    )
    participants = list(Participant.objects.filter(pk__in=seated).order_by("pk")[:PARTICIPANTS])
    primaries = {
        member.participant_id: member.clinician
        for member in CareTeamMember.objects.filter(
            participant__in=participants, role=CareTeamMember.Role.PRIMARY_CLINICIAN
        ).select_related("clinician")
    }
    chen = User.objects.filter(
        program_memberships__program=program, discipline=User.Discipline.PSYCHIATRIST
    ).first()
    notes: list[Note] = []
    for index, participant in enumerate(participants):
        clinician = primaries.get(participant.pk)
        if clinician is None:
            continue
        for week in range(WEEKS, 0, -1):
            day = now - timedelta(days=7 * week - 6 + index % 3)
            starts_at = _at(day, 10 + index % 5, program.timezone)
            if starts_at >= now - timedelta(hours=1):
                continue
            session = _session(program, participant, clinician, starts_at, Session.Kind.INDIVIDUAL)
            if week == 1:
                notes.append(_note(session, participant, DRAFT))
                continue
            note = _note(session, participant, SOAP[week % len(SOAP)])
            notes.append(actions.sign_note(note, acting_user=clinician))
        if (
            chen is not None
            and index % 2 == 0
            and participant.care_team.filter(clinician=chen).exists()
        ):
            starts_at = _at(now - timedelta(days=10), 14, program.timezone)
            session = _session(program, participant, chen, starts_at, Session.Kind.PSYCHIATRY)
            note = _note(
                session,
                participant,
                {
                    "subjective": "Sleeping 6-7 hours; no side effects reported.",
                    "objective": "Calm, organised, no psychomotor change.",
                    "assessment": "Tolerating the current dose; mood improving slowly.",
                    "plan": "Continue the current dose; review in four weeks.",
                },
            )
            note.medications_reviewed = (
                queries.current_medications(participant, today=now.date())
                or "No medications on the chart; none prescribed."
            )
            note.save(update_fields=["medications_reviewed"])
            notes.append(actions.sign_note(note, acting_user=chen))
    signed = [note for note in notes if note.is_signed]
    if signed:
        actions.add_addendum(
            signed[0],
            text="The participant called the next day: the homework log is going well.",
            reason="Information received after signing",
            acting_user=signed[0].author,
        )
    return notes
