from datetime import UTC, date, datetime, time

import time_machine

from openiop.lib.recurrence import NonexistentLocalTime
from openiop.programs.models import TrackBlock
from openiop.scheduling import actions
from openiop.scheduling.errors import SchedulingError
from openiop.scheduling.models import Booking, Enrollment, Session
from openiop.scheduling.tests.base import SchedulingTestCase

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class SessionGenerationTestCase(SchedulingTestCase):
    def test_it_keeps_the_evening_group_at_18_local_across_dst(self):
        actions.generate_group_sessions(
            self.group, first_day=date(2026, 3, 2), last_day=date(2026, 11, 8)
        )
        march = Session.objects.get(group=self.group, local_date=date(2026, 3, 9))
        november = Session.objects.get(group=self.group, local_date=date(2026, 11, 2))
        self.assertEqual(march.starts_at, datetime(2026, 3, 9, 22, tzinfo=UTC))
        self.assertEqual(november.starts_at, datetime(2026, 11, 2, 23, tzinfo=UTC))
        for session in (march, november):
            self.assertEqual(session.local_starts_at, time(18))
            self.assertEqual(session.timezone, "America/New_York")
            self.assertEqual(session.local_start("America/New_York").hour, 18)

    def test_generating_twice_creates_nothing_new(self):
        first = actions.generate_group_sessions(
            self.group, first_day=date(2026, 3, 2), last_day=date(2026, 3, 15)
        )
        again = actions.generate_group_sessions(
            self.group, first_day=date(2026, 3, 2), last_day=date(2026, 3, 15)
        )
        self.assertEqual((first, again), (6, 0))

    def test_it_skips_holidays_and_cancels_their_sessions(self):
        actions.generate_group_sessions(
            self.group, first_day=date(2026, 3, 2), last_day=date(2026, 3, 15)
        )
        actions.add_holiday(
            self.program, day=date(2026, 3, 4), name="Staff training", acting_user=self.dana
        )
        session = Session.objects.get(group=self.group, local_date=date(2026, 3, 4))
        self.assertTrue(session.is_cancelled)
        self.assertEqual(session.cancel_reason, Session.CancelReason.HOLIDAY)
        self.assertEqual(session.sequence, 1)

    def test_a_nonexistent_template_time_is_refused(self):
        TrackBlock.objects.create(
            track=self.track,
            rule="FREQ=WEEKLY;BYDAY=SU",
            starts_at=time(2, 30),
            ends_at=time(3, 30),
        )
        with self.assertRaisesMessage(NonexistentLocalTime, "does not exist in America/New_York"):
            actions.generate_group_sessions(
                self.group, first_day=date(2026, 3, 2), last_day=date(2026, 3, 15)
            )
        self.assertFalse(Session.objects.exists())

    def test_an_extra_session_books_the_seated_members(self):
        enrollment = actions.admit(
            self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana
        )
        session = actions.add_extra_session(
            self.group,
            day=date(2026, 3, 7),
            starts_at=time(10),
            ends_at=time(12),
            acting_user=self.dana,
        )
        self.assertTrue(session.is_extra)
        self.assertTrue(session.bookings.filter(enrollment=enrollment).exists())

    def test_an_extra_session_refuses_an_end_before_its_start(self):
        with self.assertRaisesMessage(SchedulingError, "end time must be after"):
            actions.add_extra_session(
                self.group,
                day=date(2026, 3, 7),
                starts_at=time(12),
                ends_at=time(10),
                acting_user=self.dana,
            )

    def test_cancelling_a_session_bumps_its_sequence_and_records_it(self):
        actions.admit(self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)
        session = Session.objects.get(group=self.group, local_date=date(2026, 3, 4))
        actions.cancel_session(session, reason=Session.CancelReason.OTHER, acting_user=self.dana)
        session.refresh_from_db()
        self.assertTrue(session.is_cancelled)
        self.assertEqual(session.sequence, 1)
        with self.assertRaisesMessage(SchedulingError, "already cancelled"):
            actions.cancel_session(session, reason="other", acting_user=self.dana)

    def test_the_curriculum_rotates_weekly(self):
        topics = [self.group.topic_for(date(2026, 1, 5 + 7 * week)) for week in range(4)]
        self.assertEqual(
            [topic.title if topic else "" for topic in topics],
            ["Mindfulness", "Distress tolerance", "Emotion regulation", "Mindfulness"],
        )


