"""A clinician uploads a referral letter from the chart and finds it listed.
Screenshots: test-artifacts/documents-*.png."""

import pytest

from openiop.documents.models import Document
from openiop.documents.tests.helpers import HTML, PDF, DocumentStorageMixin
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser


class DocumentsBrowserTestCase(DocumentStorageMixin, BrowserTestCase):
    def test_a_clinician_uploads_a_pdf_and_sees_it_listed(self):
        self.sign_in(self.alvarez)
        page = self.page
        page.goto(self.url(f"/participants/{self.pat.code}/"))
        page.get_by_role("link", name="Documents").click()
        page.get_by_role("heading", name="Documents: Patricia (Pat) Lindqvist").wait_for()
        page.get_by_role("link", name="Upload a document").click()

        # A web page named like a PDF: refused, and what was typed stays.
        page.get_by_label("Kind of document").select_option("outside_record")
        page.get_by_label("Title (optional)").fill("Hospital discharge summary")
        page.get_by_label("File").set_input_files(
            {"name": "summary.pdf", "mimeType": "application/pdf", "buffer": HTML}
        )
        page.get_by_role("button", name="Upload").click()
        page.locator("[data-error-summary]").get_by_text("but it is a web page").wait_for()
        page.get_by_text("Choose the file again").wait_for()
        self.assertEqual(
            page.get_by_label("Title (optional)").input_value(), "Hospital discharge summary"
        )
        self.assertEqual(page.get_by_label("Kind of document").input_value(), "outside_record")
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("documents-upload-error")

        page.get_by_label("File").set_input_files(
            {"name": "summary.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        page.get_by_role("button", name="Upload").click()
        page.get_by_text("Outside record uploaded.").wait_for()
        link = page.get_by_role("link", name="Download Hospital discharge summary")
        link.wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("documents-list")

        with page.expect_download() as caught:
            link.click()
        download = caught.value
        self.assertEqual(download.suggested_filename, "summary.pdf")
        with open(download.path(), "rb") as saved:
            self.assertEqual(saved.read(), PDF)
        self.assertEqual(Document.objects.get().uploaded_by, self.alvarez)
