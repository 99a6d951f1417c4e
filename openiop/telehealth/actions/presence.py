"""Presence reported by the browser, and the minutes it adds up to in the hours ledger."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from openiop.accounts.models import User
from openiop.audit.actions import record

from ..errors import NotAdmitted
from ..models import Attendance, PresenceEvent, Room
from ..queries import summarize
from ..schedule import SessionInfo, booking_for, record_minutes, unmarked_bookings
from .common import record_for_attendance
from .crisis import log_disconnect
from .feeds import HEARTBEAT_CHECK_INTERVAL, PAGE_CHECK_INTERVAL, check_feeds


def record_presence(
    attendance: Attendance,
    kind: str,
    *,
    acting_user: User,
    info: SessionInfo,
    room: Room | None = None,
) -> None:
    """Store one presence event reported by the participant's browser.

    Heartbeats (every 30 s) are stored without an audit row each: they only extend a presence
    that a ``joined`` event already put in the trail. Joins and heartbeats also have the room
    checked for publishers the server did not assign (a stale tab, a modified client).
    """
    _store_presence(attendance, kind, acting_user=acting_user)
    if room is not None and kind in (PresenceEvent.Kind.JOINED, PresenceEvent.Kind.HEARTBEAT):
        check_feeds(
            room,
            info,
            acting_user=acting_user,
            min_interval=PAGE_CHECK_INTERVAL
            if kind == PresenceEvent.Kind.JOINED
            else HEARTBEAT_CHECK_INTERVAL,
        )


@transaction.atomic
def _store_presence(attendance: Attendance, kind: str, *, acting_user: User) -> None:
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    if attendance.state != Attendance.State.ADMITTED:
        raise NotAdmitted(gettext("You have not been admitted to this session."))
    PresenceEvent.objects.create(attendance=attendance, kind=kind, at=timezone.now())
    if kind != PresenceEvent.Kind.HEARTBEAT:
        record_for_attendance(f"telehealth.presence_{kind}", attendance, acting_user=acting_user)
    if kind in (PresenceEvent.Kind.LOST, PresenceEvent.Kind.LEFT):
        # Dropping out during an open emergency alert goes on that alert's timeline.
        log_disconnect(attendance, kind, acting_user=acting_user)


@transaction.atomic
def finalize_attendance(info: SessionInfo, *, acting_user: User | None) -> None:
    """Compute minutes for everyone who came, and feed the hours ledger.

    A booking already marked by staff is left alone; a booked participant who never came to
    the room is marked absent.
    """
    now = timezone.now()
    for attendance in Attendance.objects.select_for_update().filter(session_code=info.code):
        summary = summarize(attendance, info, now=max(now, info.ends_at))
        attendance.minutes_attended = summary.minutes
        attendance.late = summary.late
        attendance.left_early = summary.left_early
        attendance.save(update_fields=["minutes_attended", "late", "left_early"])
    bookings = unmarked_bookings(info)
    by_participant = {
        a.participant_id: a for a in Attendance.objects.filter(session_code=info.code)
    }
    for booking in bookings:
        item = by_participant.get(booking.participant_id)
        if item is None:
            record_minutes(booking, 0, late=False, left_early=False, acting_user=acting_user)
        else:
            record_minutes(
                booking,
                item.minutes_attended or 0,
                late=item.late,
                left_early=item.left_early,
                acting_user=acting_user,
            )
    record(
        "telehealth.attendance_computed",
        acting_user=acting_user,
        details={"session": str(info.code)},
    )


@transaction.atomic
def correct_attendance(
    attendance: Attendance, *, minutes: int, reason: str, acting_user: User
) -> None:
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    previous = attendance.final_minutes
    attendance.corrected_minutes = minutes
    attendance.correction_reason = reason
    attendance.corrected_by = acting_user
    attendance.corrected_at = timezone.now()
    attendance.save(
        update_fields=["corrected_minutes", "correction_reason", "corrected_by", "corrected_at"]
    )
    booking = booking_for(attendance.session_code, attendance.participant)
    if booking is not None:
        record_minutes(
            booking,
            minutes,
            late=attendance.late,
            left_early=attendance.left_early,
            acting_user=acting_user,
        )
    record(
        "telehealth.attendance_corrected",
        acting_user=acting_user,
        participant=attendance.participant,
        target=attendance,
        details={"session": str(attendance.session_code), "from": previous, "to": minutes},
    )
