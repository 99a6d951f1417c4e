"""Static files as production serves them (openiop/tests/collected_static.py): hashed names,
gzip and brotli, immutable caching; and the offline safety plan still works with them."""

import pytest

from openiop.safety.tests import test_plan_browser
from openiop.testing import BrowserTestCase
from openiop.tests.collected_static import CollectedStaticServer

pytestmark = pytest.mark.browser


class CollectedStaticTestCase(CollectedStaticServer, BrowserTestCase):
    def test_pages_name_hashed_files_served_compressed_and_immutable(self):
        response = self.page.goto(self.url("/accounts/login/"))
        assert response is not None
        stylesheet = self.page.locator("link[rel=stylesheet]").first.get_attribute("href")
        self.assertRegex(stylesheet or "", r"^/static/css/app\.[0-9a-f]{12}\.css$")
        for encoding in ("br", "gzip"):
            served = self.page.request.get(
                self.url(stylesheet or ""), headers={"Accept-Encoding": encoding}
            )
            self.assertEqual(served.headers.get("content-encoding"), encoding)
            self.assertIn("immutable", served.headers["cache-control"])
            self.assertIn("max-age=315360000", served.headers["cache-control"])
            self.assertIn(b"body", served.body())
        # The unhashed copy is there too, for a fixed link, but not cached for good.
        plain = self.page.request.get(self.url("/static/css/app.css"))
        self.assertEqual(plain.status, 200)
        self.assertNotIn("immutable", plain.headers.get("cache-control", ""), plain.headers)
        self.assertIn("max-age=3600", plain.headers.get("cache-control", ""), plain.headers)


class OfflineSafetyPlanWithHashedStaticTestCase(
    CollectedStaticServer, test_plan_browser.SafetyPlanOfflineBrowserTestCase
):
    """The offline safety plan (its service worker stores the page's stylesheets and scripts
    by path) with static files under hashed names, as in production."""
