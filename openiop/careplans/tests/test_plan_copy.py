"""Copying the plan in effect into a new draft for a review (the signing work calls this)."""

from datetime import date, timedelta

import time_machine
from django.utils import timezone

from openiop.audit.models import AuditEvent
from openiop.careplans import actions
from openiop.careplans.models import Intervention, Objective, PlanProblem, TreatmentPlan
from openiop.careplans.tests.plan_fixtures import (
    NOW,
    TODAY,
    admit_through_intake,
    chart_diagnosis,
    make_plan,
)
from openiop.testing import BaseTestCase


def tree(plan):
    """Each item's lineage with what hangs from it, as comparable tuples."""
    problems = [
        (
            p.lineage,
            p.position,
            p.in_own_words,
            p.clinical_statement,
            p.assessment_findings,
            sorted(d.pk for d in p.diagnoses.all()),
            [
                (
                    g.lineage,
                    g.position,
                    g.text,
                    [
                        (
                            o.lineage,
                            o.position,
                            o.text,
                            o.target_date,
                            o.measure,
                            o.measure_comparator,
                            o.measure_target,
                            o.status,
                        )
                        for o in g.objectives.all()
                    ],
                )
                for g in p.goals.all()
            ],
        )
        for p in plan.problems.all()
    ]
    interventions = [
        (
            i.lineage,
            i.position,
            i.modality,
            i.description,
            i.frequency,
            i.duration_minutes,
            i.length_weeks,
            i.responsible_discipline,
            i.responsible_person_id,
            sorted(o.lineage for o in i.objectives.all()),
            i.booked_session_codes,
        )
        for i in plan.interventions.all()
    ]
    return problems, interventions


