import pytest

from openiop.audit.models import AuditEvent
from openiop.testing import BrowserTestCase, serious_violations

pytestmark = pytest.mark.browser


class SignInTestCase(BrowserTestCase):
    def test_clinician_signs_in_with_password_and_totp(self):
        self.page.goto(self.url("/accounts/login/"))
        self.assertEqual(serious_violations(self.page), [])
        self.screenshot("login")

        self.sign_in(self.alvarez)

        # Clinicians land on their worklist; the caseload is one click away.
        self.page.get_by_role("heading", name="My work today").wait_for()
        self.page.get_by_role("navigation").get_by_role("link", name="Caseload").click()
        self.page.get_by_role("heading", name="My caseload").wait_for()
        self.assertIn("Patricia (Pat) Lindqvist", self.page.content())
        self.assertNotIn("Marlowe", self.page.content())
        self.assertEqual(serious_violations(self.page), [])
        self.screenshot("caseload")
        self.assertTrue(
            AuditEvent.objects.filter(actor=self.alvarez, event_type="mfa.verified").exists()
        )
        self.assertTrue(
            AuditEvent.objects.filter(actor=self.alvarez, event_type="auth.login").exists()
        )

    def test_participant_sees_their_home_on_a_phone(self):
        self.page.set_viewport_size({"width": 390, "height": 844})
        self.sign_in(self.pat_user)
        self.page.get_by_role("heading", name="Your next session").wait_for()
        self.assertEqual(serious_violations(self.page), [])
        self.screenshot("participant-home-phone")


class ChartPagesTestCase(BrowserTestCase):
    def test_chart_pages_are_accessible_and_keyboard_usable(self):
        self.sign_in(self.alvarez)
        self.page.goto(self.url(f"/participants/{self.pat.code}/"))
        self.page.get_by_role("heading", name="Chart header").wait_for()
        self.assertEqual(serious_violations(self.page), [])

        # The first Tab reaches the skip link, which moves focus to the main content.
        self.page.keyboard.press("Tab")
        focused = self.page.evaluate("document.activeElement.textContent")
        self.assertEqual(focused.strip(), "Skip to main content")
        self.page.keyboard.press("Enter")
        self.assertEqual(self.page.evaluate("document.activeElement.id"), "main")

        self.page.get_by_role("link", name="Edit chart header").click()
        self.page.get_by_label("Given name").fill("Pat\u202eevil")
        self.page.get_by_role("button", name="Save").click()
        # The message shows in the error summary and again by its field.
        self.page.locator("[data-error-summary]").get_by_text(
            "invisible formatting characters"
        ).wait_for()
        self.assertEqual(serious_violations(self.page), [])
        self.screenshot("chart-edit-error")
