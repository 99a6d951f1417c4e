"""Group sessions: generating them from the template, extra ones, cancellations, holidays."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.lib import recurrence
from openiop.programs.models import Group, Program
from openiop.scheduling import reminders
from openiop.scheduling.actions import seats
from openiop.scheduling.actions._shared import lock_group
from openiop.scheduling.errors import SchedulingError
from openiop.scheduling.models import Booking, Enrollment, Holiday, Session


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
    group = lock_group(group)
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
    bookings, _ = seats.book(
        group,
        [
            Booking(
                session=session,
                participant_id=enrollment.participant_id,
                enrollment=enrollment,
                source=Booking.Source.ENROLLMENT,
            )
            for enrollment in members
        ],
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
    if session.group_id is not None:
        # The capacity rule's lock order (actions.seats): the group before its sessions.
        lock_group(Group(pk=session.group_id))
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


# A longer break is a pause of the track (Track.is_active), not a closure.
MAX_CLOSURE_DAYS = 62


@transaction.atomic
def add_closure(
    program: Program, *, first_day: date, last_day: date, name: str, acting_user: User
) -> list[Holiday]:
    """Close the program on first_day..last_day (local dates, so DST changes nothing): one
    holiday per day not already closed, each cancelling that day's group sessions through
    `add_holiday` (participants are told, reminders stop). The page lists those sessions
    before the director confirms."""
    if last_day < first_day:
        raise SchedulingError("The last day must be on or after the first day.")
    if (last_day - first_day).days + 1 > MAX_CLOSURE_DAYS:
        raise SchedulingError(
            f"A closure lasts at most {MAX_CLOSURE_DAYS} days; pause the track instead."
        )
    closed = set(
        Holiday.objects.filter(program=program, date__range=(first_day, last_day)).values_list(
            "date", flat=True
        )
    )
    days = [
        first_day + timedelta(days=offset)
        for offset in range((last_day - first_day).days + 1)
        if first_day + timedelta(days=offset) not in closed
    ]
    if not days:
        raise SchedulingError("The program is already closed on every one of these days.")
    return [add_holiday(program, day=day, name=name, acting_user=acting_user) for day in days]


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