@time_machine.travel(NOW, tick=False)
class CopyForReviewTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        episode = admit_through_intake(self, self.pat, scores=False)
        self.plan = make_plan(
            self.pat,
            created_by=self.alvarez,
            status=TreatmentPlan.Status.ACTIVE,
            problems=2,
            goals=2,
            objectives=2,
            interventions=3,
        )
        TreatmentPlan.objects.filter(pk=self.plan.pk).update(
            episode=episode,
            preferences="Evenings",
            barriers="Childcare",
            technology_barriers="Phone only",
            discharge_criteria="PHQ-9 under 10",
            certified_weekly_hours=9,
            effective_at=timezone.now(),
            review_due_on=TODAY,
        )
        self.plan.refresh_from_db()
        self.diagnosis = chart_diagnosis(self, self.pat, "F33.1", "Major depressive disorder")
        self.plan.problems.all()[0].diagnoses.add(self.diagnosis)
        # The second intervention serves only the last objective; the third serves none.
        interventions = list(self.plan.interventions.all())
        interventions[1].objectives.set(
            [Objective.objects.filter(goal__problem__plan=self.plan).order_by("-id")[0]]
        )
        interventions[2].objectives.clear()
        Intervention.objects.filter(pk=interventions[0].pk).update(
            booked_session_codes=["a1b2"], booked_at=timezone.now()
        )
        Objective.objects.filter(goal__problem__plan=self.plan).update(status="in_progress")

    def copy(self, **kwargs):
        return actions.copy_plan_for_review(
            self.plan,
            reason=kwargs.get("reason", TreatmentPlan.Reason.SCHEDULED_REVIEW),
            acting_user=kwargs.get("acting_user", self.alvarez),
        )

    def test_the_copy_is_the_next_draft_of_the_same_plan(self):
        copy = self.copy()
        self.assertEqual(copy.status, TreatmentPlan.Status.DRAFT)
        self.assertEqual(copy.number, 2)
        self.assertEqual(copy.previous, self.plan)
        self.assertEqual(copy.lineage, self.plan.lineage)
        self.assertEqual(copy.reason, TreatmentPlan.Reason.SCHEDULED_REVIEW)
        self.assertEqual(copy.episode, self.plan.episode)
        self.assertEqual(copy.edit_version, 1)
        self.assertIsNone(copy.effective_at)
        self.assertIsNone(copy.certified_weekly_hours)
        self.assertEqual(copy.review_due_on, TODAY + timedelta(days=30))
        for name in (
            "strengths",
            "preferences",
            "barriers",
            "technology_barriers",
            "discharge_criteria",
            "anticipated_discharge_on",
            "level_of_care",
            "assessment",
        ):
            self.assertEqual(getattr(copy, name), getattr(self.plan, name), name)
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.status, TreatmentPlan.Status.ACTIVE)

    def test_every_item_is_copied_with_its_lineage(self):
        copy = self.copy()
        self.assertEqual(tree(copy), tree(self.plan))
        self.assertEqual(PlanProblem.objects.filter(plan=copy).count(), 2)
        self.assertEqual(Objective.objects.filter(goal__problem__plan=copy).count(), 8)
        old_codes = set(
            Objective.objects.filter(goal__problem__plan=self.plan).values_list("code", flat=True)
        )
        new_codes = set(
            Objective.objects.filter(goal__problem__plan=copy).values_list("code", flat=True)
        )
        self.assertFalse(old_codes & new_codes)

    def test_links_point_at_the_copies_and_the_chart_diagnoses_stay(self):
        copy = self.copy()
        for intervention in copy.interventions.all():
            for objective in intervention.objectives.all():
                self.assertEqual(objective.goal.problem.plan, copy)
        self.assertEqual(list(copy.problems.all()[0].diagnoses.all()), [self.diagnosis])
        booked = copy.interventions.all()[0]
        self.assertEqual(booked.booked_session_codes, ["a1b2"])
        self.assertIsNotNone(booked.booked_at)
        # The source keeps its own links.
        source = self.plan.interventions.all()[0]
        self.assertTrue(all(o.goal.problem.plan == self.plan for o in source.objectives.all()))

    def test_it_takes_a_constant_number_of_queries(self):
        with self.assertNumQueries(23):
            self.copy()
        more = make_plan(self.quinn, created_by=self.chen, status="active", problems=4, goals=3)
        quinns = chart_diagnosis(self, self.quinn, "F43.10", "Post-traumatic stress disorder")
        for problem in more.problems.all():
            problem.diagnoses.add(quinns)
        with self.assertNumQueries(23):
            actions.copy_plan_for_review(more, reason="clinical_change", acting_user=self.chen)

    def test_the_copy_is_recorded_once_without_text(self):
        copy = self.copy(reason=TreatmentPlan.Reason.LEVEL_OF_CARE_CHANGE)
        event = AuditEvent.objects.get(event_type="careplans.plan_copied")
        self.assertEqual(event.participant, self.pat)
        self.assertEqual(
            event.details,
            {
                "plan": str(copy.code),
                "replaces": str(self.plan.code),
                "number": 2,
                "reason": "level_of_care_change",
            },
        )

    def test_the_new_draft_is_editable_and_the_old_version_is_not(self):
        copy = self.copy()
        objective = Objective.objects.filter(goal__problem__plan=copy)[0]
        actions.save_objective(
            copy,
            objective,
            goal=objective.goal,
            fields={"text": "Revised", "target_date": objective.target_date, "status": "revised"},
            edit_version=copy.edit_version,
            acting_user=self.alvarez,
        )
        original = Objective.objects.get(goal__problem__plan=self.plan, lineage=objective.lineage)
        self.assertNotEqual(original.text, "Revised")

    def test_only_the_plan_in_effect_is_copied(self):
        for status in ("draft", "awaiting_signatures", "superseded"):
            with self.subTest(status=status):
                TreatmentPlan.objects.filter(pk=self.plan.pk).update(status=status)
                with self.assertRaisesMessage(actions.PlanError, "Only the plan in effect"):
                    self.copy()

    def test_it_refuses_while_a_draft_is_open(self):
        first = self.copy()
        with self.assertRaises(actions.PlanExists) as caught:
            self.copy()
        self.assertEqual(caught.exception.plan, first)
        self.assertEqual(TreatmentPlan.objects.filter(participant=self.pat).count(), 2)

    def test_it_needs_a_review_reason(self):
        for reason in ("initial", "", "whim"):
            with self.subTest(reason=reason), self.assertRaises(actions.PlanError):
                self.copy(reason=reason)

    def test_an_old_target_date_is_kept(self):
        Objective.objects.filter(goal__problem__plan=self.plan).update(target_date=date(2026, 1, 5))
        copy = self.copy()
        dates = set(
            Objective.objects.filter(goal__problem__plan=copy).values_list("target_date", flat=True)
        )
        self.assertEqual(dates, {date(2026, 1, 5)})
