from datetime import UTC, date, datetime, time

import time_machine

from openiop.audit.models import AuditEvent
from openiop.scheduling import actions
from openiop.scheduling.forms import CancelSessionForm
from openiop.scheduling.models import Booking
from openiop.scheduling.tests.base import SchedulingTestCase

WEDNESDAY = datetime(2026, 3, 11, 14, tzinfo=UTC)


class ReleaseTestCase(SchedulingTestCase):
    """Pat is seated in group A from Monday 9 March and has a make-up in group B on Friday."""

    def setUp(self):
        super().setUp()
        with time_machine.travel(datetime(2026, 3, 9, 12, tzinfo=UTC), tick=False):
            self.enrollment = actions.admit(
                self.pat, self.group, starts_on=date(2026, 3, 9), acting_user=self.dana
            )
        with time_machine.travel(WEDNESDAY, tick=False):
            friday = actions.add_extra_session(
                self.group_b,
                day=date(2026, 3, 13),
                starts_at=time(10),
                ends_at=time(13),
                acting_user=self.dana,
            )
            self.makeup = actions.book_makeup(self.pat, friday, acting_user=self.dana)

    def test_it_releases_make_ups_but_not_an_open_seats_bookings(self):
        with time_machine.travel(WEDNESDAY, tick=False):
            self.assertEqual(actions.release_group_bookings(self.pat, acting_user=self.dana), 1)
        self.makeup.refresh_from_db()
        self.assertEqual(self.makeup.status, Booking.Status.RELEASED)
        self.assertTrue(self.enrollment.bookings.filter(status=Booking.Status.BOOKED).exists())
        event = AuditEvent.objects.get(event_type="scheduling.bookings_released")
        self.assertEqual(event.details, {"bookings_released": 1})

    def test_after_the_seat_ends_nothing_upcoming_is_left(self):
        with time_machine.travel(WEDNESDAY, tick=False):
            actions.end_enrollment(self.enrollment, acting_user=self.dana)
            actions.release_group_bookings(self.pat, acting_user=self.dana)
            self.assertFalse(
                Booking.objects.filter(
                    participant=self.pat, status="booked", session__starts_at__gt=WEDNESDAY
                ).exists()
            )

    def test_discharge_is_not_a_reason_people_choose_by_hand(self):
        form = CancelSessionForm({"reason": "discharged"})
        self.assertFalse(form.is_valid())
