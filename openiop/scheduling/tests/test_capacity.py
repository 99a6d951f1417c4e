"""The one capacity rule: every path that puts people in a session counts them against its seats.

Evening DBT A (3 seats) meets Mon/Wed/Thu 18:00 New York time; it is Monday 2 March 2026.
"""

from datetime import UTC, date, datetime, time

import time_machine
from django.db import IntegrityError, transaction

from openiop.audit.models import AuditEvent
from openiop.scheduling import actions
from openiop.scheduling.actions import seats
from openiop.scheduling.errors import CapacityError
from openiop.scheduling.models import Booking, Enrollment, Session
from openiop.scheduling.tests.base import SchedulingTestCase

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
MONDAY = date(2026, 3, 2)
WEDNESDAY = date(2026, 3, 4)


def booked(session: Session) -> int:
    return session.bookings.filter(status=Booking.Status.BOOKED).count()


@time_machine.travel(NOW, tick=False)
class CapacityRuleTestCase(SchedulingTestCase):
    def setUp(self):
        super().setUp()
        self.members = [
            self.make_participant(f"m{i}@example.org", f"Member{i}", "Test", "") for i in range(2)
        ]
        for member in self.members:
            actions.admit(member, self.group, starts_on=MONDAY, acting_user=self.ivy)
        self.wednesday = Session.objects.get(group=self.group, local_date=WEDNESDAY)
        self.guest = self.make_participant("guest@example.org", "Guest", "Test", "")

    def test_an_admission_never_overfills_a_session_a_makeup_filled(self):
        # The clinical review's 3-seat session with 4 bookings: 2 members, a make-up, then an
        # admission that saw a free seat in the group but not the full session.
        actions.book_makeup(self.guest, self.wednesday, acting_user=self.dana)
        self.assertEqual(booked(self.wednesday), 3)

        with self.assertRaisesMessage(
            CapacityError,
            "Evening DBT A is full on Wed 4 Mar 2026: every seat is booked (make-up bookings "
            "included). Choose a start date after that day.",
        ):
            actions.admit(self.pat, self.group, starts_on=MONDAY, acting_user=self.ivy)

        self.assertEqual(booked(self.wednesday), 3)
        self.assertFalse(Enrollment.objects.filter(participant=self.pat).exists())
        self.group.refresh_from_db()
        self.assertEqual(self.group.seated_count, 2)

        enrollment = actions.admit(
            self.pat, self.group, starts_on=date(2026, 3, 5), acting_user=self.ivy
        )
        self.assertEqual(enrollment.status, Enrollment.Status.SEATED)
        self.assertEqual(booked(self.wednesday), 3)

    def test_a_makeup_counts_the_groups_own_members(self):
        actions.admit(self.pat, self.group, starts_on=MONDAY, acting_user=self.ivy)
        with self.assertRaisesMessage(CapacityError, "That session is full."):
            actions.book_makeup(self.guest, self.wednesday, acting_user=self.dana)
        self.assertEqual(booked(self.wednesday), 3)
        self.assertFalse(Booking.objects.filter(participant=self.guest).exists())

    def test_a_released_booking_frees_its_seat_for_a_makeup(self):
        actions.admit(self.pat, self.group, starts_on=MONDAY, acting_user=self.ivy)
        pats = Enrollment.objects.get(participant=self.pat)
        actions.end_enrollment(pats, acting_user=self.dana)
        actions.book_makeup(self.guest, self.wednesday, acting_user=self.dana)
        self.assertEqual(booked(self.wednesday), 3)

    def test_a_capacity_cut_below_a_sessions_bookings_is_refused(self):
        actions.book_makeup(self.guest, self.wednesday, acting_user=self.dana)
        with self.assertRaisesMessage(
            CapacityError,
            "3 people are booked on Wed 4 Mar 2026 (make-up bookings included); capacity "
            "cannot go below 3 until that session has passed.",
        ):
            actions.set_capacity(self.group, capacity=2, acting_user=self.dana)
        self.group.refresh_from_db()
        self.assertEqual(self.group.capacity, 3)
        self.assertFalse(AuditEvent.objects.filter(event_type="scheduling.capacity_changed"))

    def test_the_cut_is_allowed_once_the_full_session_has_passed(self):
        actions.book_makeup(self.guest, self.wednesday, acting_user=self.dana)
        with time_machine.travel(datetime(2026, 3, 5, 12, tzinfo=UTC), tick=False):
            actions.set_capacity(self.group, capacity=2, acting_user=self.dana)
        self.group.refresh_from_db()
        self.assertEqual(self.group.capacity, 2)

    def test_a_group_with_zero_seats_is_refused(self):
        with self.assertRaisesMessage(CapacityError, "A group needs at least one seat."):
            actions.set_capacity(self.group, capacity=0, acting_user=self.dana)

    def test_an_extra_session_books_members_through_the_rule(self):
        session = actions.add_extra_session(
            self.group,
            day=date(2026, 3, 6),
            starts_at=time(18),
            ends_at=time(20),
            acting_user=self.dana,
        )
        self.assertEqual(booked(session), 2)
        actions.book_makeup(self.guest, session, acting_user=self.dana)
        with self.assertRaisesMessage(CapacityError, "That session is full."):
            actions.book_makeup(self.quinn, session, acting_user=self.dana)

    def test_booking_over_the_seats_refuses_all_or_leaves_the_full_sessions_out(self):
        actions.book_makeup(self.guest, self.wednesday, acting_user=self.dana)
        thursday = Session.objects.get(group=self.group, local_date=date(2026, 3, 5))
        wanted = [
            Booking(session=s, participant=self.pat, source=Booking.Source.ENROLLMENT)
            for s in (self.wednesday, thursday)
        ]
        with self.assertRaises(CapacityError), transaction.atomic():
            seats.book(self.group, wanted)
        self.assertFalse(Booking.objects.filter(participant=self.pat).exists())

        written, full = seats.book(self.group, wanted, skip_full=True)
        self.assertEqual([b.session_id for b in written], [thursday.pk])
        self.assertEqual(full, [self.wednesday])

    def test_rebooking_someone_already_booked_does_not_count_twice(self):
        booking = Booking(
            session=self.wednesday,
            participant=self.members[0],
            source=Booking.Source.ENROLLMENT,
        )
        actions.book_makeup(self.guest, self.wednesday, acting_user=self.dana)
        written, full = seats.book(self.group, [booking])
        self.assertEqual((len(written), full), (1, []))
        self.assertEqual(booked(self.wednesday), 3)

    def test_the_database_refuses_a_booking_over_the_seats(self):
        actions.book_makeup(self.guest, self.wednesday, acting_user=self.dana)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Booking.objects.create(
                session=self.wednesday, participant=self.pat, source=Booking.Source.MAKEUP
            )
        self.assertEqual(booked(self.wednesday), 3)
