"""Attendance and make-up bookings."""

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.participants.models import Participant
from openiop.programs import licensure
from openiop.programs.models import Group
from openiop.scheduling import reminders
from openiop.scheduling.actions import seats
from openiop.scheduling.actions._shared import lock_group
from openiop.scheduling.errors import (
    AttendanceError,
    CapacityError,
    ConflictError,
    LicensureError,
    SchedulingError,
)
from openiop.scheduling.models import Booking, Enrollment, Session


@transaction.atomic
def record_attendance(
    booking: Booking, *, attendance: str, minutes: int | None, acting_user: User
) -> Booking:
    """Mark one participant at one session; absent and excused are 0 minutes."""
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("session", "participant")
        .get(pk=booking.pk)
    )
    session = booking.session
    if session.is_cancelled:
        raise AttendanceError("The session was cancelled.")
    if session.starts_at > timezone.now():
        raise AttendanceError("Attendance can be recorded once the session has started.")
    if attendance in (Booking.Attendance.ABSENT, Booking.Attendance.EXCUSED):
        minutes = 0
    elif minutes is None:
        if attendance != Booking.Attendance.PRESENT:
            raise AttendanceError("Enter the minutes attended for a late arrival or early leave.")
        minutes = session.minutes
    if not 0 <= minutes <= session.minutes:
        raise AttendanceError(f"Minutes attended must be between 0 and {session.minutes}.")
    booking.attendance = attendance
    booking.minutes_attended = minutes
    booking.recorded_by = acting_user
    booking.recorded_at = timezone.now()
    booking.save(update_fields=["attendance", "minutes_attended", "recorded_by", "recorded_at"])
    record(
        "scheduling.attendance_recorded",
        acting_user=acting_user,
        participant=booking.participant,
        target=booking,
        details={"session": str(session.code), "attendance": attendance, "minutes": minutes},
    )
    return booking


@transaction.atomic
def book_makeup(participant: Participant, session: Session, *, acting_user: User) -> Booking:
    """Book a participant into one session of another group of their track, seat permitting.

    Counted with the group's own members under the capacity rule (`seats.book`): the group
    row is locked first, then the session, as every seat-taking write does."""
    found = Session.objects.filter(pk=session.pk).values_list("group_id", flat=True).first()
    if found is None:
        raise SchedulingError("That session cannot take a make-up booking.")
    group = lock_group(Group(pk=found))
    session = seats.lock_sessions([session.pk])[0]
    if session.is_cancelled or session.starts_at <= timezone.now():
        raise SchedulingError("That session cannot take a make-up booking.")
    covered = licensure.group_covering_states([group.pk], session.local_date)[group.pk]
    if participant.home_state not in covered:
        # The video door would turn them away: refuse now, while another session can be found.
        raise LicensureError(
            "None of this session's facilitators is licensed in "
            f"{licensure.state_name(participant.home_state)}, where this participant lives."
        )
    if Booking.objects.filter(
        participant=participant,
        status=Booking.Status.BOOKED,
        session__status=Session.Status.SCHEDULED,
        session__starts_at__lt=session.ends_at,
        session__ends_at__gt=session.starts_at,
    ).exists():
        raise ConflictError("The participant already has a session at that time.")
    try:
        written, _ = seats.book(
            group,
            [
                Booking(
                    session=session,
                    participant=participant,
                    source=Booking.Source.MAKEUP,
                    status=Booking.Status.BOOKED,
                )
            ],
            update_fields=("source", "status"),
        )
    except CapacityError as error:
        raise CapacityError("That session is full.") from error
    booking = written[0]
    reminders.schedule_reminders([booking], session_for={session.pk: session})
    record(
        "scheduling.makeup_booked",
        acting_user=acting_user,
        participant=participant,
        target=booking,
        details={"session": str(session.code)},
    )
    return booking


@transaction.atomic
def release_group_bookings(participant: Participant, *, acting_user: User) -> int:
    """Release the participant's upcoming group bookings that no open place in a group holds
    (make-ups in other groups): their reminders then send nothing. Returns how many.

    End the enrollments first (`end_enrollment` releases their own bookings)."""
    released = (
        Booking.objects.filter(
            participant=participant,
            status=Booking.Status.BOOKED,
            session__kind=Session.Kind.GROUP,
            session__starts_at__gt=timezone.now(),
        )
        .exclude(enrollment__status__in=Enrollment.OPEN_STATUSES)
        .update(status=Booking.Status.RELEASED)
    )
    if released:
        record(
            "scheduling.bookings_released",
            acting_user=acting_user,
            participant=participant,
            target=participant,
            details={"bookings_released": released},
        )
    return released
