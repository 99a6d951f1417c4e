"""The demo's measurement schedules and six weeks of weekly PHQ-9/GAD-7 history.

The program gets the default schedules (CLINICAL.md §2.10), started six weeks ago. Seated
participants get one occasion per Monday since then: most completed (scores easing over the
weeks), some missed; a missed week's questionnaire stays open and serves the next week, as the
sweep does it. Synthetic data, written in bulk (the demo is not a clinical record, so it is not
audited row by row); `manage.py assign_measures` (scripts/demo.sh runs it) carries on from
this week.
"""

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction

from openiop.accounts.models import User
from openiop.assessments.actions import _apply_result
from openiop.assessments.models import Assignment, InstrumentDefinition, Response
from openiop.assessments.scoring import score
from openiop.lib.recurrence import get_zone
from openiop.outcomes import schedule_actions
from openiop.outcomes.models import MeasurementOccasion, MeasurementSchedule, Weekday
from openiop.outcomes.occasions import latest_weekday
from openiop.participants.models import CareTeamMember
from openiop.programs.models import Program
from openiop.scheduling.models import Enrollment

WEEKS = 6
PARTICIPANTS = 24
CODES = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]  # 0..3, PHQ-9 and GAD-7 alike
ITEMS = {"phq-9": 9, "gad-7": 7}


def _answers(rng: random.Random, key: str, level: float) -> dict[str, str]:
    answers = {
        str(n): CODES[min(3, max(0, round(rng.gauss(level, 0.7))))]
        for n in range(1, ITEMS[key] + 1)
    }
    if key == "phq-9":
        answers["9"] = CODES[0]  # no demo history raises a safety alert
    return answers


@transaction.atomic
def load_schedules_demo(program: Program, *, now: datetime, seed: int = 2026) -> None:
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    director = User.objects.filter(
        program_memberships__program=program, role=User.Role.PROGRAM_DIRECTOR
    ).first()
    if director is None:
        return
    schedule_actions.add_default_schedules(program, acting_user=director)
    zone = get_zone(program.timezone)
    this_monday = latest_weekday(now.astimezone(zone).date(), Weekday.MONDAY)
    first_monday = this_monday - timedelta(weeks=WEEKS)
    schedules = list(MeasurementSchedule.objects.filter(program=program, is_active=True))
    MeasurementSchedule.objects.filter(pk__in=[s.pk for s in schedules]).update(
        starts_on=first_monday
    )
    instruments = {
        row.key: row
        for row in InstrumentDefinition.objects.filter(key__in=list(ITEMS), is_active=True)
    }
    seats = list(
        Enrollment.objects.filter(
            group__track__program=program,
            status=Enrollment.Status.SEATED,
            participant__user__isnull=False,
            participant__discharged_at__isnull=True,
        )
        .select_related("participant__user")
        .order_by("participant_id")[:PARTICIPANTS]
    )
    primary = dict(
        CareTeamMember.objects.filter(
            participant__program=program, role=CareTeamMember.Role.PRIMARY_CLINICIAN
        ).values_list("participant_id", "clinician_id")
    )
    already_open = set(
        Assignment.objects.filter(
            participant__program=program, status=Assignment.Status.OPEN
        ).values_list("participant_id", "instrument__key")
    )

    def at(day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=zone)

    for seat in seats:
        participant = seat.participant
        # Some participants complete nearly everything, some about half.
        diligence = rng.choice([0.95, 0.85, 0.7, 0.5])
        level = rng.uniform(1.2, 2.4)
        mondays = [
            first_monday + timedelta(weeks=n)
            for n in range(WEEKS)
            if first_monday + timedelta(weeks=n) > seat.starts_on
        ]
        for schedule in schedules:
            key = schedule.instrument_key
            if key not in instruments or (participant.pk, key) in already_open:
                continue
            _history(
                rng,
                schedule,
                instruments[key],
                participant,
                mondays,
                at=at,
                diligence=diligence,
                level=level,
                group_id=seat.group_id,
                clinician_id=primary.get(participant.pk),
                assigned_by=director,
            )


def _history(
    rng: random.Random,
    schedule: MeasurementSchedule,
    instrument: InstrumentDefinition,
    participant,  # type: ignore[no-untyped-def]
    mondays: list[date],
    *,
    at,  # type: ignore[no-untyped-def]
    diligence: float,
    level: float,
    group_id: int,
    clinician_id: int | None,
    assigned_by: User,
) -> None:
    user = participant.user
    definition = instrument.definition
    waiting: tuple[Assignment, list[MeasurementOccasion]] | None = None
    for week, monday in enumerate(mondays):
        if waiting is None:
            assignment = Assignment.objects.create(
                participant=participant, instrument=instrument, assigned_by=assigned_by
            )
            Assignment.objects.filter(pk=assignment.pk).update(assigned_at=at(monday, 9))
            waiting = (assignment, [])
        else:
            # Last week's questionnaire is still open: it serves this week, last week is missed.
            MeasurementOccasion.objects.filter(pk__in=[o.pk for o in waiting[1]]).update(
                superseded_at=at(monday, 0)
            )
        assignment, served = waiting
        occasion = MeasurementOccasion.objects.create(
            schedule=schedule,
            participant=participant,
            kind=MeasurementOccasion.Kind.WEEKLY,
            due_on=monday,
            assignment=assignment,
            group_id=group_id,
            clinician_id=clinician_id,
            reminded_at=at(monday, 10),
        )
        served.append(occasion)
        if rng.random() > diligence:
            continue
        submitted_at = at(monday, 10) + timedelta(hours=rng.randint(1, 50))
        answers = _answers(rng, instrument.key, level - 0.18 * week)
        response = Response(
            assignment=assignment,
            participant=participant,
            instrument=instrument,
            status=Response.Status.SUBMITTED,
            source=Response.Source.PARTICIPANT,
            answers=answers,
            started_by=user,
            submitted_at=submitted_at,
            submitted_by=user,
        )
        _apply_result(response, score(definition, answers))
        response.save()
        Assignment.objects.filter(pk=assignment.pk).update(
            status=Assignment.Status.COMPLETED, completed_at=submitted_at
        )
        waiting = None
