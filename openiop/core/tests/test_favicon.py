from openiop.testing import BaseTestCase

FAVICON = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'


class FaviconTestCase(BaseTestCase):
    def test_favicon_ico_points_at_the_svg_icon(self):
        response = self.client.get("/favicon.ico")
        self.assertRedirects(response, "/static/favicon.svg", fetch_redirect_response=False)

    def test_the_svg_icon_is_served(self):
        response = self.client.get("/static/favicon.svg")
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"<svg", response.getvalue())

    def test_every_page_links_the_icon(self):
        response = self.client.get("/accounts/login/")
        self.assertContains(response, FAVICON)
