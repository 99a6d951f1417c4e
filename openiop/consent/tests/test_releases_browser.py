"""A participant signs a release on a phone, is told what is missing, revokes it; a clinician
sends records under one, with the Part 2 label on the chart's notes."""

from datetime import UTC, datetime, timedelta
from typing import ClassVar

import pytest
from django.utils import timezone

from openiop.consent.models import Consent, ConsentKind, Disclosure
from openiop.consent.tests.helpers import consent_text, release
from openiop.notes.models import Note
from openiop.notes.tests.helpers import signed_note
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


class ReleasePhoneBrowserTestCase(BrowserTestCase):
    viewport: ClassVar[dict[str, int]] = PHONE

    def test_a_participant_signs_a_release_on_a_phone_and_revokes_it(self):
        consent_text(self.program)
        page = self.page
        page.set_default_timeout(20_000)
        self.sign_in(self.pat_user)
        page.goto(self.url("/"))
        page.get_by_role("link", name="Share your records with someone").click()
        page.get_by_role("link", name="Sign a new release").click()
        page.get_by_label("Who should receive your records").fill("Dr. Ngozi Okafor")
        page.get_by_label("Their address").fill("12 River St, Albany NY 12207")
        page.get_by_label("Why they need them").select_option("treatment")
        page.get_by_label("The full record (notes included)").check()
        page.get_by_label("Include substance use (Part 2) records").check()
        page.get_by_label("Type your full name to sign").fill("Patricia Lindqvist")
        page.get_by_label("I have read the release above and agree to it").check()
        page.get_by_role("button", name="Sign the release").click()
        # No expiry date: refused with a clear message, and what was typed stays.
        summary = page.locator("[data-error-summary]")
        summary.get_by_text("A release needs an expiry date").wait_for()
        self.assertEqual(
            page.get_by_label("Who should receive your records").input_value(), "Dr. Ngozi Okafor"
        )
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("release-needs-an-expiry-date-390")
        expiry = timezone.localdate() + timedelta(days=60)
        page.get_by_label("This release ends on").fill(expiry.isoformat())
        page.get_by_label("I have read the release above and agree to it").check()
        page.get_by_role("button", name="Sign the release").click()
        page.get_by_text("Release signed.").wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("release-signed-390")
        signed = Consent.objects.get(participant=self.pat, kind=ConsentKind.RELEASE)
        self.assertEqual(signed.expires_on, expiry)
        page.get_by_role("button", name="Revoke the release to Dr. Ngozi Okafor").click()
        page.get_by_text("Release revoked.").wait_for()
        signed.refresh_from_db()
        self.assertEqual(signed.status, Consent.Status.REVOKED)
        page.get_by_role("link", name="Who has received my records").click()
        page.get_by_text("Your records have not been sent to anyone.").wait_for()
        self.assertEqual(self.serious_violations(), [])


class DiscloseBrowserTestCase(BrowserTestCase):
    def test_a_clinician_sends_records_under_a_release(self):
        note = signed_note(
            self.pat,
            self.alvarez,
            started_at=datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
            sections={"subjective": "Cravings after payday."},
        )
        Note.objects.filter(pk=note.pk).update(part2=True)
        release(self.pat, includes_part2=True)
        page = self.page
        page.set_default_timeout(20_000)
        self.sign_in(self.alvarez)
        page.goto(self.url(f"/notes/participants/{self.pat.code}/"))
        page.locator(".label-part2").first.wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("notes-list-part2-label")
        page.goto(self.url(f"/participants/{self.pat.code}/"))
        page.get_by_role("link", name="Releases of information and disclosures").click()
        page.get_by_role("link", name="Send records under a release").click()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("send-records-under-a-release")
        with page.expect_download() as download:
            page.get_by_role("button", name="Download the records to send").click()
        self.assertTrue(download.value.suggested_filename.endswith(".pdf"))
        disclosure = Disclosure.objects.get()
        self.assertTrue(disclosure.included_part2)
        page.goto(self.url(f"/releases/participants/{self.pat.code}/"))
        page.get_by_text("Included, with the federal notice").wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("chart-accounting-of-disclosures")
