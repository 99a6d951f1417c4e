"""What booking an intervention's series would do: which interventions can book one, on which
days, and what first slot to suggest (issue 9, "the plan drives the schedule").

The booking itself is `openiop.careplans.actions.book_intervention_series`; everything here only
reads.

Rules (decided where the issue was silent):
- Individual therapy, family therapy and medication management book appointments (kinds
  individual, family and psychiatry); group modalities are seated through group enrollment.
- Weekly and every-other-week frequencies book a series; others are booked by hand.
- Only a plan in effect, or one awaiting signatures (its content is final), books; a draft
  can still change and a superseded version no longer applies.
- The series runs `length_weeks` when the intervention names it, otherwise up to the plan's
  next review (or, for a plan not yet in effect, one review cadence from today), and never
  past the anticipated discharge date; at most MAX_WEEKLY_APPOINTMENTS sessions at a time.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from openiop.careplans.models import Intervention, TreatmentPlan
from openiop.lib import recurrence
from openiop.scheduling.actions import MAX_WEEKLY_APPOINTMENTS
from openiop.scheduling.errors import SchedulingError
from openiop.scheduling.models import ClinicianAvailability, Session

BOOKABLE_KINDS: dict[str, str] = {
    Intervention.Modality.INDIVIDUAL: Session.Kind.INDIVIDUAL,
    Intervention.Modality.FAMILY: Session.Kind.FAMILY,
    Intervention.Modality.MEDICATION_MANAGEMENT: Session.Kind.PSYCHIATRY,
}
# Weeks between two sessions of the series.
BOOKABLE_FREQUENCIES: dict[str, int] = {
    Intervention.Frequency.WEEKLY: 1,
    Intervention.Frequency.EVERY_OTHER_WEEK: 2,
}
BOOKABLE_PLAN_STATUSES = (TreatmentPlan.Status.ACTIVE, TreatmentPlan.Status.AWAITING_SIGNATURES)
# How far ahead a first slot is looked for.
SUGGESTION_DAYS = 14


class InterventionBookingError(SchedulingError):
    """The series cannot be booked; `str(error)` is a message for the person asking."""


def is_bookable(intervention: Intervention) -> bool:
    """The kind of intervention that books a series (whatever the plan's state)."""
    return (
        intervention.modality in BOOKABLE_KINDS and intervention.frequency in BOOKABLE_FREQUENCIES
    )


def program_today(plan: TreatmentPlan) -> date:
    program = plan.participant.program
    zone = program.timezone if program is not None else "UTC"
    return timezone.now().astimezone(recurrence.get_zone(zone)).date()


def upcoming_codes(intervention: Intervention) -> list[str]:
    """Codes of the intervention's booked sessions that are still to come (one query)."""
    if not intervention.booked_session_codes:
        return []
    return [
        str(code)
        for code in Session.objects.filter(
            code__in=intervention.booked_session_codes,
            status=Session.Status.SCHEDULED,
            starts_at__gt=timezone.now(),
        ).values_list("code", flat=True)
    ]


def refusal(
    intervention: Intervention, plan: TreatmentPlan, *, upcoming: list[str] | None = None
) -> str | None:
    """Why the series cannot be booked now, or None. Asks the database only about sessions
    already booked for it (`upcoming`, when the caller has them: upcoming_codes)."""
    if not is_bookable(intervention):
        return (
            f"{intervention.get_modality_display()} {intervention.get_frequency_display().lower()}"
            " is not booked from the plan: book it on the schedule."
        )
    if plan.status not in BOOKABLE_PLAN_STATUSES:
        return (
            "Only a plan in effect or awaiting signatures books sessions; "
            f"this one is {plan.get_status_display().lower()}."
        )
    if plan.participant.discharged_at is not None:
        return "The participant has been discharged."
    if plan.participant.program_id is None:
        return "The participant is not in a program."
    if intervention.responsible_person_id is None:
        return "Name the person responsible for this intervention before booking its sessions."
    if upcoming is None:
        upcoming = upcoming_codes(intervention)
    if upcoming:
        count = len(upcoming)
        return (
            f"This intervention already has {count} upcoming session{'s' if count != 1 else ''}"
            " booked; cancel them on the schedule to book it again."
        )
    return None


def last_day(intervention: Intervention, plan: TreatmentPlan, *, today: date) -> date | None:
    """Where a series without a length stops: the next review, never past discharge.

    None when the intervention has its own length in weeks.
    """
    if intervention.length_weeks:
        return None
    program = plan.participant.program
    cadence = program.plan_review_days if program is not None else 30
    until = plan.review_due_on or today + timedelta(days=cadence)
    if plan.anticipated_discharge_on is not None:
        until = min(until, plan.anticipated_discharge_on)
    return until


def series_days(intervention: Intervention, plan: TreatmentPlan, *, first_day: date) -> list[date]:
    """The days of the series, first_day first (at most MAX_WEEKLY_APPOINTMENTS)."""
    step = timedelta(weeks=BOOKABLE_FREQUENCIES[intervention.frequency])
    if intervention.length_weeks:
        count = -(-intervention.length_weeks // (step.days // 7))
        days = [first_day + step * n for n in range(count)]
    else:
        until = last_day(intervention, plan, today=program_today(plan))
        assert until is not None
        if first_day > until:
            raise InterventionBookingError(
                f"The first session must be on or before {until:%a %-d %b %Y}, "
                "the plan's next review or anticipated discharge."
            )
        days = []
        day = first_day
        while day <= until:
            days.append(day)
            day += step
    return days[:MAX_WEEKLY_APPOINTMENTS]


def end_time(starts_at: time, minutes: int) -> time:
    """The wall time `minutes` after `starts_at`, on the same day."""
    end = datetime.combine(date(2000, 1, 1), starts_at) + timedelta(minutes=minutes)
    if end.date() != date(2000, 1, 1) or end.time() == time(0):
        raise InterventionBookingError("The session would run past midnight: start it earlier.")
    return end.time()


@dataclass(frozen=True)
class Suggestion:
    first_day: date
    starts_at: time


def suggest(
    intervention: Intervention, plan: TreatmentPlan, *, windows: list[ClinicianAvailability]
) -> Suggestion | None:
    """The first slot from tomorrow in the clinician's availability long enough for the
    session, in the program's zone; None without availability. It does not look for conflicts:
    the booking checks those and names the week that clashes."""
    program = plan.participant.program
    if program is None or not windows:
        return None
    zone = recurrence.get_zone(program.timezone)
    today = program_today(plan)
    length = timedelta(minutes=intervention.duration_minutes)
    for offset in range(1, SUGGESTION_DAYS + 1):
        day = today + timedelta(days=offset)
        for window in sorted(windows, key=lambda w: w.starts_at):
            window_zone = recurrence.get_zone(window.timezone)
            start = datetime.combine(day, window.starts_at, tzinfo=window_zone)
            end = datetime.combine(day, window.ends_at, tzinfo=window_zone)
            if start.weekday() != window.weekday or start + length > end:
                continue
            local = start.astimezone(zone)
            return Suggestion(first_day=local.date(), starts_at=local.time().replace(tzinfo=None))
    return None


def availability(clinician_ids: set[int]) -> dict[int, list[ClinicianAvailability]]:
    """Availability windows by clinician, in one query."""
    found: dict[int, list[ClinicianAvailability]] = {pk: [] for pk in clinician_ids}
    for window in ClinicianAvailability.objects.filter(clinician_id__in=clinician_ids):
        found[window.clinician_id].append(window)
    return found
