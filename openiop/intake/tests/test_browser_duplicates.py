"""The duplicate prompt of a new referral on a phone (390 × 844): shown, accessible, and kind
to what was typed."""

import pytest

from openiop.intake.models import Referral
from openiop.participants.models import DuplicateDecision
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser


class DuplicatePromptBrowserTestCase(BrowserTestCase):
    viewport = {"width": 390, "height": 844}

    def test_a_referral_for_an_existing_person_asks_first(self):
        self.page.set_default_timeout(20_000)
        self.sign_in(self.ivy)
        page = self.page
        page.goto(self.url("/intake/new/"))
        page.get_by_label("Program", exact=True).select_option(label="Adult Mental Health IOP")
        # Pat's chart, typed as a referrer might: other capitals, an accent, extra spaces.
        page.get_by_label("Given name", exact=True).fill(" patrícia ")
        page.get_by_label("Family name", exact=True).fill("LINDQVIST")
        page.get_by_label("Date of birth", exact=True).fill("1990-04-02")
        page.get_by_label("Home state", exact=True).select_option("NY")
        page.get_by_label("Source", exact=True).select_option(label="Primary care")
        page.get_by_label("Reason", exact=True).fill("Low mood since the spring")
        page.get_by_label("The person agreed to be contacted about the program").check()
        page.get_by_role("button", name="Record the referral").click()

        prompt = page.get_by_role("heading", name="Is this someone who already has a chart?")
        prompt.wait_for()
        self.assertFalse(Referral.objects.exists())
        self.assertEqual(
            page.get_by_label("Reason", exact=True).input_value(), "Low mood since the spring"
        )
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("duplicate-referral-prompt")

        # A different person needs a reason: refused, still nothing saved.
        page.get_by_label("This is a different person", exact=False).check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_text("Choose why this is a different person.").wait_for()
        self.assertFalse(Referral.objects.exists())

        page.get_by_label("The same person as Patricia Lindqvist", exact=False).check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_text("Referral recorded.").wait_for()
        referral = Referral.objects.get()
        self.assertEqual(referral.participant, self.pat)
        self.assertEqual(DuplicateDecision.objects.get().decision, "same_person")
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("duplicate-referral-linked")
