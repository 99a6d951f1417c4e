"""Pat signs her consents on a phone (390×844) and downloads a PDF copy."""

import pytest

from openiop.consent.models import Consent
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


class ParticipantSignsConsentOnAPhoneTestCase(BrowserTestCase):
    viewport = PHONE

    def test_pat_signs_her_consent_to_treatment_and_downloads_the_pdf(self):
        page = self.page
        page.set_default_timeout(20_000)
        self.sign_in(self.pat_user)

        page.get_by_role("heading", name="Sign your consent forms before your first session")
        page.get_by_role("link", name="My consents").first.click()
        page.get_by_role("heading", name="My consents", level=1).wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.assertNoHorizontalScroll()
        self.screenshot("consent-phone-list")

        page.get_by_role("link", name="Read and sign: Consent to treatment").click()
        page.get_by_role("heading", name="Consent to treatment", level=1).wait_for()
        self.assertTrue(page.get_by_text("What the program is").is_visible())
        sign = page.get_by_role("button", name="Sign", exact=True)
        self.assertGreaterEqual(sign.bounding_box()["height"], 44)
        self.assertEqual(self.serious_violations(), [])
        self.assertNoHorizontalScroll()
        self.screenshot("consent-phone-to-sign")

        # A name that is not hers: a clear message, and what she typed stays.
        page.get_by_label("Type your full name").fill("Quinn Marlowe")
        page.get_by_label("I have read and agree to this consent").check()
        sign.click()
        page.get_by_role("heading", name="There is a problem").wait_for()
        self.assertEqual(page.get_by_label("Type your full name").input_value(), "Quinn Marlowe")
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("consent-phone-wrong-name")

        page.get_by_label("Type your full name").fill("Patricia Lindqvist")
        page.get_by_label("I have read and agree to this consent").check()
        page.get_by_role("button", name="Sign", exact=True).click()
        page.get_by_text("Signed: Consent to treatment.").wait_for()
        self.assertTrue(
            page.get_by_role("link", name="Next: Telehealth informed consent").is_visible()
        )
        self.assertEqual(self.serious_violations(), [])
        self.assertNoHorizontalScroll()
        self.screenshot("consent-phone-signed")

        with page.expect_download() as info:
            page.get_by_role("link", name="Download a copy (PDF)").click()
        download = info.value
        consent = Consent.objects.get()
        self.assertEqual(download.suggested_filename, f"consent-{consent.code}.pdf")
        with open(download.path(), "rb") as pdf:
            self.assertEqual(pdf.read(5), b"%PDF-")
        self.assertEqual(consent.signed_name, "Patricia Lindqvist")
        self.assertEqual(consent.text_sha256, consent.text.sha256)
        self.assertTrue(consent.signer_user_agent)

    def assertNoHorizontalScroll(self):
        width = self.page.evaluate("document.documentElement.scrollWidth")
        self.assertLessEqual(width, PHONE["width"])
