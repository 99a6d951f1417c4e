from unittest import mock

from django.template import engines
from django.test import SimpleTestCase

from openiop.lib.pdf import RefusedFetch, _offline_fetcher, render_pdf

TEMPLATE = "<html><body><h1>Plan</h1><p>{{ text }}</p></body></html>"


class PdfTest(SimpleTestCase):
    def render(self, text: str) -> bytes:
        template = engines["django"].from_string(TEMPLATE)
        with mock.patch("openiop.lib.pdf.render_to_string", lambda name, ctx: template.render(ctx)):
            return render_pdf("unused.html", {"text": text})

    def test_it_makes_a_pdf(self) -> None:
        self.assertTrue(self.render("Hello").startswith(b"%PDF-"))

    def test_it_refuses_to_fetch_anything(self) -> None:
        for url in ("http://127.0.0.1:1/x.png", "file:///etc/passwd", "https://example.org/a.css"):
            with self.assertRaises(RefusedFetch):
                _offline_fetcher(url)

    def test_typed_markup_stays_text(self) -> None:
        # An <img> typed into a field is escaped, so nothing is fetched and no error is raised.
        pdf = self.render('<img src="file:///etc/passwd"><script>alert(1)</script>')
        self.assertTrue(pdf.startswith(b"%PDF-"))
