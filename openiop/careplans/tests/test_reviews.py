"""Reviews fall due on the program's cadence and at once on a level-of-care change."""

from datetime import UTC, date, datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openiop.audit.models import AuditEvent
from openiop.careplans import actions
from openiop.careplans.actions import ReviewError
from openiop.careplans.models import PlanSignature, TreatmentPlan
from openiop.careplans.reviews import (
    DUE,
    OVERDUE,
    local_today,
    plans_due_for_review,
    review_for,
)
from openiop.careplans.tests.plan_fixture import (
    current_hash,
    decide_level,
    make_episode,
    make_plan,
)
from openiop.testing import BaseTestCase

Role = PlanSignature.Role
Status = TreatmentPlan.Status
Reason = TreatmentPlan.Reason
# Monday 2 March 2026, 12:00 in New York: the plan takes effect; review due Wed 1 April.
SIGNED = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


def at_noon_in_new_york(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 16, 0, tzinfo=UTC)


class ReviewTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        with time_machine.travel(SIGNED, tick=False):
            self.episode = make_episode(self.pat, by=self.ivy, level="iop")
            self.plan = self.signed_plan(
                make_plan(self.pat, author=self.alvarez, episode=self.episode)
            )

    def signed_plan(self, plan):
        actions.submit_for_signatures(plan, acting_user=self.alvarez)
        for role, user in (
            (Role.PARTICIPANT, self.pat_user),
            (Role.PRIMARY_CLINICIAN, self.alvarez),
        ):
            actions.sign_plan(
                plan,
                role=role,
                typed_name=user.display_name,
                signed_hash=current_hash(plan),
                acting_user=user,
            )
        plan.refresh_from_db()
        return plan

    def due(self, today):
        return plans_due_for_review(TreatmentPlan.objects.all(), today=today)


class ScheduledReviewTestCase(ReviewTestCase):
    def test_it_is_not_due_the_day_before(self):
        self.assertEqual(self.plan.review_due_on, date(2026, 4, 1))
        self.assertEqual(self.due(date(2026, 3, 31)), [])

    def test_it_is_due_exactly_on_day_30(self):
        [review] = self.due(date(2026, 4, 1))
        self.assertEqual(review.plan, self.plan)
        self.assertEqual(
            (review.status, review.reason, review.due_on, review.in_progress),
            (DUE, Reason.SCHEDULED_REVIEW, date(2026, 4, 1), False),
        )

    def test_it_is_overdue_after_day_30(self):
        [review] = self.due(date(2026, 4, 2))
        self.assertEqual(review.status, OVERDUE)

    def test_the_local_day_counts_in_frozen_time(self):
        with time_machine.travel(at_noon_in_new_york(date(2026, 4, 1)), tick=False):
            today = local_today(self.plan)
            self.assertEqual(today, date(2026, 4, 1))
            review = review_for(self.plan, today=today)
        assert review is not None
        self.assertEqual(review.status, DUE)

    def test_a_discharged_chart_is_never_due(self):
        self.pat.discharged_at = timezone.now()
        self.pat.save()
        self.assertEqual(self.due(date(2026, 5, 1)), [])

    def test_one_query_whatever_the_number_of_plans(self):
        with time_machine.travel(SIGNED, tick=False):
            make_episode(self.quinn, by=self.ivy)
            quinn = make_plan(self.quinn, author=self.chen, status=Status.ACTIVE)
            TreatmentPlan.objects.filter(pk=quinn.pk).update(
                review_due_on=date(2026, 3, 20), effective_at=SIGNED
            )
        with CaptureQueriesContext(connection) as queries:
            reviews = self.due(date(2026, 4, 2))
            # What the worklist shows comes with the rows.
            names = [r.plan.participant.short_name for r in reviews]
            zones = [r.plan.participant.program.timezone for r in reviews]
        self.assertEqual(len(queries), 1)
        self.assertEqual(names, ["Quinn M.", "Pat L."])  # both overdue, the older first
        self.assertEqual(zones, ["America/New_York"] * 2)


