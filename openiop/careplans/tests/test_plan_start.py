"""Starting a treatment plan from the intake assessment."""

from datetime import date

import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.careplans import actions
from openiop.careplans.models import TreatmentPlan
from openiop.careplans.tests.plan_fixtures import (
    NOW,
    OWN_WORDS,
    STRENGTHS,
    admit_through_intake,
    chart_diagnosis,
    make_plan,
)
from openiop.intake import actions as intake
from openiop.intake.tests.test_workflow import ASSESSMENT, PERSON
from openiop.testing import BaseTestCase


@time_machine.travel(NOW, tick=False)
class StartPlanTests(BaseTestCase):
    def start(self, user=None):
        self.login(user or self.alvarez)
        return self.client.post(reverse("careplans:plan_new", args=[self.pat.code]))

    def test_it_starts_a_draft_filled_in_from_the_intake_assessment(self):
        episode = admit_through_intake(self, self.pat)
        depression = chart_diagnosis(
            self, self.pat, "F33.1", "Major depressive disorder, recurrent, moderate"
        )
        response = self.start()
        plan = TreatmentPlan.objects.get(participant=self.pat)
        self.assertRedirects(response, plan.get_absolute_url())
        self.assertEqual(plan.status, TreatmentPlan.Status.DRAFT)
        self.assertEqual((plan.number, plan.reason), (1, TreatmentPlan.Reason.INITIAL))
        self.assertEqual(plan.episode, episode)
        self.assertEqual(plan.assessment, episode.referral.assessment)
        self.assertEqual(plan.level_of_care, "iop")
        self.assertEqual(plan.strengths, STRENGTHS)
        self.assertTrue(plan.technology_barriers.startswith("Device:"))
        # Admitted on Tue 8 Dec 2026; the program's typical stay is 8 weeks, reviews every 30 days.
        self.assertEqual(plan.anticipated_discharge_on, date(2027, 2, 2))
        self.assertEqual(plan.review_due_on, date(2027, 1, 7))
        first, second = plan.problems.all()
        self.assertEqual(first.in_own_words, OWN_WORDS)
        self.assertEqual(first.clinical_statement, str(depression))
        self.assertEqual(list(first.diagnoses.all()), [depression])
        self.assertEqual(second.in_own_words, "")
        # Admission put intake's second code on the chart too (careplans' intake hook).
        anxiety = self.pat.diagnoses.get(icd10_code="F41.1")
        self.assertEqual(second.clinical_statement, str(anxiety))
        self.assertEqual(list(second.diagnoses.all()), [anxiety])
        for problem in (first, second):
            self.assertIn("PHQ-9 total score: 16 (Moderately severe)", problem.assessment_findings)
            self.assertIn(
                "Functional impairment (clinician-rated): Moderate", problem.assessment_findings
            )
        event = AuditEvent.objects.get(event_type="careplans.plan_started")
        self.assertEqual(event.participant, self.pat)
        self.assertEqual(
            event.details,
            {
                "plan": str(plan.code),
                "episode": str(episode.code),
                "number": 1,
                "reason": "initial",
            },
        )

    def test_without_intake_diagnoses_it_starts_one_problem(self):
        admit_through_intake(self, self.pat, diagnoses=(), scores=False)
        plan = actions.start_plan(self.pat, acting_user=self.alvarez)
        (problem,) = plan.problems.all()
        self.assertEqual(problem.clinical_statement, "Low mood for three months")
        self.assertEqual(problem.in_own_words, OWN_WORDS)
        self.assertNotIn("PHQ-9", problem.assessment_findings)

    def test_it_starts_from_a_referral_made_through_the_intake_pages(self):
        referral = intake.create_referral(
            program=self.program,
            person=dict(PERSON),
            referral={"source": "self", "reason": "Low mood", "consent_to_contact": True},
            acting_user=self.ivy,
        )
        intake.record_screening(
            referral, proceed=True, note="", referred_to="", acting_user=self.ivy
        )
        intake.save_assessment(
            referral, fields={**ASSESSMENT, "goals": "Sleep again"}, acting_user=self.ivy
        )
        referral.refresh_from_db()
        intake.decide_level_of_care(
            referral, chosen_level="iop", variance_reason="Synthetic", acting_user=self.dana
        )
        intake.admit(referral, acting_user=self.ivy)
        plan = actions.start_plan(referral.participant, acting_user=self.ivy)
        self.assertEqual(plan.problems.get().in_own_words, "Sleep again")

    def test_it_refuses_a_second_draft_and_links_to_the_open_one(self):
        admit_through_intake(self, self.pat)
        plan = actions.start_plan(self.pat, acting_user=self.alvarez)
        response = self.start()
        self.assertRedirects(response, plan.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(TreatmentPlan.objects.filter(participant=self.pat).count(), 1)
        page = self.client.get(response.url)
        self.assertContains(page, "already has an open draft")

    def test_it_refuses_while_a_plan_is_in_effect(self):
        admit_through_intake(self, self.pat)
        active = make_plan(self.pat, created_by=self.alvarez, status=TreatmentPlan.Status.ACTIVE)
        response = self.start()
        self.assertRedirects(response, active.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(TreatmentPlan.objects.filter(participant=self.pat).count(), 1)

    def test_it_needs_an_admission(self):
        response = self.start()
        url = reverse("careplans:plans", args=[self.pat.code])
        self.assertRedirects(response, url, fetch_redirect_response=False)
        self.assertContains(self.client.get(url), "Admit the participant first")
        self.assertFalse(TreatmentPlan.objects.exists())

    def test_the_database_keeps_one_open_draft_per_participant(self):
        make_plan(self.pat, created_by=self.alvarez)
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_plan(self.pat, created_by=self.alvarez)

    def test_only_chart_writers_start_a_plan(self):
        admit_through_intake(self, self.pat)
        self.assertEqual(self.start(self.chen).status_code, 404)
        self.assertEqual(self.start(self.sam).status_code, 403)
        self.assertEqual(self.start(self.pat_user).status_code, 404)
        self.login(self.alvarez)
        url = reverse("careplans:plan_new", args=[self.pat.code])
        self.assertEqual(self.client.get(url).status_code, 405)
        self.assertFalse(TreatmentPlan.objects.exists())


@time_machine.travel(NOW, tick=False)
class PlanListTests(BaseTestCase):
    def url(self):
        return reverse("careplans:plans", args=[self.pat.code])

    def test_a_writer_sees_the_start_button_until_a_plan_exists(self):
        self.login(self.alvarez)
        self.assertContains(self.client.get(self.url()), "Start a plan from the intake assessment")
        plan = make_plan(self.pat, created_by=self.alvarez)
        response = self.client.get(self.url())
        self.assertNotContains(response, "Start a plan from the intake assessment")
        self.assertContains(response, plan.get_absolute_url())

    def test_a_reader_sees_the_plans_without_the_button(self):
        make_plan(self.pat, created_by=self.alvarez)
        self.login(self.sam)
        response = self.client.get(self.url())
        self.assertContains(response, "Version 1")
        self.assertNotContains(response, "Start a plan")

    def test_the_chart_links_to_the_plans(self):
        self.login(self.alvarez)
        response = self.client.get(reverse("participants:chart", args=[self.pat.code]))
        self.assertContains(response, self.url())
