"""The measurement sweep: assign each questionnaire whose occasion has come due, then remind.

Run every few minutes (`manage.py assign_measures`, from cron or a systemd timer, or the
`assign_measures` task). It is idempotent: an occasion is unique per schedule, participant,
kind and due date, and each one is created under a lock on the participant's row after a
second look, so two sweeps at once assign nothing twice.

Steps, per program with an active schedule:
1. Today is the program's local date (its timezone, whatever each participant's own zone).
2. Each participant's stay: their episodes of care (admitted, and discharged when finished);
   for participants seated before intake ran in OpenIOP (no episode), their seats in the
   program's groups, from the first seat to the end of the last.
3. Each schedule's due occasions for each stay in its scope (occasions.due_occasions); a
   track's schedule covers participants who have held a seat in one of the track's groups.
4. For each occasion not yet made: the participant's open questionnaire of that instrument,
   if any, serves it, and earlier occasions it served are closed as missed; otherwise a new
   assignment of the instrument's current version is made.
Reminders follow (openiop.outcomes.reminders).
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from openiop.assessments.models import Assignment, InstrumentDefinition
from openiop.audit.actions import record
from openiop.intake.models import EpisodeOfCare
from openiop.lib.recurrence import get_zone
from openiop.outcomes import reminders
from openiop.outcomes.models import MeasurementOccasion, MeasurementSchedule
from openiop.outcomes.occasions import FOLLOW_UPS, GRACE, Occasions, Stay, due_occasions
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs.models import Program
from openiop.scheduling.models import Enrollment

logger = logging.getLogger(__name__)

# How long after discharge a stay can still have an occasion due (the last follow-up).
LAST_FOLLOW_UP = timedelta(days=max(FOLLOW_UPS.values())) + GRACE


@dataclass(frozen=True)
class Due:
    schedule: MeasurementSchedule
    participant_id: int
    kind: str
    due_on: date
    group_id: int | None
    clinician_id: int | None


@dataclass
class Seats:
    """Per participant: the tracks they have held a seat in, and their group (the one they
    sit in now, else their latest)."""

    tracks: dict[int, set[int]]
    group: dict[int, int]
    stays: dict[int, Stay]


def run(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    totals = {"assigned": 0, "carried_over": 0, "unavailable": 0}
    programs = Program.objects.filter(
        pk__in=MeasurementSchedule.objects.filter(is_active=True).values("program_id")
    )
    for program in programs:
        for key, count in assign_due(program, now=now).items():
            totals[key] += count
    totals["reminded"] = reminders.send_due(now=now)
    return totals


def assign_due(program: Program, *, now: datetime) -> dict[str, int]:
    zone = get_zone(program.timezone)
    today = now.astimezone(zone).date()
    schedules = list(
        MeasurementSchedule.objects.filter(program=program, is_active=True).select_related(
            "created_by"
        )
    )
    seats = _seats(program, zone)
    stays = _episode_stays(program, zone, since=now - LAST_FOLLOW_UP)
    # Participants with no episode in the program are judged by their seats alone.
    for participant_id, stay in seats.stays.items():
        stays.setdefault(participant_id, [stay])
    primary = dict(
        CareTeamMember.objects.filter(
            participant__program=program, role=CareTeamMember.Role.PRIMARY_CLINICIAN
        )
        .order_by("added_at", "id")
        .values_list("participant_id", "clinician_id")
    )
    made = set(
        MeasurementOccasion.objects.filter(
            schedule__in=schedules, due_on__gte=today - GRACE
        ).values_list("schedule_id", "participant_id", "kind", "due_on")
    )
    instruments = {
        row.key: row
        for row in InstrumentDefinition.objects.filter(
            key__in={s.instrument_key for s in schedules}, is_active=True
        )
    }
    result = {"assigned": 0, "carried_over": 0, "unavailable": 0}
    for schedule in schedules:
        plan = Occasions(
            starts_on=schedule.starts_on,
            at_admission=schedule.at_admission,
            weekly_on=schedule.weekly_on,
            at_discharge=schedule.at_discharge,
            follow_up_30=schedule.follow_up_30,
            follow_up_90=schedule.follow_up_90,
        )
        for participant_id, participant_stays in stays.items():
            if schedule.track_id and schedule.track_id not in seats.tracks.get(participant_id, ()):
                continue
            for stay in participant_stays:
                for kind, due_on in due_occasions(plan, stay, today):
                    if (schedule.pk, participant_id, kind, due_on) in made:
                        continue
                    instrument = instruments.get(schedule.instrument_key)
                    if instrument is None:
                        # The instrument was unloaded; the schedules page says so.
                        result["unavailable"] += 1
                        continue
                    outcome = make_occasion(
                        Due(
                            schedule,
                            participant_id,
                            kind,
                            due_on,
                            seats.group.get(participant_id),
                            primary.get(participant_id),
                        ),
                        instrument,
                        now=now,
                    )
                    made.add((schedule.pk, participant_id, kind, due_on))
                    if outcome:
                        result[outcome] += 1
    if result["unavailable"]:
        logger.warning(
            "Program %s: %s occasion(s) name an instrument that is not loaded",
            program.pk,
            result["unavailable"],
        )
    return result


def _local_date(moment: datetime, zone: object) -> date:
    return moment.astimezone(zone).date()  # type: ignore[arg-type]


def _episode_stays(program: Program, zone: object, *, since: datetime) -> dict[int, list[Stay]]:
    stays: dict[int, list[Stay]] = {}
    rows = (
        EpisodeOfCare.objects.filter(program=program, participant__program=program)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=since))
        .values_list("participant_id", "admitted_at", "ended_at")
    )
    for participant_id, admitted_at, ended_at in rows:
        stays.setdefault(participant_id, []).append(
            Stay(
                participant_id,
                _local_date(admitted_at, zone),
                _local_date(ended_at, zone) if ended_at else None,
            )
        )
    # Someone with only older episodes is not a "no episode" participant either.
    for participant_id in (
        EpisodeOfCare.objects.filter(program=program)
        .exclude(participant_id__in=list(stays))
        .values_list("participant_id", flat=True)
    ):
        stays.setdefault(participant_id, [])
    return stays


def _seats(program: Program, zone: object) -> Seats:
    seats = Seats(tracks={}, group={}, stays={})
    first: dict[int, date] = {}
    last_ended: dict[int, date] = {}
    still_seated: set[int] = set()
    rows = (
        Enrollment.objects.filter(
            group__track__program=program,
            participant__program=program,
            status__in=(Enrollment.Status.SEATED, Enrollment.Status.ENDED),
        )
        .order_by("starts_on", "id")
        .values_list(
            "participant_id", "group_id", "group__track_id", "status", "starts_on", "ended_at"
        )
    )
    for participant_id, group_id, track_id, status, starts_on, ended_at in rows:
        seats.tracks.setdefault(participant_id, set()).add(track_id)
        first.setdefault(participant_id, starts_on)
        if status == Enrollment.Status.SEATED:
            still_seated.add(participant_id)
            seats.group[participant_id] = group_id
            continue
        if participant_id not in still_seated:
            seats.group[participant_id] = group_id
        ended_on = _local_date(ended_at, zone) if ended_at else starts_on
        last_ended[participant_id] = max(last_ended.get(participant_id, ended_on), ended_on)
    for participant_id, admitted_on in first.items():
        discharged_on = None if participant_id in still_seated else last_ended[participant_id]
        seats.stays[participant_id] = Stay(participant_id, admitted_on, discharged_on)
    return seats


@transaction.atomic
def make_occasion(due: Due, instrument: InstrumentDefinition, *, now: datetime) -> str:
    """Make one occasion, under a lock on the participant's row (the lock assessments take
    to assign): "assigned" (a new questionnaire), "carried_over" (an open one serves it), or
    "" when another sweep made it first."""
    participant = Participant.objects.select_for_update().get(pk=due.participant_id)
    schedule = due.schedule
    if MeasurementOccasion.objects.filter(
        schedule=schedule, participant=participant, kind=due.kind, due_on=due.due_on
    ).exists():
        return ""
    # Any version of the instrument: a questionnaire already waiting is the one to answer.
    assignment = (
        Assignment.objects.filter(
            participant=participant,
            instrument__key=schedule.instrument_key,
            status=Assignment.Status.OPEN,
        )
        .order_by("assigned_at", "id")
        .first()
    )
    if assignment is None:
        assignment = Assignment.objects.create(
            participant=participant, instrument=instrument, assigned_by=schedule.created_by
        )
        outcome = "assigned"
        record(
            "outcomes.measure_assigned",
            acting_user=None,
            participant=participant,
            target=assignment,
            details={"kind": due.kind, "automatic": True, "date": due.due_on.isoformat()},
        )
    else:
        outcome = "carried_over"
        missed = MeasurementOccasion.objects.filter(
            assignment=assignment, superseded_at__isnull=True, due_on__lt=due.due_on
        ).update(superseded_at=now)
        record(
            "outcomes.measure_carried_over",
            acting_user=None,
            participant=participant,
            target=assignment,
            details={"kind": due.kind, "number": missed, "date": due.due_on.isoformat()},
        )
    MeasurementOccasion.objects.create(
        schedule=schedule,
        participant=participant,
        kind=due.kind,
        due_on=due.due_on,
        assignment=assignment,
        group_id=due.group_id,
        clinician_id=due.clinician_id,
    )
    return outcome
