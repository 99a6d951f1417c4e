import pytest

from openiop.careplans import actions
from openiop.careplans.models import Diagnosis
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser


class SummaryBrowserTestCase(BrowserTestCase):
    def test_a_clinician_keeps_the_summary_and_a_reader_only_reads_it(self):
        actions.add_medication(
            self.pat,
            fields={"name": "Sertraline", "dose": "50 mg by mouth once daily"},
            acting_user=self.alvarez,
        )
        self.sign_in(self.alvarez)
        page = self.page
        page.goto(self.url(f"/participants/{self.pat.code}/"))
        page.get_by_role("link", name="Clinical summary").click()
        page.get_by_role("heading", name="Diagnoses").wait_for()
        self.assertEqual(self.serious_violations(), [])

        # A wrong code: a clear message, and what was typed stays.
        page.locator("summary", has_text="Add a diagnosis").click()
        page.get_by_label("ICD-10-CM code").fill("F33-1")
        page.get_by_label("Diagnosis (optional)").fill("<script>alert(1)</script>")
        page.get_by_role("button", name="Add a diagnosis").click()
        page.locator("[data-error-summary]").get_by_text("not an ICD-10-CM code").wait_for()
        self.assertEqual(
            page.get_by_label("Diagnosis (optional)").input_value(), "<script>alert(1)</script>"
        )
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("summary-add-error")

        page.get_by_label("ICD-10-CM code").fill("F33.1")
        page.get_by_label("Diagnosis (optional)").fill("")
        page.get_by_role("button", name="Add a diagnosis").click()
        page.get_by_text("Diagnosis added.").wait_for()
        page.get_by_role("cell", name="Major depressive disorder, recurrent, moderate").wait_for()
        page.get_by_role("cell", name="Primary").wait_for()

        # Stop the medication from its own page.
        page.get_by_role("link", name="Change Sertraline").click()
        page.get_by_role("heading", name="Take it off the current list").wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("summary-edit")
        page.get_by_role("button", name="Record the stop").click()
        page.get_by_text("Medication moved to past medications.").wait_for()
        page.get_by_role("table", name="Past medications").wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("summary")

        diagnosis = Diagnosis.objects.get(participant=self.pat)
        page.goto(self.url(f"/record/{self.pat.code}/summary/diagnosis/{diagnosis.code}/history/"))
        page.get_by_role("heading", name="Version 1").wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("summary-history")

    def test_the_participant_reads_their_summary_on_a_phone(self):
        actions.add_allergy(
            self.pat,
            fields={"substance": "Penicillin", "reaction": "Hives", "severity": "moderate"},
            acting_user=self.alvarez,
        )
        self.page.set_viewport_size({"width": 390, "height": 844})
        self.sign_in(self.pat_user)
        self.page.goto(self.url(f"/record/{self.pat.code}/summary/"))
        self.page.get_by_role("cell", name="Hives").wait_for()
        self.assertEqual(self.page.get_by_text("Add an allergy").count(), 0)
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("summary-participant-phone")
