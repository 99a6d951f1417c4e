"""A demo participant's intake in the browser, from referral to admission."""

import re

import pytest

from openiop.audit.models import AuditEvent
from openiop.intake.models import EpisodeOfCare, LevelOfCareDecision
from openiop.testing import BrowserTestCase, serious_violations

pytestmark = pytest.mark.browser


class IntakeBrowserTestCase(BrowserTestCase):
    def switch_to(self, user):
        self.context.close()
        self.context = self.browser.new_context(viewport=self.viewport)  # type: ignore[arg-type]
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.sign_in(user)

    def test_referral_to_admission(self):
        self.page.set_default_timeout(20_000)
        self.sign_in(self.ivy)
        page = self.page
        page.get_by_role("link", name="Intake", exact=True).click()
        page.get_by_role("link", name="New referral").click()
        page.get_by_label("Program", exact=True).select_option(label="Adult Mental Health IOP")
        page.get_by_label("Given name", exact=True).fill("Robin")
        page.get_by_label("Family name", exact=True).fill("Okafor")
        page.get_by_label("Date of birth", exact=True).fill("1994-06-01")
        page.get_by_label("Home state", exact=True).select_option("NY")
        page.get_by_label("Source", exact=True).select_option(label="Primary care")
        page.get_by_label("Reason", exact=True).fill("Low mood, not improving in weekly therapy")
        page.get_by_label("The person agreed to be contacted about the program").check()
        page.get_by_role("button", name="Record the referral").click()
        page.get_by_text("Referral recorded.").wait_for()
        self.assertEqual(serious_violations(page), [])

        page.get_by_label("Proceed to the comprehensive assessment").check()
        page.get_by_role("button", name="Record the screening").click()
        page.get_by_role("link", name="Start the comprehensive assessment").click()
        page.get_by_label("Presenting problem", exact=True).fill("Three months of low mood")
        page.get_by_label("Goals, in the participant's words").fill("Get back to work")
        page.get_by_label("Functional impairment (clinician-rated)", exact=True).select_option(
            "moderate"
        )
        page.get_by_label("Risk of harm (clinician-rated)", exact=True).select_option("low")
        page.get_by_label("Structured treatment needed (hours a week)", exact=True).fill("9")
        page.get_by_label("Working diagnoses (ICD-10-CM F-codes)").fill("F33.1")
        page.get_by_role("button", name="Save and see the level of care").click()
        page.get_by_role("heading", name="Recommendation: Intensive outpatient (IOP)").wait_for()
        self.screenshot("intake-level-of-care-coordinator")

        # Dana, the director (a psychologist), decides; an override needs a reason.
        self.switch_to(self.dana)
        page = self.page
        page.get_by_role("link", name="Intake", exact=True).click()
        page.get_by_role("link", name=re.compile("Okafor")).click()
        page.get_by_role("link", name="Level of care").click()
        self.assertEqual(serious_violations(page), [])
        rules = page.locator("#rules-fired")
        # Each fired rule in words, never by its id.
        self.assertIn("more than weekly outpatient therapy gives", rules.inner_text())
        self.assertIn("difficulty with daily life", rules.inner_text())
        self.assertNotIn("hours-iop-adult", rules.inner_text())
        page.get_by_role("radio", name="Partial hospitalization (PHP)").check()
        page.get_by_role("button", name="Record the level of care").click()
        # The message shows in the error summary and again by its field.
        page.locator("[data-error-summary]").get_by_text(
            "Give the reason for choosing a level other"
        ).wait_for()
        self.assertFalse(LevelOfCareDecision.objects.exists())
        self.screenshot("intake-override-refused")
        page.get_by_role("radio", name="Intensive outpatient (IOP)").check()
        page.get_by_role("button", name="Record the level of care").click()
        page.get_by_text("Level of care recorded.").wait_for()

        page.get_by_label("Admit to the program").check()
        page.get_by_role("button", name="Record the decision").click()
        page.get_by_text("Admitted to the program.").wait_for()
        self.screenshot("intake-admitted")

        episode = EpisodeOfCare.objects.get()
        self.assertEqual(episode.level_of_care, "iop")
        self.assertEqual(episode.participant.family_name, "Okafor")
        steps = list(
            AuditEvent.objects.filter(event_type__startswith="intake.")
            .order_by("seq")
            .values_list("event_type", flat=True)
        )
        self.assertEqual(
            steps,
            [
                "intake.referral_created",
                "intake.screened",
                "intake.assessment_saved",
                "intake.level_of_care_decided",
                "intake.admitted",
            ],
        )
