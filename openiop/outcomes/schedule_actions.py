"""Configuring a program's measurement schedules: add, add the defaults, deactivate.

A schedule is never edited or deleted: its occasions point at it, so a change is a new
schedule and the old one is deactivated (it then makes no new occasions; the ones it made
keep counting in completion rates).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.assessments.models import InstrumentDefinition
from openiop.audit.actions import record
from openiop.lib.recurrence import get_zone
from openiop.outcomes.models import MeasurementSchedule, Weekday
from openiop.programs.models import Program, Track


@dataclass(frozen=True)
class Plan:
    instrument_key: str
    at_admission: bool = False
    weekly_on: int | None = None
    at_discharge: bool = False
    follow_up_30: bool = False
    follow_up_90: bool = False
    track: Track | None = None


# CLINICAL.md §2.10: PHQ-9 and GAD-7 at intake, weekly, at discharge and 30/90 days after.
# (The other intake measures there are licensed or conditional: a site adds them itself.)
DEFAULT_PLANS = tuple(
    Plan(
        key,
        at_admission=True,
        weekly_on=Weekday.MONDAY,
        at_discharge=True,
        follow_up_30=True,
        follow_up_90=True,
    )
    for key in ("phq-9", "gad-7")
)


def instrument_is_loaded(key: str) -> bool:
    return InstrumentDefinition.objects.filter(key=key, is_active=True).exists()


def _program_today(program: Program):  # type: ignore[no-untyped-def]
    return timezone.now().astimezone(get_zone(program.timezone)).date()


@transaction.atomic
def add_schedule(program: Program, plan: Plan, *, acting_user: User) -> MeasurementSchedule:
    """Add one schedule; ValidationError (safe to show) for an instrument that is not loaded,
    a track of another program, no occasion, or a duplicate of an active schedule."""
    if not instrument_is_loaded(plan.instrument_key):
        raise ValidationError(
            f"No instrument with the key “{plan.instrument_key}” is loaded. Load it first "
            "(manage.py load_instrument; see docs/outcomes.md)."
        )
    if plan.track is not None and plan.track.program_id != program.pk:
        raise ValidationError("That track belongs to another program.")
    if not schedule_has_occasion(plan):
        raise ValidationError("Choose at least one occasion.")
    try:
        with transaction.atomic():
            schedule = MeasurementSchedule.objects.create(
                program=program,
                track=plan.track,
                instrument_key=plan.instrument_key,
                at_admission=plan.at_admission,
                weekly_on=plan.weekly_on,
                at_discharge=plan.at_discharge,
                follow_up_30=plan.follow_up_30,
                follow_up_90=plan.follow_up_90,
                starts_on=_program_today(program),
                created_by=acting_user,
            )
    except IntegrityError as exc:
        raise ValidationError(
            "This instrument already has an active schedule for the same track (or the whole "
            "program). Deactivate that one first."
        ) from exc
    record(
        "outcomes.schedule_added",
        acting_user=acting_user,
        target=schedule,
        details={"program": str(program.code), "track": _track_code(schedule)},
    )
    return schedule


def schedule_has_occasion(plan: Plan) -> bool:
    return any(
        (
            plan.at_admission,
            plan.weekly_on is not None,
            plan.at_discharge,
            plan.follow_up_30,
            plan.follow_up_90,
        )
    )


def _track_code(schedule: MeasurementSchedule) -> str | None:
    return str(schedule.track.code) if schedule.track is not None else None


@transaction.atomic
def add_default_schedules(program: Program, *, acting_user: User) -> list[MeasurementSchedule]:
    """The defaults of CLINICAL.md §2.10 for the whole program, skipping any instrument that
    already has a program-wide schedule."""
    taken = set(
        MeasurementSchedule.objects.filter(
            program=program, track__isnull=True, is_active=True
        ).values_list("instrument_key", flat=True)
    )
    return [
        add_schedule(program, plan, acting_user=acting_user)
        for plan in DEFAULT_PLANS
        if plan.instrument_key not in taken
    ]


@transaction.atomic
def deactivate_schedule(schedule: MeasurementSchedule, *, acting_user: User) -> bool:
    """Stop a schedule making occasions; False when it was already inactive. Questionnaires
    it assigned stay with the participants."""
    updated = MeasurementSchedule.objects.filter(pk=schedule.pk, is_active=True).update(
        is_active=False, deactivated_at=timezone.now(), deactivated_by=acting_user
    )
    if not updated:
        return False
    record(
        "outcomes.schedule_deactivated",
        acting_user=acting_user,
        target=schedule,
        details={"program": str(schedule.program.code)},
    )
    return True
