"""Individual, family and psychiatry appointments: booking and moving them."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.lib import recurrence
from openiop.participants.models import Participant
from openiop.programs import licensure
from openiop.scheduling import reminders
from openiop.scheduling.actions import seats
from openiop.scheduling.errors import (
    AvailabilityError,
    ConflictError,
    LicensureError,
    SchedulingError,
)
from openiop.scheduling.models import Booking, ClinicianAvailability, Session
from openiop.scheduling.queries import clinician_sessions

# A weekly series covers at most a long IOP stay (CLINICAL.md: 6-12 weeks, often extended).
MAX_WEEKLY_APPOINTMENTS = 16


def _within_availability(clinician: User, start: datetime, end: datetime) -> bool:
    for window in ClinicianAvailability.objects.filter(clinician=clinician):
        zone = recurrence.get_zone(window.timezone)
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        if (
            local_start.weekday() == window.weekday
            and local_start.date() == local_end.date()
            and window.starts_at <= local_start.time()
            and local_end.time() <= window.ends_at
        ):
            return True
    return False


def _check_appointment(
    participant: Participant,
    clinician: User,
    *,
    day: date,
    starts_at: time,
    ends_at: time,
    fold: int | None,
    moving: Session | None = None,
) -> tuple[datetime, datetime]:
    """Lock both people, then refuse what cannot be booked; returns the UTC start and end.

    Refused, with a message naming the reason: a clinician not licensed in the participant's
    state on that day (telehealth follows the patient), a time outside the clinician's
    availability, and overlaps with either person's other sessions (`moving` excepted).
    """
    # Lock both people so two coordinators cannot book the same slot at once.
    User.objects.select_for_update().filter(pk=clinician.pk).first()
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    program = participant.program
    if program is None:
        raise SchedulingError("The participant is not in a program.")
    if ends_at <= starts_at:
        raise SchedulingError("The end time must be after the start time.")
    start = recurrence.to_utc(datetime.combine(day, starts_at), program.timezone, fold=fold)
    end = recurrence.to_utc(datetime.combine(day, ends_at), program.timezone, fold=fold)
    if start <= timezone.now():
        raise SchedulingError("The appointment must be in the future.")
    state = participant.home_state
    if not licensure.is_licensed(clinician, state, day):
        raise LicensureError(
            f"{clinician.display_name} is not licensed in {licensure.state_name(state)}, "
            f"where this participant is. Book a clinician licensed in {state}."
        )
    if not _within_availability(clinician, start, end):
        raise AvailabilityError(f"{clinician.display_name} is not available at that time.")
    others = Session.objects.exclude(pk=moving.pk) if moving else Session.objects.all()
    if (
        clinician_sessions(clinician)
        .filter(pk__in=others.values("pk"), starts_at__lt=end, ends_at__gt=start)
        .exists()
    ):
        raise ConflictError(f"{clinician.display_name} already has a session at that time.")
    if (
        Booking.objects.filter(
            participant=participant,
            status=Booking.Status.BOOKED,
            session__status=Session.Status.SCHEDULED,
            session__starts_at__lt=end,
            session__ends_at__gt=start,
        )
        .exclude(session=moving)
        .exists()
    ):
        raise ConflictError("The participant already has a session at that time.")
    return start, end


@transaction.atomic
def book_appointment(
    participant: Participant,
    *,
    clinician: User,
    kind: str,
    day: date,
    starts_at: time,
    ends_at: time,
    fold: int | None = None,
    weeks: int = 1,
    acting_user: User,
) -> Session:
    """Book an individual, family or psychiatry appointment (times in the program's zone).

    `weeks` > 1 books the same local time every week (e.g. the weekly individual session);
    all or nothing: one refused week refuses the series, naming that week's date. Returns the
    first session.
    """
    if kind == Session.Kind.GROUP:
        raise SchedulingError("Group sessions come from the group's template.")
    if not 1 <= weeks <= MAX_WEEKLY_APPOINTMENTS:
        raise SchedulingError(f"Repeat for 1 to {MAX_WEEKLY_APPOINTMENTS} weeks.")
    participant = Participant.objects.select_related("program").get(pk=participant.pk)
    assert participant.program is not None
    sessions = []
    for week in range(weeks):
        on = day + timedelta(weeks=week)
        try:
            start, end = _check_appointment(
                participant, clinician, day=on, starts_at=starts_at, ends_at=ends_at, fold=fold
            )
        except SchedulingError as error:
            if weeks == 1:
                raise
            raise type(error)(f"{on:%a %-d %b %Y}: {error}") from error
        sessions.append(
            Session.objects.create(
                program=participant.program,
                kind=kind,
                clinician=clinician,
                starts_at=start,
                ends_at=end,
                local_date=on,
                local_starts_at=starts_at,
                local_ends_at=ends_at,
                timezone=participant.program.timezone,
            )
        )
    bookings, _ = seats.book(
        None,
        [
            Booking(session=session, participant=participant, source=Booking.Source.APPOINTMENT)
            for session in sessions
        ],
    )
    reminders.schedule_reminders(bookings, session_for={s.pk: s for s in sessions})
    record(
        "scheduling.appointment_booked",
        acting_user=acting_user,
        participant=participant,
        target=sessions[0],
        details={"kind": kind, "clinician": str(clinician.code), "weeks": weeks},
    )
    return sessions[0]


@transaction.atomic
def reschedule_appointment(
    session: Session,
    *,
    day: date,
    starts_at: time,
    ends_at: time,
    fold: int | None = None,
    acting_user: User,
) -> Session:
    """Move an appointment, with the same checks as booking it.

    Reminder jobs carry the start they were made for, so the old time's jobs send nothing;
    new ones are queued for the new time, and calendar feeds see a higher SEQUENCE.
    """
    session = Session.objects.select_for_update(of=("self",)).get(pk=session.pk)
    if session.group_id is not None or session.clinician is None:
        raise SchedulingError("Only appointments can be moved; group sessions follow the template.")
    if session.is_cancelled or session.starts_at <= timezone.now():
        raise SchedulingError("Only upcoming, scheduled appointments can be moved.")
    booking = session.bookings.select_related("participant__program").get(
        status=Booking.Status.BOOKED
    )
    start, end = _check_appointment(
        booking.participant,
        session.clinician,
        day=day,
        starts_at=starts_at,
        ends_at=ends_at,
        fold=fold,
        moving=session,
    )
    previous = session.starts_at
    session.starts_at, session.ends_at = start, end
    session.local_date, session.local_starts_at, session.local_ends_at = day, starts_at, ends_at
    session.sequence += 1
    session.save(
        update_fields=[
            "starts_at",
            "ends_at",
            "local_date",
            "local_starts_at",
            "local_ends_at",
            "sequence",
        ]
    )
    reminders.schedule_reminders([booking], session_for={session.pk: session})
    record(
        "scheduling.appointment_moved",
        acting_user=acting_user,
        participant=booking.participant,
        target=session,
        details={"from": previous.isoformat(), "to": start.isoformat()},
    )
    return session
