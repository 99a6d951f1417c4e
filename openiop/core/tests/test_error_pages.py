from django.test import Client, override_settings
from django.test.client import RequestFactory

from openiop.core import errors
from openiop.testing import BaseTestCase

CRISIS_LINE = '<a href="tel:988">988</a>'
STYLESHEET = "/static/css/app.css"
FAVICON = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'


@override_settings(ROOT_URLCONF="openiop.core.tests.error_urls", DEBUG=False)
class ErrorPagesTestCase(BaseTestCase):
    def assertStyledErrorPage(self, response, status: int, heading: str) -> None:
        self.assertEqual(response.status_code, status)
        self.assertContains(response, f"<h1>{heading}</h1>", status_code=status, html=False)
        self.assertContains(response, STYLESHEET, status_code=status)
        self.assertContains(response, FAVICON, status_code=status)
        self.assertContains(response, CRISIS_LINE, status_code=status)

    def test_404_is_styled_with_the_crisis_footer(self):
        self.login(self.alvarez)
        response = self.client.get("/no-such-page/")
        self.assertStyledErrorPage(response, 404, "Page not found")
        self.assertContains(response, 'aria-label="Main"', status_code=404)

    def test_404_for_a_visitor_who_is_not_signed_in(self):
        response = self.client.get("/no-such-page/")
        self.assertStyledErrorPage(response, 404, "Page not found")

    def test_403_is_styled_with_the_crisis_footer(self):
        self.login(self.pat_user)
        response = self.client.get("/test-errors/403/")
        self.assertStyledErrorPage(response, 403, "You cannot do this")

    def test_400_is_styled_with_the_crisis_footer(self):
        response = self.client.get("/test-errors/400/")
        self.assertStyledErrorPage(response, 400, "That request could not be understood")

    def test_500_is_styled_with_the_crisis_footer(self):
        self.login(self.alvarez)
        self.client.raise_request_exception = False
        response = self.client.get("/test-errors/500/")
        self.assertStyledErrorPage(response, 500, "Something went wrong")
        # Rendered without the request: no navigation, no signed-in user's details.
        self.assertNotContains(response, 'aria-label="Main"', status_code=500)
        self.assertNotContains(response, self.alvarez.email, status_code=500)

    def test_500_page_reads_nothing_from_the_database(self):
        request = RequestFactory().get("/")
        with self.assertNumQueries(0):
            response = errors.server_error(request)
        self.assertEqual(response.status_code, 500)
        self.assertIn(CRISIS_LINE, response.content.decode())

    def test_a_failed_csrf_check_gets_a_styled_page(self):
        client = Client(enforce_csrf_checks=True)
        response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x"})
        self.assertStyledErrorPage(response, 403, "This page has expired")
