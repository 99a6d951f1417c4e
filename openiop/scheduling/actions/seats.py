"""The one capacity rule: a session never holds more people than its seats.

A group session's seats are its group's `capacity`; an appointment has one seat (the
participant it was booked for). Every write that books someone into a session (a seat in the
group, a place from the waitlist, a make-up, an extra session's members, an appointment) goes
through `book`, and every capacity change through `most_booked`; both count the session's
booked people under row locks taken in one fixed order:

1. the group row (`lock_group`), by the caller, before anything else;
2. the session rows, here, in primary-key order;
3. `audit.record` (the audit chain's advisory lock), by the caller, last.

So two writers reaching the same session queue on the group row and the second one counts what
the first one booked. A database trigger (migration 0004_booking_within_seats) refuses any
booking above the seats as a last line of defence.
"""

from collections.abc import Iterable, Sequence
from datetime import date

from django.db.models import Count
from django.utils import timezone

from openiop.programs.models import Group
from openiop.scheduling.errors import CapacityError
from openiop.scheduling.models import Booking, Session


def lock_sessions(session_ids: Iterable[int]) -> list[Session]:
    """Row locks on these sessions, always in primary-key order (no deadlocks)."""
    return list(
        Session.objects.select_for_update(of=("self",))
        .filter(pk__in=set(session_ids))
        .order_by("pk")
    )


def booked_counts(session_ids: Iterable[int]) -> dict[int, int]:
    """People booked (not released) into each session."""
    return dict(
        Booking.objects.filter(session_id__in=set(session_ids), status=Booking.Status.BOOKED)
        .values("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
    )


def seats_of(session: Session, group: Group | None) -> int:
    return group.capacity if group is not None and session.group_id == group.pk else 1


def full_message(group: Group | None, day: date) -> str:
    where = f"{group.name} is" if group is not None else "That session is"
    return f"{where} full on {day:%a %-d %b %Y}: every seat is booked (make-up bookings included)."


def book(
    group: Group | None,
    wanted: Sequence[Booking],
    *,
    skip_full: bool = False,
    update_fields: Sequence[str] = ("enrollment", "source", "status"),
) -> tuple[list[Booking], list[Session]]:
    """Book `wanted` (unsaved bookings) into their sessions, seats permitting.

    The caller holds the lock on `group` (None for appointments). A participant already booked
    into a session (or released from it) keeps or takes back their own row, so re-booking never
    counts twice. A booking that would put a session over its seats refuses the whole call with
    `CapacityError` naming the first full day, or with `skip_full` is left out; returns the
    bookings written and the sessions that were full.
    """
    if not wanted:
        return [], []
    sessions = {s.pk: s for s in lock_sessions(b.session_id for b in wanted)}
    for session in sessions.values():
        if group is None and session.group_id is not None:
            raise CapacityError("A group session is booked through its group.")
        if group is not None and session.group_id != group.pk:
            raise CapacityError("That session belongs to another group.")
    already = set(
        Booking.objects.filter(session_id__in=sessions, status=Booking.Status.BOOKED).values_list(
            "session_id", "participant_id"
        )
    )
    counts = booked_counts(sessions)
    taking: list[Booking] = []
    full: dict[int, Session] = {}
    seen: set[tuple[int, int]] = set()
    for booking in wanted:
        pair = (booking.session_id, booking.participant_id)
        if pair in seen:
            continue
        seen.add(pair)
        session = sessions[booking.session_id]
        if pair not in already:
            if counts.get(session.pk, 0) >= seats_of(session, group):
                if not skip_full:
                    raise CapacityError(full_message(group, session.local_date))
                full[session.pk] = session
                continue
            counts[session.pk] = counts.get(session.pk, 0) + 1
        taking.append(booking)
    written = Booking.objects.bulk_create(
        taking,
        update_conflicts=True,
        unique_fields=["session", "participant"],
        update_fields=list(update_fields),
    )
    return written, sorted(full.values(), key=lambda s: s.starts_at)


def most_booked(group: Group) -> tuple[int, Session | None]:
    """The most people booked into any upcoming scheduled session of the group, and the first
    such session; the sessions are locked (the caller holds the group's lock)."""
    upcoming = lock_sessions(
        Session.objects.filter(
            group=group, status=Session.Status.SCHEDULED, starts_at__gt=timezone.now()
        ).values_list("pk", flat=True)
    )
    counts = booked_counts(s.pk for s in upcoming)
    most, where = 0, None
    for session in sorted(upcoming, key=lambda s: s.starts_at):
        if counts.get(session.pk, 0) > most:
            most, where = counts[session.pk], session
    return most, where
