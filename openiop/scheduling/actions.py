"""Every scheduling write: atomic, audited, with the acting user keyword-only.

Lock order, to stay free of deadlocks: the group row (or clinician, then participant rows)
first, then `audit.record` (which takes the audit chain's advisory lock) last.
"""

import hashlib
import secrets
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from openiop.accounts.models import StateLicense, User
from openiop.audit.actions import record
from openiop.intake.models import EpisodeOfCare
from openiop.lib import recurrence
from openiop.lib.hours import week_start
from openiop.lib.states import STATE_CHOICES
from openiop.participants.models import Participant
from openiop.programs.models import Group, GroupFacilitator, Program
from openiop.scheduling import reminders
from openiop.scheduling.errors import (
    AdmissionError,
    AttendanceError,
    AvailabilityError,
    CapacityError,
    ConflictError,
    LicensureError,
    SchedulingError,
)
from openiop.scheduling.models import (
    Booking,
    CalendarFeed,
    ClinicianAvailability,
    Enrollment,
    Holiday,
    ReminderPreference,
    Session,
)

STATE_NAMES = dict(STATE_CHOICES)
# A weekly series covers at most a long IOP stay (CLINICAL.md: 6-12 weeks, often extended).
MAX_WEEKLY_APPOINTMENTS = 16


def _program_today(program: Program) -> date:
    return timezone.now().astimezone(recurrence.get_zone(program.timezone)).date()


# --- Sessions -------------------------------------------------------------------------------


def generate_group_sessions(
    group: Group, *, first_day: date, last_day: date, acting_user: User | None = None
) -> int:
    """Create the group's template sessions on first_day..last_day; existing ones are kept.

    Holidays are skipped. Cancelled sessions stay cancelled (their slot is taken).
    """
    with transaction.atomic():
        track = group.track
        program = track.program
        holidays = set(
            Holiday.objects.filter(program=program, date__range=(first_day, last_day)).values_list(
                "date", flat=True
            )
        )
        first_day = max(first_day, track.starts_on)
        if last_day < first_day:
            return 0
        occurrences = recurrence.expand_all(
            track.weekly_blocks(),
            program.timezone,
            first_day=first_day,
            last_day=last_day,
            skip=holidays,
        )
        existing = set(
            Session.objects.filter(
                group=group, local_date__range=(first_day, last_day)
            ).values_list("starts_at", flat=True)
        )
        sessions = [
            Session(
                program=program,
                group=group,
                kind=Session.Kind.GROUP,
                starts_at=occurrence.start,
                ends_at=occurrence.end,
                local_date=occurrence.local_date,
                local_starts_at=occurrence.local_start,
                local_ends_at=occurrence.local_end,
                timezone=occurrence.zone,
            )
            for occurrence in occurrences
            if occurrence.start not in existing
        ]
        if not sessions:
            return 0
        # ignore_conflicts covers a concurrent generator that inserted the same slot first.
        Session.objects.bulk_create(sessions, ignore_conflicts=True)
        record(
            "scheduling.sessions_generated",
            acting_user=acting_user,
            target=group,
            details={
                "first_day": first_day.isoformat(),
                "last_day": last_day.isoformat(),
                "sessions": len(sessions),
            },
        )
        return len(sessions)


@transaction.atomic
def add_extra_session(
    group: Group,
    *,
    day: date,
    starts_at: time,
    ends_at: time,
    fold: int | None = None,
    acting_user: User,
) -> Session:
    """A one-off group session; every member seated on that day is booked into it."""
    group = _lock_group(group)
    program = group.track.program
    if ends_at <= starts_at:
        raise SchedulingError("The end time must be after the start time.")
    start = recurrence.to_utc(datetime.combine(day, starts_at), program.timezone, fold=fold)
    end = recurrence.to_utc(datetime.combine(day, ends_at), program.timezone, fold=fold)
    if Session.objects.filter(group=group, starts_at=start).exists():
        raise SchedulingError("The group already has a session at that time.")
    session = Session.objects.create(
        program=program,
        group=group,
        kind=Session.Kind.GROUP,
        starts_at=start,
        ends_at=end,
        local_date=day,
        local_starts_at=starts_at,
        local_ends_at=ends_at,
        timezone=program.timezone,
        is_extra=True,
    )
    members = Enrollment.objects.filter(
        group=group, status=Enrollment.Status.SEATED, starts_on__lte=day, expected_end_on__gte=day
    )
    bookings = Booking.objects.bulk_create(
        [
            Booking(
                session=session,
                participant_id=enrollment.participant_id,
                enrollment=enrollment,
                source=Booking.Source.ENROLLMENT,
            )
            for enrollment in members
        ]
    )
    reminders.schedule_reminders(bookings, session_for={session.pk: session})
    record(
        "scheduling.extra_session_added",
        acting_user=acting_user,
        target=session,
        details={"group": str(group.code), "booked": len(bookings)},
    )
    return session


