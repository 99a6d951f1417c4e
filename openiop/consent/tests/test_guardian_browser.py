"""Morgan, Pat's mother, signs Pat's consent to treatment on a phone (390×844)."""

import pytest

from openiop.consent.actions import invitations
from openiop.consent.models import Consent
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PASSWORD = "tangerine lighthouse 42"


class GuardianSignsOnAPhoneTestCase(BrowserTestCase):
    viewport = PHONE

    def test_morgan_signs_pats_consent_to_treatment_in_her_own_name(self):
        self.program.allows_guardians = True
        self.program.save(update_fields=["allows_guardians"])
        sent = invitations.invite_guardian(
            self.pat,
            given_name="Morgan",
            family_name="Lindqvist",
            email="morgan@example.org",
            relationship="Mother",
            acting_user=self.ivy,
        )
        morgan = invitations.accept_invitation(sent.token, password=PASSWORD)
        page = self.page
        page.set_default_timeout(20_000)
        self.sign_in(morgan, PASSWORD)

        page.get_by_role("heading", name="Family portal", level=1).wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("guardian-phone-portal")

        page.get_by_role("link", name="Read and sign: Consent to treatment").first.click()
        page.get_by_role("heading", name="Consent to treatment", level=1).wait_for()
        self.assertEqual(self.serious_violations(), [])

        # Pat's name is not Morgan's signature: a clear message, and the text stays.
        page.get_by_label("Type your full name").fill("Patricia Lindqvist")
        page.get_by_label("I have read and agree to this consent").check()
        page.get_by_role("button", name="Sign", exact=True).click()
        page.get_by_role("heading", name="There is a problem").wait_for()
        self.assertEqual(
            page.get_by_label("Type your full name").input_value(), "Patricia Lindqvist"
        )
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("guardian-phone-wrong-name")

        page.get_by_label("Type your full name").fill("Morgan Lindqvist")
        page.get_by_label("I have read and agree to this consent").check()
        page.get_by_role("button", name="Sign", exact=True).click()
        page.get_by_text("Signed: Consent to treatment.").wait_for()
        self.assertTrue(
            page.get_by_role("link", name="Next: Telehealth informed consent").is_visible()
        )
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("guardian-phone-signed")
        width = page.evaluate("document.documentElement.scrollWidth")
        self.assertLessEqual(width, PHONE["width"])
        consent = Consent.objects.get()
        self.assertEqual((consent.signed_by, consent.participant), (morgan, self.pat))
