from datetime import date

import time_machine

from openiop.assessments import demo as assessment_demo
from openiop.careplans.demo import load_plan_demo
from openiop.careplans.models import Objective, PlanSignature, TreatmentPlan
from openiop.careplans.tests.plan_fixtures import NOW
from openiop.core import demo
from openiop.testing import BaseTestCase


@time_machine.travel(NOW, tick=False)
class PlanDemoTests(BaseTestCase):
    def test_it_loads_a_draft_a_plan_in_effect_and_a_review(self):
        program = demo.load(participants=12, weeks=8)
        assessment_demo.load(program)
        draft, in_effect, review = load_plan_demo(program, today=date(2026, 12, 8))
        self.assertEqual((draft.status, draft.number), ("draft", 1))
        self.assertEqual((in_effect.status, in_effect.number), ("active", 1))
        self.assertEqual((review.status, review.number), ("draft", 2))
        previous = TreatmentPlan.objects.get(next=review)
        self.assertEqual((previous.status, previous.lineage), ("active", review.lineage))
        self.assertEqual(
            set(PlanSignature.objects.filter(plan=in_effect).values_list("role", flat=True)),
            {"participant", "primary_clinician"},
        )
        self.assertIn("PHQ-9 total score", draft.problems.all()[0].assessment_findings)
        for plan in (draft, in_effect, review):
            self.assertTrue(Objective.objects.filter(goal__problem__plan=plan).exists())
            self.assertEqual(plan.interventions.count(), 2)
            self.assertFalse(plan.problems.filter(in_own_words="").exists())
