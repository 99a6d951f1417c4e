"""The plan drives the schedule: an intervention books its series of appointments."""

from datetime import date, time

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.careplans import booking
from openiop.careplans.booking import InterventionBookingError
from openiop.careplans.models import Intervention
from openiop.scheduling import actions as scheduling
from openiop.scheduling.access import clinicians_for_appointments
from openiop.scheduling.errors import SchedulingError
from openiop.scheduling.models import Booking, Session


def _naming(error: SchedulingError, day: date) -> SchedulingError:
    """The refusal with the date of the week it concerns (scheduling names it only in series)."""
    prefix = f"{day:%a %-d %b %Y}: "
    message = str(error)
    if message.startswith(prefix):
        return error
    return type(error)(prefix + message)


@transaction.atomic
def book_intervention_series(
    intervention: Intervention, *, first_day: date, starts_at: time, acting_user: User
) -> list[Session]:
    """Book the intervention's sessions with its responsible person, through the scheduling
    engine's own checks (licensure in the participant's state, availability, conflicts).

    All or nothing: a week that scheduling refuses refuses the series, and the error names
    that week. Weekly series are one `book_appointment` call of several weeks; every other
    week books each session on its own, all inside this one transaction. The codes of the
    booked sessions are kept on the intervention. Returns the sessions, earliest first.
    """
    # Lock the intervention: two clicks on "Book" must not book the series twice.
    intervention = (
        Intervention.objects.select_for_update(of=("self",))
        .select_related("plan__participant__program", "responsible_person")
        .get(pk=intervention.pk)
    )
    plan = intervention.plan
    participant = plan.participant
    problem = booking.refusal(intervention, plan)
    if problem:
        raise InterventionBookingError(problem)
    clinician = intervention.responsible_person
    program = participant.program
    assert clinician is not None and program is not None
    if not clinicians_for_appointments(program).filter(pk=clinician.pk).exists():
        raise InterventionBookingError(
            f"{clinician.display_name} does not take appointments in {program.name}: "
            "name someone on the program's clinical staff as responsible."
        )
    kind = booking.BOOKABLE_KINDS[intervention.modality]
    ends_at = booking.end_time(starts_at, intervention.duration_minutes)
    days = booking.series_days(intervention, plan, first_day=first_day)
    if booking.BOOKABLE_FREQUENCIES[intervention.frequency] == 1:
        try:
            scheduling.book_appointment(
                participant,
                clinician=clinician,
                kind=kind,
                day=days[0],
                starts_at=starts_at,
                ends_at=ends_at,
                weeks=len(days),
                acting_user=acting_user,
            )
        except SchedulingError as error:
            if len(days) > 1:
                raise  # scheduling named the week already
            raise _naming(error, days[0]) from error
        sessions = list(
            Session.objects.filter(
                clinician=clinician,
                kind=kind,
                status=Session.Status.SCHEDULED,
                local_date__in=days,
                local_starts_at=starts_at,
                bookings__participant=participant,
                bookings__status=Booking.Status.BOOKED,
            ).order_by("starts_at")
        )
    else:
        sessions = []
        for day in days:
            try:
                sessions.append(
                    scheduling.book_appointment(
                        participant,
                        clinician=clinician,
                        kind=kind,
                        day=day,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        acting_user=acting_user,
                    )
                )
            except SchedulingError as error:
                raise _naming(error, day) from error
    intervention.booked_session_codes = [
        *intervention.booked_session_codes,
        *(str(session.code) for session in sessions),
    ]
    intervention.booked_at = timezone.now()
    intervention.save(update_fields=["booked_session_codes", "booked_at"])
    record(
        "careplans.intervention_booked",
        acting_user=acting_user,
        participant=participant,
        target=intervention,
        details={
            "intervention": str(intervention.code),
            "plan": str(plan.code),
            "sessions": len(sessions),
            "first_day": days[0].isoformat(),
        },
    )
    return sessions