@time_machine.travel(NOW, tick=False)
class AdmissionTestCase(SchedulingTestCase):
    def test_admission_gives_a_personal_schedule_to_the_expected_end(self):
        enrollment = actions.admit(
            self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana
        )
        self.assertEqual(enrollment.status, Enrollment.Status.SEATED)
        self.assertEqual(enrollment.expected_end_on, date(2026, 4, 27))  # 8 weeks
        bookings = Booking.objects.filter(participant=self.pat)
        # Mon 2 Mar .. Mon 27 Apr: 8 weeks x 3 + the final Monday.
        self.assertEqual(bookings.count(), 25)
        self.group.refresh_from_db()
        self.assertEqual(self.group.seated_count, 1)

    def test_a_taper_thins_the_last_weeks(self):
        actions.admit(
            self.pat,
            self.group,
            starts_on=date(2026, 3, 2),
            expected_end_on=date(2026, 3, 29),
            taper_weeks=2,
            taper_sessions_per_week=1,
            acting_user=self.dana,
        )
        days = list(
            Booking.objects.filter(participant=self.pat)
            .order_by("session__starts_at")
            .values_list("session__local_date", flat=True)
        )
        self.assertEqual([d.day for d in days], [2, 4, 5, 9, 11, 12, 16, 23])

    def test_it_refuses_a_start_in_a_week_without_sessions(self):
        for day in (9, 11, 12):
            actions.add_holiday(
                self.program, day=date(2026, 3, day), name="Closure", acting_user=self.dana
            )
        with self.assertRaisesMessage(SchedulingError, "no sessions from Mon 9 Mar 2026"):
            actions.admit(self.pat, self.group, starts_on=date(2026, 3, 9), acting_user=self.dana)

    def test_it_refuses_a_past_start_and_a_second_enrollment(self):
        with self.assertRaisesMessage(SchedulingError, "in the past"):
            actions.admit(self.pat, self.group, starts_on=date(2026, 2, 23), acting_user=self.dana)
        actions.admit(self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)
        with self.assertRaisesMessage(SchedulingError, "already seated or waiting"):
            actions.admit(self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)

    def test_it_refuses_an_end_before_the_start(self):
        with self.assertRaisesMessage(SchedulingError, "expected end must be after"):
            actions.admit(
                self.pat,
                self.group,
                starts_on=date(2026, 3, 4),
                expected_end_on=date(2026, 3, 2),
                acting_user=self.dana,
            )

    def test_a_full_group_waitlists_and_a_freed_seat_goes_to_the_first_in_line(self):
        others = [
            self.make_participant(f"p{i}@example.org", f"Person{i}", "Test", "") for i in range(4)
        ]
        for person in others[:3]:
            actions.admit(person, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)
        first_waiting = actions.admit(
            self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana
        )
        actions.admit(others[3], self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)
        self.assertEqual(first_waiting.status, Enrollment.Status.WAITLISTED)
        self.assertFalse(Booking.objects.filter(participant=self.pat).exists())

        seated = Enrollment.objects.get(participant=others[0])
        with time_machine.travel(datetime(2026, 3, 5, 12, tzinfo=UTC), tick=False):
            actions.end_enrollment(seated, acting_user=self.dana)
        first_waiting.refresh_from_db()
        self.assertEqual(first_waiting.status, Enrollment.Status.SEATED)
        # Placed later than asked: starts today and keeps its eight weeks.
        self.assertEqual(first_waiting.starts_on, date(2026, 3, 5))
        self.assertEqual(first_waiting.expected_end_on, date(2026, 4, 30))
        first = Booking.objects.filter(participant=self.pat).order_by("session__starts_at")[0]
        self.assertEqual(first.session.local_date, date(2026, 3, 5))
        self.group.refresh_from_db()
        self.assertEqual(self.group.seated_count, 3)

    def test_step_down_participants_go_first(self):
        others = [
            self.make_participant(f"p{i}@example.org", f"Person{i}", "Test", "") for i in range(3)
        ]
        for person in others:
            actions.admit(person, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)
        routine = actions.admit(
            self.quinn, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana
        )
        step_down = actions.admit(
            self.pat,
            self.group,
            starts_on=date(2026, 3, 2),
            priority=Enrollment.Priority.STEP_DOWN,
            acting_user=self.dana,
        )
        actions.set_capacity(self.group, capacity=4, acting_user=self.dana)
        step_down.refresh_from_db()
        routine.refresh_from_db()
        self.assertEqual(step_down.status, Enrollment.Status.SEATED)
        self.assertEqual(routine.status, Enrollment.Status.WAITLISTED)

    def test_capacity_cannot_drop_below_the_seated_count_or_pass_the_hard_cap(self):
        actions.admit(self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)
        actions.admit(self.quinn, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)
        with self.assertRaisesMessage(SchedulingError, "2 participants are seated"):
            actions.set_capacity(self.group, capacity=1, acting_user=self.dana)
        with self.assertRaisesMessage(SchedulingError, "hard cap is 12"):
            actions.set_capacity(self.group, capacity=13, acting_user=self.dana)

    def test_ending_an_enrollment_releases_future_sessions_only(self):
        enrollment = actions.admit(
            self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana
        )
        with time_machine.travel(datetime(2026, 3, 5, 12, tzinfo=UTC), tick=False):
            actions.end_enrollment(enrollment, acting_user=self.dana)
        kept = Booking.objects.filter(participant=self.pat, status=Booking.Status.BOOKED)
        self.assertEqual(sorted(b.session.local_date.day for b in kept), [2, 4])
