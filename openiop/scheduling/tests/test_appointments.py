from datetime import UTC, date, datetime, time, timedelta

import time_machine

from openiop.accounts.models import StateLicense
from openiop.scheduling import actions
from openiop.scheduling.errors import (
    AvailabilityError,
    ConflictError,
    LicensureError,
    SchedulingError,
)
from openiop.scheduling.models import Booking, ClinicianAvailability, Session
from openiop.scheduling.tests.base import SchedulingTestCase

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
TUESDAY = date(2026, 3, 3)


@time_machine.travel(NOW, tick=False)
class AppointmentTestCase(SchedulingTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for clinician in (cls.alvarez, cls.chen):
            for weekday in range(5):
                ClinicianAvailability.objects.create(
                    clinician=clinician,
                    weekday=weekday,
                    starts_at=time(9),
                    ends_at=time(17),
                    timezone="America/New_York",
                )

    def book(self, clinician, day=TUESDAY, start=time(10), end=time(11), participant=None):
        return actions.book_appointment(
            participant or self.pat,
            clinician=clinician,
            kind=Session.Kind.INDIVIDUAL,
            day=day,
            starts_at=start,
            ends_at=end,
            acting_user=self.dana,
        )

    def test_it_books_a_licensed_available_clinician(self):
        session = self.book(self.alvarez)
        self.assertEqual(session.starts_at, datetime(2026, 3, 3, 15, tzinfo=UTC))
        self.assertTrue(Booking.objects.filter(session=session, participant=self.pat).exists())

    def test_a_weekly_series_books_every_week_or_none(self):
        self.book(self.chen, day=date(2026, 3, 17), participant=self.quinn)
        with self.assertRaisesMessage(ConflictError, "Tue 17 Mar 2026: Wei Chen, MD already has"):
            actions.book_appointment(
                self.pat,
                clinician=self.chen,
                kind=Session.Kind.INDIVIDUAL,
                day=TUESDAY,
                starts_at=time(10),
                ends_at=time(11),
                weeks=4,
                acting_user=self.dana,
            )
        self.assertFalse(Booking.objects.filter(participant=self.pat).exists())
        actions.book_appointment(
            self.pat,
            clinician=self.alvarez,
            kind=Session.Kind.INDIVIDUAL,
            day=TUESDAY,
            starts_at=time(10),
            ends_at=time(11),
            weeks=4,
            acting_user=self.dana,
        )
        days = Booking.objects.filter(participant=self.pat).values_list(
            "session__local_date", flat=True
        )
        self.assertEqual(sorted(d.day for d in days), [3, 10, 17, 24])

    def test_it_refuses_a_clinician_not_licensed_in_the_participants_state(self):
        self.pat.home_state = "NJ"
        self.pat.save()
        with self.assertRaises(LicensureError) as caught:
            self.book(self.chen)
        self.assertEqual(
            str(caught.exception),
            "Wei Chen, MD is not licensed in New Jersey, where this participant is. "
            "Book a clinician licensed in NJ.",
        )
        self.assertFalse(Session.objects.filter(kind=Session.Kind.INDIVIDUAL).exists())
        self.book(self.alvarez)  # licensed in NY and NJ

    def test_a_licence_that_expires_before_the_appointment_does_not_count(self):
        StateLicense.objects.filter(user=self.chen, state="NY").update(expires_on=date(2026, 3, 2))
        with self.assertRaises(LicensureError):
            self.book(self.chen)

    def test_it_refuses_times_outside_availability(self):
        with self.assertRaisesMessage(AvailabilityError, "not available at that time"):
            self.book(self.alvarez, start=time(18), end=time(19))

    def test_it_refuses_a_clinician_double_booking(self):
        self.book(self.alvarez)
        with self.assertRaisesMessage(ConflictError, "already has a session at that time"):
            self.book(self.alvarez, start=time(10, 30), end=time(11, 30), participant=self.quinn)

    def test_a_facilitated_group_counts_as_a_conflict(self):
        ClinicianAvailability.objects.create(
            clinician=self.alvarez,
            weekday=2,
            starts_at=time(17),
            ends_at=time(22),
            timezone="America/New_York",
        )
        actions.generate_group_sessions(self.group, first_day=TUESDAY, last_day=date(2026, 3, 8))
        with self.assertRaisesMessage(ConflictError, "Rosa Alvarez, PsyD already has a session"):
            self.book(
                self.alvarez,
                day=date(2026, 3, 4),
                start=time(17, 30),
                end=time(18, 30),
                participant=self.quinn,
            )

    def test_it_refuses_a_participant_double_booking(self):
        self.book(self.alvarez)
        with self.assertRaisesMessage(ConflictError, "participant already has a session"):
            self.book(self.chen, start=time(10, 30), end=time(11, 30))

    def test_it_refuses_an_end_before_the_start_and_the_past(self):
        with self.assertRaisesMessage(SchedulingError, "end time must be after"):
            self.book(self.alvarez, start=time(11), end=time(10))
        with self.assertRaisesMessage(SchedulingError, "in the future"):
            self.book(self.alvarez, day=date(2026, 3, 2), start=time(6), end=time(7))

    def test_moving_an_appointment_retires_the_old_reminders(self):
        from django_tasks import default_task_backend

        from openiop.notifications.sms import locmem
        from openiop.scheduling import tasks

        locmem.reset()
        with self.captureOnCommitCallbacks(execute=True):
            session = self.book(self.alvarez)
        old_start = session.starts_at
        with self.captureOnCommitCallbacks(execute=True):
            actions.reschedule_appointment(
                session,
                day=date(2026, 3, 4),
                starts_at=time(14),
                ends_at=time(15),
                acting_user=self.dana,
            )
        session.refresh_from_db()
        self.assertEqual(session.sequence, 1)
        booking = session.bookings.get()
        with time_machine.travel(old_start - timedelta(hours=1), tick=False):
            self.assertEqual(
                tasks.send_reminder.call(booking.pk, "hour_before", old_start.isoformat()), 0
            )
        new_jobs = [
            r
            for r in default_task_backend.results  # type: ignore[attr-defined]
            if r.task.name == "send_reminder" and r.args[2] == session.starts_at.isoformat()
        ]
        self.assertEqual(len(new_jobs), 2)
        with time_machine.travel(session.starts_at - timedelta(hours=1), tick=False):
            self.assertEqual(tasks.send_reminder.call(*new_jobs[1].args), 2)
        self.assertEqual(len(locmem.outbox), 1)

    def test_a_move_is_checked_like_a_booking(self):
        session = self.book(self.alvarez)
        self.book(self.alvarez, start=time(14), end=time(15), participant=self.quinn)
        with self.assertRaisesMessage(ConflictError, "already has a session"):
            actions.reschedule_appointment(
                session, day=TUESDAY, starts_at=time(14), ends_at=time(15), acting_user=self.dana
            )
        # Moving within its own slot is no conflict with itself.
        actions.reschedule_appointment(
            session,
            day=TUESDAY,
            starts_at=time(10, 30),
            ends_at=time(11, 30),
            acting_user=self.dana,
        )
