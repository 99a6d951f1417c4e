"""Every scheduling write: atomic, audited, with the acting user keyword-only.

Lock order, to stay free of deadlocks: the group row (or clinician, then participant rows)
first, then `audit.record` (which takes the audit chain's advisory lock) last.

One module per part of the schedule; callers use the names re-exported here
(`from openiop.scheduling import actions; actions.admit(...)`).
"""

from openiop.scheduling.actions.appointments import (
    MAX_WEEKLY_APPOINTMENTS,
    book_appointment,
    reschedule_appointment,
)
from openiop.scheduling.actions.attendance import (
    book_makeup,
    record_attendance,
    release_group_bookings,
)
from openiop.scheduling.actions.calendar import (
    create_calendar_feed,
    hash_feed_token,
    revoke_calendar_feed,
    set_reminder_preference,
)
from openiop.scheduling.actions.enrollment import admit, end_enrollment, set_capacity
from openiop.scheduling.actions.sessions import (
    add_closure,
    add_extra_session,
    add_holiday,
    cancel_session,
    generate_group_sessions,
    relocalize_sessions,
)

__all__ = [
    "MAX_WEEKLY_APPOINTMENTS",
    "add_closure",
    "add_extra_session",
    "add_holiday",
    "admit",
    "book_appointment",
    "book_makeup",
    "cancel_session",
    "create_calendar_feed",
    "end_enrollment",
    "generate_group_sessions",
    "hash_feed_token",
    "record_attendance",
    "release_group_bookings",
    "relocalize_sessions",
    "reschedule_appointment",
    "revoke_calendar_feed",
    "set_capacity",
    "set_reminder_preference",
]
