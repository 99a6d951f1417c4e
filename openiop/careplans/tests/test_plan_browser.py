"""A clinician builds a plan from the intake assessment in the browser."""

import pytest

from openiop.careplans.models import Objective, TreatmentPlan
from openiop.careplans.tests.plan_fixtures import admit_through_intake
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser


class PlanBrowserTestCase(BrowserTestCase):
    def test_a_clinician_builds_a_plan_from_the_intake_assessment(self):
        admit_through_intake(self, self.pat)
        self.page.set_default_timeout(20_000)
        self.sign_in(self.alvarez)
        page = self.page
        page.goto(self.url(f"/participants/{self.pat.code}/"))
        page.get_by_role("link", name="Treatment plans").click()
        page.get_by_role("button", name="Start a plan from the intake assessment").click()
        page.get_by_role("heading", name="Treatment plan, version 1: draft").wait_for()
        self.assertEqual(self.serious_violations(), [])

        page.get_by_role("link", name="Add a goal to problem 1").click()
        page.get_by_label("Goal", exact=True).fill("Get back to work three days a week")
        page.get_by_role("button", name="Save").click()
        page.get_by_role("heading", name="Goal 1.1").wait_for()

        page.get_by_role("link", name="Add an objective to goal 1.1").click()
        self.assertEqual(self.serious_violations(), [])
        page.get_by_label("Objective", exact=True).fill("Scores in the mild range on the PHQ-9")
        page.get_by_label("Measure target: questionnaire").select_option("phq-9")
        page.get_by_label("Score to reach").select_option("lte")
        page.get_by_label("Target score").fill("9")
        page.get_by_role("button", name="Save").click()
        # No target date: refused, and what was typed stays.
        page.locator("[data-error-summary]").get_by_text("without a target date").wait_for()
        self.assertEqual(
            page.get_by_label("Objective", exact=True).input_value(),
            "Scores in the mild range on the PHQ-9",
        )
        self.screenshot("plan-objective-needs-a-target-date")
        page.get_by_label("Target date").fill("2099-01-01")
        page.get_by_role("button", name="Save").click()
        page.locator("[data-error-summary]").get_by_text("on or before").wait_for()
        plan = TreatmentPlan.objects.get(participant=self.pat)
        assert plan.anticipated_discharge_on is not None
        page.get_by_label("Target date").fill(plan.anticipated_discharge_on.isoformat())
        page.get_by_role("button", name="Save").click()
        page.get_by_text("PHQ-9 ≤ 9 by").wait_for()
        self.assertTrue(Objective.objects.filter(goal__problem__plan=plan, measure="phq-9"))

        page.get_by_role("link", name="Add an intervention").click()
        page.get_by_label("Modality").select_option(label="Individual therapy")
        page.get_by_label("Frequency").select_option(label="Weekly")
        page.get_by_label("Duration of each session (minutes)").fill("50")
        page.get_by_label("Responsible person").select_option(
            label="Rosa Alvarez, PsyD, Psychologist"
        )
        page.get_by_label("Scores in the mild range on the PHQ-9").check()
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Weekly, 50 minutes each, until the next review").wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("plan-draft")

        self.page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("plan-draft-phone")