class LevelOfCareChangeTestCase(ReviewTestCase):
    def test_a_new_episode_level_makes_the_plan_due_at_once(self):
        self.episode.level_of_care = "php"
        self.episode.save()
        [review] = self.due(date(2026, 3, 10))
        self.assertEqual(
            (review.status, review.reason, review.due_on),
            (DUE, Reason.LEVEL_OF_CARE_CHANGE, date(2026, 3, 10)),
        )

    def test_a_decision_after_the_plan_took_effect_makes_it_due_that_day(self):
        with time_machine.travel(at_noon_in_new_york(date(2026, 3, 9)), tick=False):
            decide_level(self.episode, level="iop", by=self.alvarez)
        [review] = self.due(date(2026, 3, 9))
        self.assertEqual(
            (review.status, review.reason, review.due_on),
            (DUE, Reason.LEVEL_OF_CARE_CHANGE, date(2026, 3, 9)),
        )
        [review] = self.due(date(2026, 3, 10))
        self.assertEqual(review.status, OVERDUE)

    def test_a_decision_before_the_plan_took_effect_does_not(self):
        with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False):
            decide_level(self.episode, level="iop", by=self.alvarez)
        self.assertEqual(self.due(date(2026, 3, 10)), [])

    def test_the_program_code_for_outpatient_matches_the_episode_level(self):
        self.episode.level_of_care = "outpatient"
        self.episode.save()
        TreatmentPlan.objects.filter(pk=self.plan.pk).update(level_of_care="op")
        self.assertEqual(self.due(date(2026, 3, 10)), [])


class StartReviewTestCase(ReviewTestCase):
    def test_a_review_is_a_new_draft_and_the_plan_stays_in_effect(self):
        new = actions.start_review(
            self.plan, reason=Reason.SCHEDULED_REVIEW, acting_user=self.alvarez
        )
        self.assertEqual(
            (new.number, new.status, new.reason, new.lineage, new.previous),
            (2, Status.DRAFT, Reason.SCHEDULED_REVIEW, self.plan.lineage, self.plan),
        )
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.status, Status.ACTIVE)
        event = AuditEvent.objects.get(event_type="careplans.review_started")
        self.assertEqual(
            event.details,
            {
                "plan": str(new.code),
                "replaces": str(self.plan.code),
                "reason": "scheduled_review",
                "number": 2,
            },
        )
        [review] = self.due(date(2026, 4, 2))
        self.assertTrue(review.in_progress)

        # Once the new version is signed, the old one is superseded and nothing is due.
        with time_machine.travel(at_noon_in_new_york(date(2026, 4, 2)), tick=False):
            self.signed_plan(new)
        self.plan.refresh_from_db()
        new.refresh_from_db()
        self.assertEqual((self.plan.status, new.status), (Status.SUPERSEDED, Status.ACTIVE))
        self.assertEqual(new.review_due_on, date(2026, 5, 2))
        self.assertEqual(self.due(date(2026, 4, 2)), [])

    def test_a_level_of_care_review_is_written_for_the_new_level(self):
        self.episode.level_of_care = "php"
        self.episode.save()
        new = actions.start_review(
            self.plan, reason=Reason.LEVEL_OF_CARE_CHANGE, acting_user=self.alvarez
        )
        self.assertEqual(new.level_of_care, "php")

    def test_only_one_review_at_a_time(self):
        actions.start_review(self.plan, reason=Reason.SCHEDULED_REVIEW, acting_user=self.alvarez)
        with self.assertRaisesMessage(ReviewError, "version 2, draft"):
            actions.start_review(
                self.plan, reason=Reason.SCHEDULED_REVIEW, acting_user=self.alvarez
            )

    def test_only_the_plan_in_effect_is_reviewed(self):
        TreatmentPlan.objects.filter(pk=self.plan.pk).update(status=Status.SUPERSEDED)
        with self.assertRaisesMessage(ReviewError, "Only the plan in effect"):
            actions.start_review(
                self.plan, reason=Reason.SCHEDULED_REVIEW, acting_user=self.alvarez
            )

    def test_the_reason_must_be_a_review_reason(self):
        with self.assertRaisesMessage(ReviewError, "Choose why"):
            actions.start_review(self.plan, reason=Reason.INITIAL, acting_user=self.alvarez)
