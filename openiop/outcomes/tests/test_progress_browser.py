"""Measures and progress in a real browser: the clinician's page on a desktop, "My progress" on
a phone (390×844), both axe-clean, with screenshots."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from openiop.assessments.models import ChangeRule
from openiop.outcomes.tests.progress_helpers import (
    NOW,
    add_objective,
    add_session,
    add_weekly,
)
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


class ProgressBrowserTestCase(BrowserTestCase):
    def setUp(self):
        self.traveller = time_machine.travel(NOW, tick=True)
        self.traveller.start()
        super().setUp()
        self.page.set_default_timeout(60_000)
        # A live-server test case empties the tables between tests, the shipped change rules
        # (a data migration) with them.
        for key, points in (("phq-9", 6), ("gad-7", 4)):
            ChangeRule.objects.get_or_create(
                instrument_key=key,
                score_id="total",
                version=1,
                defaults={
                    "reliable_change_points": points,
                    "response_fraction": Decimal("0.50"),
                    "remission_below": Decimal(5),
                    "caseness_at_least": Decimal(10 if key == "phq-9" else 8),
                },
            )
        add_weekly(self.pat, "phq-9", [19, 17, 15, 12, 10, 11])
        add_weekly(self.pat, "gad-7", [14, 12, 9, 7])
        for day in range(1, 36, 2):
            status = "absent" if day % 9 == 0 else "present"
            add_session(self.pat, NOW - timedelta(days=day, hours=3), status, self.alvarez)
        add_objective(
            self.pat,
            measure="phq-9",
            comparator="lte",
            target=9,
            by=date(2026, 4, 17),
            author=self.alvarez,
        )

    def tearDown(self):
        super().tearDown()
        self.traveller.stop()

    def test_the_clinician_reads_the_progress_page(self):
        self.sign_in(self.alvarez)
        page = self.page
        page.goto(self.url(self.pat.get_absolute_url()))
        page.get_by_role("link", name="Measures and progress").click()
        page.get_by_role("heading", name=re.compile("Measures and progress"), level=1).wait_for()
        chart = page.get_by_role("img", name="PHQ-9 scores over time")
        self.assertTrue(chart.is_visible())
        self.assertIn("Reliable improvement", page.content())
        # GAD-7 comes first (by name); its table opens on its baseline of 14.
        page.get_by_text("The scores as a table").first.click()
        self.assertTrue(page.get_by_role("cell", name="14", exact=True).first.is_visible())
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("progress-clinician")

    def test_the_participant_reads_my_progress_on_a_phone(self):
        self.context.close()
        self.context = self.browser.new_context(viewport=PHONE)  # type: ignore[arg-type]
        self.page = page = self.context.new_page()
        page.set_default_timeout(60_000)
        self.sign_in(self.pat_user)
        page.goto(self.url(self.pat.get_absolute_url()))
        page.get_by_role("link", name="My progress").click()
        page.get_by_role("heading", name="My progress", level=1).wait_for()
        summary = page.locator(".progress-summary").filter(has_text="(PHQ-9)")
        self.assertEqual(
            summary.inner_text(),
            "Your mood questionnaire (PHQ-9) score went from 19 to 11. That is a big enough drop "
            "to count as real improvement.",
        )
        self.assertTrue(page.get_by_role("img", name="Your PHQ-9 scores over time").is_visible())
        self.assertNotIn("RCI", page.content())
        # Nothing wider than the phone: the chart and its table reflow.
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), 390)
        page.get_by_text("The scores as a table").first.click()
        self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), 390)
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("progress-participant-390")
