"""Pat reads and signs her plan on a phone; Dr. Alvarez signs it and it takes effect."""

import pytest

from openiop.careplans import actions
from openiop.careplans.models import Objective, PlanSignature, TreatmentPlan
from openiop.careplans.tests.plan_fixture import make_plan
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


class ParticipantSignsOnAPhoneTestCase(BrowserTestCase):
    viewport = PHONE

    def test_pat_reads_and_signs_her_plan_at_390_by_844(self):
        plan = make_plan(self.pat, author=self.alvarez)
        actions.submit_for_signatures(plan, acting_user=self.alvarez)
        page = self.page
        page.set_default_timeout(20_000)
        self.sign_in(self.pat_user)

        notice = page.get_by_role("heading", name="Your treatment plan is ready to sign")
        notice.wait_for()
        page.get_by_role("link", name="Read and sign your plan").click()
        page.get_by_role("heading", name="Your treatment plan", level=1).wait_for()
        self.assertIn("I can't get out of bed", page.content().replace("&#x27;", "'"))
        self.assertEqual(self.serious_violations(), [])
        self.assertNoHorizontalScroll()
        self.screenshot("plan-phone-to-sign")

        # Large targets: the checkbox row and the button are a thumb's height at least.
        self.assertGreaterEqual(page.locator(".sign-box .check").bounding_box()["height"], 44)
        sign = page.get_by_role("button", name="Sign", exact=True)
        self.assertGreaterEqual(sign.bounding_box()["height"], 44)

        # Signing without ticking the box keeps the typed name and says what is missing.
        page.get_by_label("Type your full name").fill("Patricia Lindqvist")
        sign.click()
        page.get_by_role("heading", name="There is a problem").wait_for()
        self.assertEqual(
            page.get_by_label("Type your full name").input_value(), "Patricia Lindqvist"
        )
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("plan-phone-not-ticked")

        page.get_by_label("I took part in making this plan and I agree to it").check()
        page.get_by_role("button", name="Sign", exact=True).click()
        page.get_by_text("Thank you. You signed your treatment plan.").wait_for()
        self.assertTrue(page.get_by_text("You signed this plan").is_visible())
        self.assertEqual(self.serious_violations(), [])
        self.assertNoHorizontalScroll()
        self.screenshot("plan-phone-signed")

        signature = plan.signatures.get()
        self.assertEqual(signature.role, PlanSignature.Role.PARTICIPANT)
        self.assertEqual(signature.typed_name, "Patricia Lindqvist")

    def assertNoHorizontalScroll(self):
        width = self.page.evaluate("document.documentElement.scrollWidth")
        self.assertLessEqual(width, PHONE["width"])


class ClinicianSignsTestCase(BrowserTestCase):
    def test_the_primary_clinician_submits_signs_and_the_plan_takes_effect(self):
        plan = make_plan(self.pat, author=self.alvarez)
        page = self.page
        page.set_default_timeout(20_000)
        self.sign_in(self.alvarez)
        page.goto(self.url(f"/record/plans/{plan.code}/sign/"))
        page.get_by_role("button", name="Submit for signatures").click()
        page.get_by_text("The plan is locked and waiting for its signatures.").wait_for()
        self.assertEqual(self.serious_violations(), [])

        form = page.locator("form.sign-form")
        form.get_by_label("Type your full name").fill("Rosa Alvarez")
        form.get_by_label("I wrote this plan with the participant").check()
        self.screenshot("plan-clinician-signing")
        form.get_by_role("button", name="Sign as primary clinician").click()
        page.get_by_text("You signed the plan as primary clinician.").wait_for()
        self.assertIn("still to sign", page.content())

        # Pat signs on her phone meanwhile; the plan then shows in effect.
        actions.sign_plan(
            plan,
            role=PlanSignature.Role.PARTICIPANT,
            typed_name="Patricia Lindqvist",
            signed_hash=plan.signatures.get().content_hash,
            acting_user=self.pat_user,
        )
        page.reload()
        page.get_by_text("In effect since").wait_for()
        page.get_by_role("button", name="Start the review").wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("plan-clinician-in-effect")
        plan.refresh_from_db()
        self.assertEqual(plan.status, TreatmentPlan.Status.ACTIVE)

        # A review: a new draft version; what changed shows field by field.
        page.get_by_role("button", name="Start the review").click()
        page.get_by_text("Version 2 is a draft.").wait_for()
        new = TreatmentPlan.objects.get(previous=plan)
        TreatmentPlan.objects.filter(pk=new.pk).update(strengths="Back at work two days a week.")
        Objective.objects.filter(goal__problem__plan=new, position=1).update(
            text="See two friends a week."
        )
        page.get_by_role("link", name="What changed in version 2").click()
        page.get_by_role("heading", name="What changed from version 1 to version 2").wait_for()
        self.assertIn("See two friends a week.", page.content())
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("plan-diff")
