"""The participant's "Your record" page on a phone: found from home, readable, downloads both
formats."""

import json

import pytest
from django.urls import reverse

from openiop.notes.tests.helpers import signed_note
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


class RecordDownloadBrowserTestCase(BrowserTestCase):
    viewport = PHONE

    def test_a_participant_downloads_her_record_on_a_phone(self):
        from datetime import UTC, datetime

        signed_note(
            self.pat,
            self.alvarez,
            started_at=datetime(2026, 3, 2, 15, tzinfo=UTC),
            sections={"subjective": "Slept better this week."},
        )
        page = self.page
        page.set_default_timeout(20_000)
        self.sign_in(self.pat_user)
        page.goto(self.url(reverse("home")))
        page.get_by_role("link", name="Download a copy of your record").click()
        page.get_by_role("heading", name="Your record", level=1).wait_for()
        self.assertEqual(self.serious_violations(), [])
        # Nothing wider than the phone.
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), PHONE["width"])
        self.screenshot("record-download")

        with page.expect_download() as pdf:
            page.get_by_role("link", name="Download your record as a PDF").click()
        self.assertEqual(pdf.value.suggested_filename, f"record-{self.pat.code}.pdf")
        with page.expect_download() as fhir:
            page.get_by_role("link", name="Download your record as a FHIR file (JSON)").click()
        self.assertEqual(fhir.value.suggested_filename, f"record-{self.pat.code}.json")
        with open(fhir.value.path(), encoding="utf-8") as handle:
            bundle = json.load(handle)
        self.assertEqual(bundle["resourceType"], "Bundle")
        self.assertEqual(bundle["entry"][0]["resource"]["id"], str(self.pat.code))
