import pytest
from django.urls import reverse

from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser


class ErrorSummaryBrowserTestCase(BrowserTestCase):
    def test_a_refused_form_puts_focus_on_a_keyboard_usable_summary(self):
        self.sign_in(self.dana)
        page = self.page
        page.goto(self.url(reverse("participants:new")))
        page.get_by_role("button", name="Add participant").click()

        summary = page.locator("[data-error-summary]")
        summary.wait_for()
        self.assertTrue(summary.evaluate("element => element === document.activeElement"))
        self.assertEqual(summary.get_by_role("heading").inner_text(), "There is a problem")
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("error-summary")

        # Tab reaches the first link in the summary; Enter takes focus to its field.
        target = summary.get_by_role("link").first.get_attribute("href")
        page.keyboard.press("Tab")
        self.assertEqual(page.evaluate("document.activeElement.getAttribute('href')"), target)
        page.keyboard.press("Enter")
        self.assertEqual(page.evaluate("document.activeElement.id"), target.removeprefix("#"))
        self.assertTrue(page.locator(f"label[for='{target[1:]}']").is_visible())


class ErrorPageBrowserTestCase(BrowserTestCase):
    def test_the_not_found_page_is_styled_and_accessible(self):
        self.sign_in(self.pat_user)
        self.page.goto(self.url("/no-such-page/"))
        self.page.get_by_role("heading", name="Page not found").wait_for()
        self.assertEqual(self.page.get_by_role("link", name="988").count(), 1)
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("not-found")
