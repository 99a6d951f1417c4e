"""The brief safety assessment in Chromium: the on-call clinician starts it from a high alert,
writes it (autosave), signs it, sees the next steps, then acknowledges the alert."""

import re

import pytest
from django.urls import reverse

from openiop.safety import actions
from openiop.safety.models import SafetyAlert, SafetyAssessment
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser


class AssessmentBrowserTestCase(BrowserTestCase):
    def test_the_on_call_clinician_assesses_then_acknowledges_a_high_alert(self):
        alert = actions.raise_alert(
            self.quinn,
            kind=SafetyAlert.Kind.CRITICAL_ITEM,
            acting_user=self.quinn_user,
            rule="asq_positive",
        )
        page = self.page
        page.set_default_timeout(20_000)
        self.sign_in(self.chen)
        page.goto(self.url(reverse("safety:alert", args=[alert.code])))
        page.get_by_text("Needed before acknowledging").wait_for()
        page.get_by_role("button", name="Start a brief safety assessment").click()
        page.get_by_role("heading", name=re.compile("Brief safety assessment")).wait_for()

        page.get_by_label("Risk factors").fill("New <b>stressors</b> this week.")
        page.get_by_text("All changes saved.").or_(
            page.get_by_text(re.compile("Saved at"))
        ).wait_for()
        assessment = SafetyAssessment.objects.get()
        self.assertEqual(assessment.risk_factors, "New <b>stressors</b> this week.")
        page.get_by_label("Protective factors").fill("Lives with a supportive partner.")
        page.get_by_label("Recent thoughts and behaviour").fill("Passive thoughts; no plan.")
        page.get_by_label("No access known after asking").check()
        page.get_by_label("High", exact=True).check()
        page.get_by_label("Risk formulation").fill("High risk: new stressors, passive ideation.")
        page.get_by_label("Emergency services (988, mobile crisis, 911)").check()
        page.get_by_label("Disposition: details").fill("Mobile crisis team on the way.")
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("safety-assessment-draft")
        page.get_by_role("button", name="Sign the assessment").click()

        page.get_by_text("Assessment signed.").wait_for()
        page.get_by_role("heading", name="Next steps").wait_for()
        self.assertEqual(page.locator("main b").count(), 0)
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("safety-assessment-signed")

        page.get_by_role("link", name="Back to the alert").click()
        page.get_by_label("Completed a suicide-risk assessment").check()
        page.get_by_label("Documentation").fill("Assessed; mobile crisis team dispatched.")
        page.get_by_role("button", name="Acknowledge the alert").click()
        page.get_by_text("Alert acknowledged.").wait_for()
        alert.refresh_from_db()
        self.assertFalse(alert.is_open)
