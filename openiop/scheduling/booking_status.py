"""What happened to a booked session, in the participant's words (My week, Today).

A session that has ended shows its recorded attendance, never "Scheduled": the participant
checks My week to see whether a session counted.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from openiop.scheduling.models import Booking

ATTENDED = {
    Booking.Attendance.PRESENT: _("Attended"),
    Booking.Attendance.LATE: _("Attended (late)"),
    Booking.Attendance.LEFT_EARLY: _("Attended (left early)"),
}
MISSED = {
    Booking.Attendance.ABSENT: _("Missed"),
    Booking.Attendance.EXCUSED: _("Missed (excused)"),
}


@dataclass(frozen=True)
class BookingStatus:
    # A stable key for styling and tests: scheduled, in_progress, attended, missed,
    # cancelled or unrecorded.
    key: str
    label: str | Promise


def booking_status(booking: Booking, now: datetime) -> BookingStatus:
    session = booking.session
    if session.is_cancelled:
        return BookingStatus("cancelled", _("Cancelled"))
    if booking.attendance in ATTENDED:
        return BookingStatus("attended", ATTENDED[booking.attendance])  # type: ignore[index]
    if booking.attendance in MISSED:
        return BookingStatus("missed", MISSED[booking.attendance])  # type: ignore[index]
    if session.ends_at <= now:
        # Attendance is recorded after the session; until then say so plainly.
        return BookingStatus("unrecorded", _("Not recorded yet"))
    if session.starts_at <= now:
        return BookingStatus("in_progress", _("Happening now"))
    return BookingStatus("scheduled", _("Scheduled"))
