from datetime import timedelta
from typing import ClassVar

import time_machine
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from openiop.assessments.models import Assignment
from openiop.audit.models import AuditEvent
from openiop.feedback import actions, queries
from openiop.feedback.models import FeedbackSetting, SessionCheckIn
from openiop.feedback.tests.helpers import NOW, FeedbackFixture, answer, check_in_for
from openiop.scheduling.models import Session
from openiop.telehealth.models import Attendance
from openiop.testing import BaseTestCase

DAY = timedelta(days=1)
# Session, user, "is a director", own by group, program by group, group names, program by
# clinician (appointments, groups), clinician names, and the page's alert badge.
_TREND_QUERIES = 10


@time_machine.travel(NOW, tick=False)
class AssignTests(FeedbackFixture, BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.create_schedule()
        cls.seat(cls.pat)
        cls.seat(cls.quinn)

    def test_attendees_of_an_ended_session_get_one_check_in_each(self):
        ended = self.session(NOW - DAY)
        self.book(ended, self.pat, "present")
        self.book(ended, self.quinn, "absent")
        upcoming = self.session(NOW + DAY)
        self.book(upcoming, self.pat, "")
        self.assertEqual(actions.assign_due_check_ins(now=NOW), 1)
        check_in = SessionCheckIn.objects.get()
        self.assertEqual((check_in.session, check_in.participant), (ended, self.pat))
        self.assertEqual(check_in.assignment.instrument.key, "session-check-in")
        self.assertEqual(check_in.assignment.status, Assignment.Status.OPEN)
        self.assertEqual(check_in.assignment.assigned_by, self.alvarez)  # the lead
        # Idempotent: a second sweep (or the command) finds nothing to do.
        self.assertEqual(actions.assign_due_check_ins(now=NOW), 0)
        call_command("assign_session_check_ins", verbosity=0)
        self.assertEqual(SessionCheckIn.objects.count(), 1)
        event = AuditEvent.objects.get(event_type="feedback.check_in_assigned")
        self.assertIsNone(event.actor)

    def test_late_and_left_early_count_unrecorded_does_not(self):
        ended = self.session(NOW - DAY)
        self.book(ended, self.pat, "late")
        self.book(ended, self.quinn, "")
        self.assertEqual(actions.assign_due_check_ins(now=NOW), 1)

    def test_video_admission_counts_when_nobody_recorded_attendance(self):
        ended = self.session(NOW - DAY)
        self.book(ended, self.quinn, "")
        Attendance.objects.create(
            session_code=ended.code,
            participant=self.quinn,
            state=Attendance.State.ADMITTED,
            location="Brooklyn",
            location_state="NY",
            callback_phone="+12125550100",
            private_place=True,
            location_confirmed_at=ended.starts_at,
            waiting_since=ended.starts_at,
            admitted_at=ended.starts_at,
            minutes_attended=170,
        )
        self.assertEqual(actions.assign_due_check_ins(now=NOW), 1)
        self.assertEqual(SessionCheckIn.objects.get().participant, self.quinn)

    def test_sessions_older_than_the_lookback_and_running_ones_are_skipped(self):
        self.book(self.session(NOW - 5 * DAY), self.pat)
        self.book(self.session(NOW - timedelta(hours=1)), self.quinn)  # ends in two hours
        self.assertEqual(actions.assign_due_check_ins(now=NOW), 0)

    def test_an_unanswered_check_in_is_superseded_by_the_next(self):
        first, second = self.session(NOW - 2 * DAY), self.session(NOW - DAY)
        self.book(first, self.pat)
        self.book(second, self.pat)
        old = check_in_for(first, self.pat)
        self.assertEqual(actions.assign_due_check_ins(now=NOW), 1)
        old.refresh_from_db()
        self.assertEqual(old.status, SessionCheckIn.Status.SUPERSEDED)
        self.assertEqual(old.assignment.status, Assignment.Status.CANCELLED)
        new = SessionCheckIn.objects.get(session=second)
        self.assertEqual(new.assignment.status, Assignment.Status.OPEN)

    def test_an_older_session_never_replaces_a_newer_check_in(self):
        first, second = self.session(NOW - 2 * DAY), self.session(NOW - DAY)
        self.book(first, self.pat)
        check_in_for(second, self.pat)
        self.assertEqual(actions.assign_due_check_ins(now=NOW), 0)
        self.assertFalse(SessionCheckIn.objects.filter(session=first).exists())

    def test_a_site_instrument_that_is_not_loaded_assigns_nothing(self):
        FeedbackSetting.objects.create(program=self.program, instrument_key="srs-site")
        self.book(self.session(NOW - DAY), self.pat)
        with self.assertLogs("openiop.feedback.actions", "WARNING"):
            self.assertEqual(actions.assign_due_check_ins(now=NOW), 0)

    def test_an_appointment_is_assigned_for_its_clinician(self):
        appointment = self.session(NOW - DAY, clinician=self.chen)
        self.book(appointment, self.quinn)
        actions.assign_due_check_ins(now=NOW)
        self.assertEqual(SessionCheckIn.objects.get().assignment.assigned_by, self.chen)


@time_machine.travel(NOW, tick=False)
class FlagTests(FeedbackFixture, BaseTestCase):
    past: ClassVar[list[Session]]
    next: ClassVar[Session]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.create_schedule()
        cls.seat(cls.pat)
        cls.seat(cls.quinn)
        cls.past = [cls.session(NOW - n * DAY) for n in (3, 2)]
        cls.next = cls.session(NOW + DAY)
        for session in [*cls.past, cls.next]:
            cls.book(session, cls.pat, "present" if session.starts_at < NOW else "")
            cls.book(session, cls.quinn, "present" if session.starts_at < NOW else "")

    def answered(self, session, participant, scores, comment=""):
        check_in = check_in_for(session, participant)
        answer(check_in, scores, comment)
        check_in.refresh_from_db()
        return check_in

    def test_defaults_low_item_low_overall_and_falling(self):
        good = self.answered(self.past[0], self.pat, (9, 9, 9, 9))
        self.assertEqual((good.total, good.low, good.falling), (36, False, False))
        dropped = self.answered(self.past[1], self.pat, (7, 7, 7, 9))
        # 30 vs 36: down 6 ≥ 5 points; no item ≤ 4, overall 9 > 5.
        self.assertEqual((dropped.total, dropped.change, dropped.low), (30, -6, False))
        self.assertTrue(dropped.falling)

    def test_boundaries(self):
        at_item = self.answered(self.past[0], self.pat, (4, 10, 10, 10))
        self.assertEqual(at_item.low_reasons, ["item"])
        above = self.answered(self.past[0], self.quinn, (5, 6, 6, 6))
        self.assertFalse(above.low)
        overall = self.answered(self.past[1], self.quinn, (6, 6, 6, 5))
        self.assertEqual(overall.low_reasons, ["overall"])
        self.assertFalse(overall.falling)  # 23 vs 23

    def test_program_rule_for_a_licensed_measure(self):
        FeedbackSetting.objects.create(
            program=self.program,
            low_item_at_or_below=None,
            low_overall_at_or_below=None,
            low_total_below=36,
            falling_points=10,
        )
        check_in = self.answered(self.past[0], self.pat, (9, 9, 9, 8))
        self.assertEqual(check_in.low_reasons, ["total"])
        high = self.answered(self.past[0], self.quinn, (9, 9, 9, 9))
        self.assertFalse(high.low)

    def test_flags_show_on_the_next_session_page_without_answers(self):
        self.answered(self.past[0], self.pat, (9, 9, 9, 9))
        self.answered(self.past[1], self.pat, (3, 8, 8, 8), comment="PRIVATE-COMMENT-TEXT")
        self.answered(self.past[1], self.quinn, (9, 9, 9, 9))
        flags = queries.flags_for_sessions([self.next])[self.next.pk]
        self.assertEqual([f.participant for f in flags], [self.pat])
        self.login(self.alvarez)
        page = self.client.get(reverse("scheduling:session", args=[self.next.code]))
        self.assertContains(page, "Session check-ins to look at")
        self.assertContains(page, "an item scored low")
        self.assertContains(page, "fell 9 points")
        self.assertNotContains(page, "PRIVATE-COMMENT-TEXT")
        self.assertEqual(queries.flag_counts([self.next.pk]), {self.next.pk: 1})

    def test_a_newer_good_check_in_clears_the_flag(self):
        self.answered(self.past[0], self.pat, (2, 2, 2, 2))
        self.assertEqual(
            queries.flag_counts([self.next.pk, self.past[1].pk]),
            {self.next.pk: 1, self.past[1].pk: 1},
        )
        self.answered(self.past[1], self.pat, (9, 9, 9, 9))
        self.assertEqual(queries.flag_counts([self.next.pk]), {})

    def test_participants_and_outsiders_see_no_flags(self):
        self.answered(self.past[0], self.pat, (2, 2, 2, 2))
        self.login(self.chen)  # neither facilitates this group nor directs
        page = self.client.get(reverse("scheduling:session", args=[self.next.code]))
        self.assertEqual(page.status_code, 404)

    def test_worklist_counts_flags_on_todays_sessions(self):
        from openiop.core.worklist import todays_sessions

        self.answered(self.past[0], self.pat, (2, 2, 2, 2))
        today = self.session(NOW + timedelta(hours=6))
        self.book(today, self.pat, "")
        rows = todays_sessions(self.alvarez, zone="America/New_York", today=today.local_date)
        self.assertEqual([r.feedback_flags for r in rows.rows], [1])


@time_machine.travel(NOW, tick=False)
class ParticipantTests(FeedbackFixture, BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.create_schedule()
        cls.seat(cls.pat)

    def test_the_check_in_is_due_with_its_session(self):
        session = self.session(NOW - DAY)
        self.book(session, self.pat)
        actions.assign_due_check_ins(now=NOW)
        self.login(self.pat_user, mfa=False)
        for name in ("home", "assessments:mine"):
            page = self.client.get(reverse(name))
            self.assertContains(page, "not a validated instrument")
            self.assertContains(page, "About: Evening DBT A")
            # Tuesday 10 March 2026, 12:00 UTC is 8:00 AM in New York (EDT).
            self.assertContains(page, "EDT")


@time_machine.travel(NOW, tick=False)
class TrendTests(FeedbackFixture, BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.create_schedule()
        cls.seat(cls.pat)
        cls.seat(cls.quinn)

    def add(self, session, participant, scores):
        self.book(session, participant)
        answer(check_in_for(session, participant), scores)

    def test_facilitator_sees_own_weekly_averages(self):
        monday = self.session(NOW - 9 * DAY)
        self.add(monday, self.pat, (5, 5, 5, 5))
        self.add(monday, self.quinn, (10, 10, 10, 10))
        self.add(self.session(NOW - 2 * DAY), self.pat, (8, 8, 8, 8))
        self.login(self.alvarez)
        page = self.client.get(reverse("feedback:trends"))
        self.assertEqual(page.status_code, 200)
        own = page.context["own"]
        self.assertEqual([s.label for s in own], ["Evening DBT A"])
        self.assertEqual([(w["answered"], w["average"]) for w in own[0].weeks], [(2, 30), (1, 32)])
        self.assertFalse(page.context["is_director"])

    def test_director_query_count_does_not_grow(self):
        def count() -> int:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            self.login(self.dana)
            with CaptureQueriesContext(connection) as ctx:
                self.client.get(reverse("feedback:trends"))
            return len(ctx.captured_queries)

        self.add(self.session(NOW - 3 * DAY), self.pat, (5, 5, 5, 5))
        self.add(self.session(NOW - 2 * DAY, clinician=self.chen), self.quinn, (9, 9, 9, 9))
        small = count()
        for n in range(4, 12):
            self.add(self.session(NOW - n * DAY), self.quinn, (6, 6, 6, 6))
        self.assertEqual(count(), small)
        page = self.client.get(reverse("feedback:trends"))
        clinicians = {s.label: s.answered for s in page.context["program_clinicians"]}
        # Group sessions count for each facilitator (Dr. Alvarez and Sam); Dr. Chen's appointment.
        self.assertEqual(clinicians["Wei Chen, MD"], 1)
        self.assertEqual(clinicians["Rosa Alvarez, PsyD"], 9)
        groups = {s.label: s.answered for s in page.context["program_groups"]}
        self.assertEqual(groups, {"Evening DBT A": 9, "Individual sessions": 1})

    def test_director_trends_in_constant_queries(self):
        self.add(self.session(NOW - 3 * DAY), self.pat, (5, 5, 5, 5))
        self.login(self.dana)
        self.client.get(reverse("feedback:trends"))  # warm the session and caches
        with self.assertNumQueries(_TREND_QUERIES):
            self.client.get(reverse("feedback:trends"))

    def test_participants_get_404(self):
        self.login(self.pat_user, mfa=False)
        self.assertEqual(self.client.get(reverse("feedback:trends")).status_code, 404)


class NoFeedbackWithoutSessionsTests(TestCase):
    def test_flags_of_no_sessions(self):
        self.assertEqual(queries.flags_for_sessions([]), {})
        self.assertEqual(queries.flag_counts([]), {})
