"""The participant's safety plan on a phone, with the network switched off."""

import pytest

from openiop.safety.actions import plan as actions_plan
from openiop.safety.models import SafetyPlanEntry
from openiop.safety.tests.offline import PLAN_STORED_OFFLINE, WORKER_IN_CONTROL
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

Step = SafetyPlanEntry.Step


class SafetyPlanOfflineBrowserTestCase(BrowserTestCase):
    viewport = {"width": 390, "height": 844}

    def test_the_participant_reads_their_safety_plan_with_no_connection(self):
        draft = actions_plan.start_draft(self.pat, acting_user=self.alvarez)
        content = actions_plan.PlanContent.of(draft)
        content.lines[Step.WARNING_SIGNS] = [actions_plan.Line("Lying awake past 2 a.m.")]
        content.lines[Step.COPING] = [actions_plan.Line("Cold water on my face, then a walk")]
        content.lines[Step.HELPERS] = [actions_plan.Line("My sister Ana", "+15555550142")]
        content.reason_for_living = "Teaching my nephew to swim this summer"
        actions_plan.sign_plan(draft, content=content, acting_user=self.alvarez)

        self.sign_in(self.pat_user)
        page = self.page
        # One tap from any portal page.
        page.get_by_role("link", name="My safety plan").click()
        page.get_by_role("heading", name="My safety plan", exact=True).wait_for()
        page.get_by_text("Cold water on my face, then a walk").wait_for()
        # The worker has stored the page once it is active and has been asked to.
        self.assertTrue(page.evaluate(PLAN_STORED_OFFLINE), "the plan was not stored offline")
        self.assertEqual(self.serious_violations(), [])

        # The worker controls the page and is activated before the network goes.
        page.wait_for_function(WORKER_IN_CONTROL, polling=200, timeout=10_000)
        self.context.set_offline(True)
        page.reload()
        page.get_by_text("Cold water on my face, then a walk").wait_for()
        page.get_by_text("Teaching my nephew to swim this summer").wait_for()
        page.get_by_text("You are offline").wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("safety-plan-offline")
        self.context.set_offline(False)

        # Signing out forgets the offline copy.
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_load_state()
        page.wait_for_function(
            "caches.has('openiop-safety-plan-v1').then((has) => !has)", polling=200, timeout=10_000
        )
