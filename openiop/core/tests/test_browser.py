import pytest

from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser


class ErrorPageBrowserTestCase(BrowserTestCase):
    def test_the_not_found_page_is_styled_and_accessible(self):
        self.sign_in(self.pat_user)
        self.page.goto(self.url("/no-such-page/"))
        self.page.get_by_role("heading", name="Page not found").wait_for()
        self.assertEqual(self.page.get_by_role("link", name="988").count(), 1)
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("not-found")
