from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from openiop.scheduling import actions, queries
from openiop.scheduling.errors import AttendanceError
from openiop.scheduling.models import Booking
from openiop.scheduling.tests.base import SchedulingTestCase

NY = ZoneInfo("America/New_York")


class LedgerTestCase(SchedulingTestCase):
    def setUp(self):
        super().setUp()
        with time_machine.travel(datetime(2026, 3, 9, 12, tzinfo=UTC), tick=False):
            actions.admit(self.pat, self.group, starts_on=date(2026, 3, 9), acting_user=self.dana)
        self.monday, self.wednesday, self.thursday = (
            Booking.objects.filter(participant=self.pat)
            .order_by("session__starts_at")
            .select_related("session")[:3]
        )

    def test_it_flags_3_hours_by_wednesday_with_3_left_against_9(self):
        with time_machine.travel(datetime(2026, 3, 11, 21, 30, tzinfo=NY), tick=False):
            actions.record_attendance(
                self.monday, attendance="present", minutes=None, acting_user=self.alvarez
            )
            actions.record_attendance(
                self.wednesday, attendance="absent", minutes=None, acting_user=self.alvarez
            )
            week = queries.ledger(self.pat, date(2026, 3, 11))
        self.assertEqual(week.attended_hours, Decimal("3.00"))
        self.assertEqual(week.remaining_hours, Decimal("3.00"))
        self.assertEqual(week.minimum_hours, Decimal("9.00"))
        self.assertTrue(week.at_risk)

    def test_a_full_week_meets_the_minimum(self):
        with time_machine.travel(datetime(2026, 3, 13, 9, tzinfo=NY), tick=False):
            for booking in (self.monday, self.wednesday, self.thursday):
                actions.record_attendance(
                    booking, attendance="present", minutes=None, acting_user=self.alvarez
                )
            week = queries.ledger(self.pat, date(2026, 3, 12))
        self.assertTrue(week.met)
        self.assertFalse(week.at_risk)

    def test_make_up_sessions_come_from_other_groups_of_the_track(self):
        # Group B meets on Fridays this week only.
        actions.add_extra_session(
            self.group_b,
            day=date(2026, 3, 13),
            starts_at=datetime(2026, 3, 13, 10).time(),
            ends_at=datetime(2026, 3, 13, 13).time(),
            acting_user=self.dana,
        )
        with time_machine.travel(datetime(2026, 3, 11, 21, 30, tzinfo=NY), tick=False):
            offers = queries.makeup_offers(self.pat, date(2026, 3, 11))
            self.assertEqual([o.group for o in offers], [self.group_b])
            actions.book_makeup(self.pat, offers[0], acting_user=self.dana)
            week = queries.ledger(self.pat, date(2026, 3, 11))
            self.assertEqual(queries.makeup_offers(self.pat, date(2026, 3, 11)), [])
        self.assertEqual(week.remaining_minutes, 360)

    def test_attendance_is_checked(self):
        with (
            time_machine.travel(datetime(2026, 3, 9, 12, tzinfo=NY), tick=False),
            self.assertRaisesMessage(AttendanceError, "once the session has started"),
        ):
            actions.record_attendance(
                self.monday, attendance="present", minutes=None, acting_user=self.alvarez
            )
        with time_machine.travel(datetime(2026, 3, 9, 22, tzinfo=NY), tick=False):
            with self.assertRaisesMessage(AttendanceError, "between 0 and 180"):
                actions.record_attendance(
                    self.monday, attendance="late", minutes=200, acting_user=self.alvarez
                )
            with self.assertRaisesMessage(AttendanceError, "Enter the minutes"):
                actions.record_attendance(
                    self.monday, attendance="late", minutes=None, acting_user=self.alvarez
                )
            booking = actions.record_attendance(
                self.monday, attendance="excused", minutes=120, acting_user=self.alvarez
            )
        self.assertEqual(booking.minutes_attended, 0)

    def test_the_ledger_week_follows_the_program_timezone(self):
        # Sunday 15 March 23:30 New York is already Monday in UTC, but still this week.
        with time_machine.travel(datetime(2026, 3, 15, 23, 30, tzinfo=NY), tick=False):
            week = queries.ledger(self.pat, date(2026, 3, 15))
        self.assertEqual(week.scheduled_minutes, 540)
        self.assertEqual(timedelta(minutes=week.unrecorded_minutes), timedelta(hours=9))
