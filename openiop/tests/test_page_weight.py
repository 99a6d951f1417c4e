"""Issue 12, light pages: every participant page weighs at most 60 kB on the wire on first
load with a cold cache, the video room at most 150 kB, in Chromium at 390×844, with static files
served as in production (hashed names, brotli/gzip, immutable caching).

The pages are listed in openiop/tests/page_weight.py (PAGES); links on the Today page that
the list lacks are weighed too. Each page's breakdown is written to
test-artifacts/page-weight.txt.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import pytest

from openiop.telehealth.tests.fakes import FakeJanus
from openiop.testing import ARTIFACTS, BrowserTestCase
from openiop.tests.collected_static import CollectedStaticServer
from openiop.tests.page_weight import (
    PHONE,
    portal_objects,
    signed_in_context,
    weigh_portal,
)

pytestmark = pytest.mark.browser

HASHED = re.compile(r"/static/.+\.[0-9a-f]{12}\.(js|css|svg)$")


class PageWeightTestCase(CollectedStaticServer, BrowserTestCase):
    viewport: ClassVar[dict[str, int]] = PHONE

    def setUp(self) -> None:
        super().setUp()
        FakeJanus.reset()

    def test_every_participant_page_is_within_its_budget(self):
        objects = portal_objects(self)
        context = signed_in_context(
            self.browser, self.live_server_url, self.pat_user, viewport=PHONE
        )
        page = context.new_page()
        try:
            weights, missing = weigh_portal(page, self.live_server_url, objects)
        finally:
            context.close()
        report = "\n\n".join(w.summary() for w in weights)
        if missing:
            report += "\n\nNot in this project (yet): " + ", ".join(missing)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "page-weight.txt").write_text(report + "\n")

        listed = {w.label: w for w in weights if not w.label.startswith("Linked from")}
        for expected in ("Today", "My week", "My safety plan", "Before you join", "Video room"):
            self.assertIn(expected, listed)
        for weight in listed.values():
            self.assertEqual(weight.final_url, weight.url, f"{weight.label} was redirected")
        for weight in weights:
            with self.subTest(weight.label):
                self.assertEqual(weight.status, 200, weight.summary())
                self.assertLessEqual(weight.total, weight.budget, weight.summary())
                self.assert_static_served_light(weight)

    def assert_static_served_light(self, weight: Any) -> None:
        """Static files come compressed, under hashed names, cached as immutable."""
        for transfer in weight.transfers:
            if "/static/" not in transfer.url or transfer.status != 200:
                continue
            self.assertRegex(transfer.url.split("?")[0], HASHED, weight.summary())
            self.assertIn("immutable", transfer.cache_control, transfer.url)
            if transfer.url.endswith((".js", ".css", ".svg")):
                self.assertIn(transfer.encoding, ("br", "gzip"), transfer.url)

    def test_participant_pages_load_no_htmx(self):
        """htmx (15 kB with brotli) is loaded only by the pages that use it."""
        context = signed_in_context(
            self.browser, self.live_server_url, self.pat_user, viewport=PHONE
        )
        page = context.new_page()
        scripts: list[str] = []
        page.on("request", lambda request: scripts.append(request.url))
        try:
            page.goto(self.url("/"))
        finally:
            context.close()
        self.assertFalse([url for url in scripts if "htmx" in url], scripts)
