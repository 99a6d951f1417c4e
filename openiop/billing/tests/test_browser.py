"""Billing in the browser: Dana sets up a payer (a duplicate code line is refused first), gives
Pat coverage and an authorization from her chart, edits the coverage (an end before its start
is refused first), makes November's charges and sees one held for a missing note; the pages
pass axe and reflow on a phone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from openiop.billing.models import Charge
from openiop.billing.tests import base
from openiop.testing import BrowserTestCase, serious_violations

pytestmark = pytest.mark.browser

DECEMBER = datetime(2026, 12, 1, 9, tzinfo=ZoneInfo("America/New_York"))


class BillingBrowserTest(BrowserTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(DECEMBER, tick=True))
        super().setUp()
        base.profile(self.program)
        base.diagnosis(self.pat, self.alvarez)
        base.program_day(self, date(2026, 11, 2), {self.pat: 180})
        base.program_day(self, date(2026, 11, 3), {self.pat: 180}, signed=False)

    def test_setup_coverage_and_charges(self):
        page = self.page
        page.set_default_timeout(20_000)
        self.sign_in(self.dana)
        page.get_by_role("link", name="Billing", exact=True).click()
        page.get_by_role("link", name=f"Payers and billing details for {self.program.name}").click()
        add = page.locator("form", has=page.get_by_role("button", name="Add payer"))
        add.get_by_label("Name", exact=True).fill("Acme Health")
        add.get_by_label("Payer id").fill("87726")
        add.get_by_label("Per diem rate").fill("150")
        add.get_by_label("Codes").fill("mh 0905 S9480\nmh 0906 H0015")
        add.get_by_role("button", name="Add payer").click()
        page.get_by_text("Line 2 repeats “mh” (first on line 1)").first.wait_for()
        self.assertEqual(serious_violations(page), [])
        self.screenshot("billing-payer-duplicate-code")
        add = page.locator("form", has=page.get_by_role("button", name="Add payer"))
        add.get_by_label("Codes").fill("mh 0905 S9480\nsud 0906 H0015")
        add.get_by_role("button", name="Add payer").click()
        page.get_by_text("Payer added.").wait_for()
        plan = page.locator("form", has=page.get_by_role("button", name="Add plan"))
        plan.get_by_label("Payer", exact=True).select_option(label="Acme Health")
        plan.get_by_label("Name", exact=True).fill("Choice PPO")
        plan.get_by_role("button", name="Add plan").click()
        page.get_by_text("Plan added.").wait_for()
        self.assertEqual(serious_violations(page), [])
        self.screenshot("billing-setup")

        page.goto(self.url(self.pat.get_absolute_url()))
        page.get_by_role("link", name="Coverage and authorizations").click()
        cov = page.locator("form", has=page.get_by_role("button", name="Add coverage"))
        cov.get_by_label("Plan", exact=True).select_option(index=1)
        cov.get_by_label("Member id").fill("ABC 123")
        cov.get_by_label("Address").fill("12 Elm St")
        cov.get_by_label("City").fill("Troy")
        cov.get_by_label("State").select_option(label="New York")
        cov.get_by_label("ZIP code").fill("12180")
        cov.get_by_label("Starts on").fill("2026-01-01")
        cov.get_by_role("button", name="Add coverage").click()
        page.get_by_text("A member id holds letters, digits and hyphens only").first.wait_for()
        cov = page.locator("form", has=page.get_by_role("button", name="Add coverage"))
        cov.get_by_label("Member id").fill("ABC-123")
        cov.get_by_role("button", name="Add coverage").click()
        page.get_by_text("Coverage added.").wait_for()
        auth = page.locator("form", has=page.get_by_role("button", name="Save authorization"))
        auth.get_by_label("Coverage", exact=True).select_option(index=1)
        auth.get_by_label("Level of care").select_option(label="IOP")
        auth.get_by_label("Units (program days) approved").fill("3")
        auth.get_by_label("Starts on").fill("2026-11-01")
        auth.get_by_label("Ends on").fill("2026-12-31")
        auth.get_by_label("Reference number").fill("AUTH-1")
        auth.get_by_role("button", name="Save authorization").click()
        page.get_by_text("Authorization saved.").wait_for()
        self.assertEqual(serious_violations(page), [])
        self.screenshot("billing-chart-coverage")

        page.get_by_role("link", name="Edit or end the primary coverage").click()
        end = page.locator("form", has=page.get_by_role("button", name="End coverage"))
        end.get_by_label("Last day covered").fill("2025-12-31")
        end.get_by_role("button", name="End coverage").click()
        page.get_by_text("Coverage cannot end before it starts").first.wait_for()
        self.assertEqual(serious_violations(page), [])
        self.screenshot("billing-coverage-edit")
        edit = page.locator("form", has=page.get_by_role("button", name="Save coverage"))
        edit.get_by_label("Group number").fill("G-200")
        edit.get_by_role("button", name="Save coverage").click()
        page.get_by_text("Coverage saved.").wait_for()
        self.assertIn("G-200", page.content())

        page.goto(self.url(reverse("billing:charges", args=[self.program.code]) + "?month=2026-11"))
        page.get_by_role("button", name="Make charges for this month").click()
        page.get_by_text("1 ready, 1 held").wait_for()
        self.assertIn("a session that day has no signed note", page.content())
        self.assertEqual(serious_violations(page), [])
        self.screenshot("billing-charges")
        self.assertEqual(sorted(Charge.objects.values_list("status", flat=True)), ["held", "ready"])
        with page.expect_download() as download:
            page.get_by_role(
                "button", name="Download the 837I (institutional) for Acme Health"
            ).click()
        self.assertIn("837i", download.value.suggested_filename)

        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(self.url(reverse("billing:charges", args=[self.program.code]) + "?month=2026-11"))
        width = page.evaluate("document.documentElement.scrollWidth")
        self.assertLessEqual(width, 390)
        self.screenshot("billing-charges-phone")