def _cancel(session: Session, *, reason: str) -> list[Booking]:
    session.status = Session.Status.CANCELLED
    session.cancel_reason = reason
    session.cancelled_at = timezone.now()
    session.sequence = F("sequence") + 1
    session.save(update_fields=["status", "cancel_reason", "cancelled_at", "sequence"])
    session.refresh_from_db(fields=["sequence"])
    return list(session.bookings.filter(status=Booking.Status.BOOKED))


@transaction.atomic
def cancel_session(session: Session, *, reason: str, acting_user: User) -> Session:
    """Cancel one session; its participants are told (once) and its reminders stop."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.is_cancelled:
        raise SchedulingError("This session is already cancelled.")
    if session.starts_at <= timezone.now():
        raise SchedulingError("A session that has started can no longer be cancelled.")
    bookings = _cancel(session, reason=reason)
    reminders.schedule_cancellation_notices(bookings, session)
    record(
        "scheduling.session_cancelled",
        acting_user=acting_user,
        target=session,
        details={"reason": reason, "notified": len(bookings)},
    )
    return session


@transaction.atomic
def add_holiday(program: Program, *, day: date, name: str, acting_user: User) -> Holiday:
    """A day off for the whole program: its scheduled group sessions are cancelled."""
    holiday = Holiday.objects.create(program=program, date=day, name=name)
    now = timezone.now()
    sessions = list(
        Session.objects.select_for_update()
        .filter(
            program=program,
            kind=Session.Kind.GROUP,
            local_date=day,
            status=Session.Status.SCHEDULED,
            starts_at__gt=now,
        )
        .order_by("pk")
    )
    for session in sessions:
        bookings = _cancel(session, reason=Session.CancelReason.HOLIDAY)
        reminders.schedule_cancellation_notices(bookings, session)
    record(
        "scheduling.holiday_added",
        acting_user=acting_user,
        target=holiday,
        details={"date": day.isoformat(), "sessions_cancelled": len(sessions)},
    )
    return holiday


def relocalize_sessions(*, acting_user: User | None) -> tuple[int, list[tuple[str, str]]]:
    """Recompute upcoming sessions' UTC instants from their stored local wall time and zone.

    Time-zone rules change (tzdata updates); a session planned for 18:00 local must stay at
    18:00 local, so its UTC instants move. Moved sessions get a higher calendar SEQUENCE and
    fresh reminders (jobs made for the old instant send nothing). A wall time the new rules
    make nonexistent or ambiguous is not guessed: it is returned for a person to decide.
    """
    moved = 0
    refused: list[tuple[str, str]] = []
    upcoming = Session.objects.filter(
        status=Session.Status.SCHEDULED, starts_at__gt=timezone.now()
    ).order_by("pk")
    for session in upcoming.iterator():
        try:
            start = recurrence.to_utc(
                datetime.combine(session.local_date, session.local_starts_at), session.timezone
            )
            end = recurrence.to_utc(
                datetime.combine(session.local_date, session.local_ends_at), session.timezone
            )
        except recurrence.RecurrenceError as error:
            refused.append((str(session.code), str(error)))
            continue
        if (start, end) == (session.starts_at, session.ends_at):
            continue
        with transaction.atomic():
            locked = Session.objects.select_for_update().get(pk=session.pk)
            previous = locked.starts_at
            locked.starts_at, locked.ends_at = start, end
            locked.sequence += 1
            locked.save(update_fields=["starts_at", "ends_at", "sequence"])
            bookings = list(locked.bookings.filter(status=Booking.Status.BOOKED))
            reminders.schedule_reminders(bookings, session_for={locked.pk: locked})
            record(
                "scheduling.session_relocalized",
                acting_user=acting_user,
                target=locked,
                details={"from": previous.isoformat(), "to": start.isoformat()},
            )
        moved += 1
    return moved, refused


# --- Enrollment, seats and the waitlist -----------------------------------------------------


def _lock_group(group: Group) -> Group:
    """Row lock on the group: every change to its seats goes through here, one at a time."""
    return (
        Group.objects.select_for_update(of=("self",))
        .select_related("track__program")
        .get(pk=group.pk)
    )


def _planned_sessions(enrollment: Enrollment, *, from_day: date) -> list[Session]:
    """The group sessions an enrollment attends from `from_day`, with the step-down taper.

    In the last `taper_weeks` weeks (counted back from the week of the expected end) only the
    first `taper_sessions_per_week` sessions of each week are kept.
    """
    sessions = list(
        Session.objects.filter(
            group_id=enrollment.group_id,
            status=Session.Status.SCHEDULED,
            local_date__gte=from_day,
            local_date__lte=enrollment.expected_end_on,
            starts_at__gt=timezone.now(),
        ).order_by("starts_at")
    )
    if not enrollment.taper_weeks:
        return sessions
    taper_from = week_start(enrollment.expected_end_on) - timedelta(
        weeks=enrollment.taper_weeks - 1
    )
    kept: list[Session] = []
    per_week: dict[date, int] = defaultdict(int)
    for session in sessions:
        monday = week_start(session.local_date)
        if monday >= taper_from:
            per_week[monday] += 1
            if per_week[monday] > (enrollment.taper_sessions_per_week or 0):
                continue
        kept.append(session)
    return kept


def _book(enrollment: Enrollment, *, from_day: date) -> list[Booking]:
    group = enrollment.group
    generate_group_sessions(group, first_day=from_day, last_day=enrollment.expected_end_on)
    sessions = _planned_sessions(enrollment, from_day=from_day)
    bookings = Booking.objects.bulk_create(
        [
            Booking(
                session=session,
                participant_id=enrollment.participant_id,
                enrollment=enrollment,
                source=Booking.Source.ENROLLMENT,
                status=Booking.Status.BOOKED,
            )
            for session in sessions
        ],
        update_conflicts=True,
        unique_fields=["session", "participant"],
        update_fields=["enrollment", "source", "status"],
    )
    reminders.schedule_reminders(bookings, session_for={s.pk: s for s in sessions})
    return bookings


def _seat(group: Group, enrollment: Enrollment, *, from_day: date) -> None:
    # The CHECK constraint group_never_overbooked backs this count up in the database.
    Group.objects.filter(pk=group.pk).update(seated_count=F("seated_count") + 1)
    group.seated_count += 1
    enrollment.status = Enrollment.Status.SEATED
    enrollment.seated_at = timezone.now()
    enrollment.save(update_fields=["status", "seated_at", "starts_on", "expected_end_on"])
    _book(enrollment, from_day=from_day)


def _has_sessions_left_in_week(group: Group, day: date) -> bool:
    generate_group_sessions(group, first_day=day, last_day=week_start(day) + timedelta(days=6))
    return Session.objects.filter(
        group=group,
        status=Session.Status.SCHEDULED,
        local_date__range=(day, week_start(day) + timedelta(days=6)),
    ).exists()


@transaction.atomic
def admit(
    participant: Participant,
    group: Group,
    *,
    starts_on: date,
    expected_end_on: date | None = None,
    priority: int = Enrollment.Priority.ROUTINE,
    taper_weeks: int = 0,
    taper_sessions_per_week: int | None = None,
    acting_user: User,
) -> Enrollment:
    """Seat `participant` in `group` if a seat is free, else put them on its waitlist.

    The group row is locked first, so concurrent admissions for the last seat queue up and
    only one of them sees it free (SECURITY.md: no overbooking under concurrency).
    """
    group = _lock_group(group)
    program = group.track.program
    if participant.program_id != program.pk:
        raise AdmissionError("The participant is not in this group's program.")
    if not group.is_active:
        raise AdmissionError("This group is closed to new members.")
    if starts_on < _program_today(program):
        raise AdmissionError("The start date is in the past.")
    if expected_end_on is None:
        expected_end_on = starts_on + timedelta(weeks=program.typical_length_weeks)
    if expected_end_on <= starts_on:
        raise AdmissionError("The expected end must be after the start date.")
    if taper_weeks and not taper_sessions_per_week:
        raise AdmissionError("A step-down taper needs a number of sessions per week.")
    if Enrollment.objects.filter(
        participant=participant, group=group, status__in=Enrollment.OPEN_STATUSES
    ).exists():
        raise AdmissionError("The participant is already seated or waiting in this group.")
    if not _has_sessions_left_in_week(group, starts_on):
        raise AdmissionError(
            f"The group has no sessions from {starts_on:%a %-d %b %Y} to the end of that week "
            "(a holiday, or no template days). Choose a start date in a week with sessions."
        )
    episode = EpisodeOfCare.objects.filter(
        participant=participant, program=program, status=EpisodeOfCare.Status.ACTIVE
    ).first()
    enrollment = Enrollment(
        participant=participant,
        group=group,
        episode=episode,
        status=Enrollment.Status.WAITLISTED,
        priority=priority,
        starts_on=starts_on,
        expected_end_on=expected_end_on,
        taper_weeks=taper_weeks,
        taper_sessions_per_week=taper_sessions_per_week if taper_weeks else None,
        requested_at=timezone.now(),
        created_by=acting_user,
    )
    enrollment.save()
    if group.seated_count < group.capacity:
        _seat(group, enrollment, from_day=starts_on)
        event = "scheduling.participant_seated"
    else:
        event = "scheduling.participant_waitlisted"
    record(
        event,
        acting_user=acting_user,
        participant=participant,
        target=enrollment,
        details={
            "group": str(group.code),
            "priority": priority,
            "episode": str(episode.code) if episode else None,
        },
    )
    return enrollment


def _place_from_waitlist(group: Group, *, acting_user: User | None) -> list[Enrollment]:
    """Fill free seats from the waitlist in its documented order (see Enrollment)."""
    placed = []
    today = _program_today(group.track.program)
    while group.seated_count < group.capacity:
        enrollment = (
            Enrollment.objects.filter(group=group, status=Enrollment.Status.WAITLISTED)
            .select_related("participant")
            .order_by("-priority", "requested_at", "pk")
            .first()
        )
        if enrollment is None:
            break
        if enrollment.starts_on < today:
            # Keep the planned length of treatment when the seat comes later than asked.
            length = enrollment.expected_end_on - enrollment.starts_on
            enrollment.starts_on = today
            enrollment.expected_end_on = today + length
        _seat(group, enrollment, from_day=enrollment.starts_on)
        record(
            "scheduling.waitlist_placed",
            acting_user=acting_user,
            participant=enrollment.participant,
            target=enrollment,
            details={"group": str(group.code), "automatic": True},
        )
        placed.append(enrollment)
    return placed


@transaction.atomic
def end_enrollment(enrollment: Enrollment, *, acting_user: User) -> Enrollment:
    """Discharge a seated member (freeing the seat for the waitlist) or withdraw a waiting one."""
    group = _lock_group(enrollment.group)
    enrollment = Enrollment.objects.select_related("participant").get(pk=enrollment.pk)
    if enrollment.status == Enrollment.Status.SEATED:
        enrollment.status = Enrollment.Status.ENDED
        Group.objects.filter(pk=group.pk).update(seated_count=F("seated_count") - 1)
        group.seated_count -= 1
        enrollment.bookings.filter(
            status=Booking.Status.BOOKED, session__starts_at__gt=timezone.now()
        ).update(status=Booking.Status.RELEASED)
    elif enrollment.status == Enrollment.Status.WAITLISTED:
        enrollment.status = Enrollment.Status.WITHDRAWN
    else:
        raise AdmissionError("This enrollment has already ended.")
    enrollment.ended_at = timezone.now()
    enrollment.save(update_fields=["status", "ended_at"])
    record(
        "scheduling.enrollment_ended",
        acting_user=acting_user,
        participant=enrollment.participant,
        target=enrollment,
        details={"group": str(group.code), "status": enrollment.status},
    )
    _place_from_waitlist(group, acting_user=acting_user)
    return enrollment


@transaction.atomic
def set_capacity(group: Group, *, capacity: int, acting_user: User) -> Group:
    group = _lock_group(group)
    if capacity < 1:
        raise CapacityError("A group needs at least one seat.")
    if capacity > group.hard_cap:
        raise CapacityError(f"This group's hard cap is {group.hard_cap} seats.")
    if capacity < group.seated_count:
        raise CapacityError(
            f"{group.seated_count} participants are seated; capacity cannot go below that."
        )
    old = group.capacity
    group.capacity = capacity
    group.save(update_fields=["capacity"])
    record(
        "scheduling.capacity_changed",
        acting_user=acting_user,
        target=group,
        details={"from": old, "to": capacity},
    )
    _place_from_waitlist(group, acting_user=acting_user)
    return group


# --- Individual appointments ----------------------------------------------------------------


def _licensed_on(clinician: User, state: str, day: date) -> bool:
    return (
        StateLicense.objects.filter(user=clinician, state=state)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        .exists()
    )


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


def clinician_sessions(clinician: User) -> Any:
    """Scheduled sessions a clinician runs: their appointments and groups they facilitate."""
    facilitated = GroupFacilitator.objects.filter(clinician=clinician).values("group_id")
    return Session.objects.filter(
        Q(clinician=clinician) | Q(group_id__in=facilitated), status=Session.Status.SCHEDULED
    )


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
    if not _licensed_on(clinician, state, day):
        raise LicensureError(
            f"{clinician.display_name} is not licensed in {STATE_NAMES.get(state, state)}, "
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
    bookings = Booking.objects.bulk_create(
        Booking(session=session, participant=participant, source=Booking.Source.APPOINTMENT)
        for session in sessions
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


# --- Attendance -----------------------------------------------------------------------------


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
    """Book a participant into one session of another group of their track, seat permitting."""
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("group").get(pk=session.pk)
    )
    if session.group is None or session.is_cancelled or session.starts_at <= timezone.now():
        raise SchedulingError("That session cannot take a make-up booking.")
    booked = session.bookings.filter(status=Booking.Status.BOOKED).count()
    if booked >= session.group.capacity:
        raise CapacityError("That session is full.")
    if Booking.objects.filter(
        participant=participant,
        status=Booking.Status.BOOKED,
        session__status=Session.Status.SCHEDULED,
        session__starts_at__lt=session.ends_at,
        session__ends_at__gt=session.starts_at,
    ).exists():
        raise ConflictError("The participant already has a session at that time.")
    booking, _ = Booking.objects.update_or_create(
        session=session,
        participant=participant,
        defaults={"source": Booking.Source.MAKEUP, "status": Booking.Status.BOOKED},
    )
    reminders.schedule_reminders([booking], session_for={session.pk: session})
    record(
        "scheduling.makeup_booked",
        acting_user=acting_user,
        participant=participant,
        target=booking,
        details={"session": str(session.code)},
    )
    return booking


# --- Reminders and calendar feeds -----------------------------------------------------------


@transaction.atomic
def set_reminder_preference(
    participant: Participant, *, sms: bool, email: bool, acting_user: User
) -> ReminderPreference:
    preference, _ = ReminderPreference.objects.update_or_create(
        participant=participant, defaults={"sms": sms, "email": email}
    )
    record(
        "scheduling.reminder_preference_changed",
        acting_user=acting_user,
        participant=participant,
        target=preference,
        details={"sms": sms, "email": email},
    )
    return preference


def hash_feed_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_calendar_feed(user: User, *, acting_user: User) -> str:
    """A new secret feed token for `user` (any older feed stops working); returns the token.

    Only its hash is stored, so the token is shown once.
    """
    revoked = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=user, token_hash=hash_feed_token(token))
    record(
        "scheduling.calendar_feed_created",
        acting_user=acting_user,
        target=feed,
        details={"replaced": revoked},
    )
    return token


@transaction.atomic
def revoke_calendar_feed(user: User, *, acting_user: User) -> int:
    revoked = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    record(
        "scheduling.calendar_feed_revoked", acting_user=acting_user, details={"revoked": revoked}
    )
    return revoked
