import time

import pytest

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.participants.models import BreakGlassGrant
from openiop.testing import PASSWORD, BrowserTestCase, current_totp

pytestmark = pytest.mark.browser


class BreakGlassBrowserTestCase(BrowserTestCase):
    def test_a_clinician_breaks_the_glass_reads_the_chart_and_ends_it(self):
        User.objects.filter(pk=self.admin.pk).update(privacy_officer=True)
        page = self.page
        self.sign_in(self.chen)
        page.goto(self.url(f"/participants/{self.pat.code}/"))
        page.get_by_role("heading", name="Page not found").wait_for()

        page.goto(self.url("/participants/"))
        page.get_by_role("link", name="Emergency access", exact=True).click()
        page.get_by_role("heading", name="Emergency access").wait_for()
        page.get_by_label("Given name").fill("Patricia")
        page.get_by_label("Family name").fill("Lindqvist")
        page.get_by_label("Date of birth").fill("1990-04-02")
        page.get_by_role("button", name="Find").click()
        page.get_by_role("link", name="request emergency access").click()
        page.get_by_role("heading", name="Request emergency access").wait_for()

        # No reason: refused, and the page says why.
        page.get_by_label("Your password").fill(PASSWORD)
        page.get_by_role("button", name="Open the chart").click()
        page.locator("[data-error-summary]").get_by_role(
            "link", name="Why do you need this chart now?"
        ).wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("break-glass-refused")

        page.get_by_label("Why do you need this chart now?").fill(
            "Crisis line called: Pat is missing; on call needs the safety plan and contacts."
        )
        page.get_by_label("Your password").fill(PASSWORD)
        # The code Dr. Chen signed in with is spent; wait for the next one.
        time.sleep(30 - time.time() % 30 + 0.5)
        page.get_by_label("Code from your authenticator app").fill(current_totp(self.chen))
        page.get_by_role("button", name="Open the chart").click()

        banner = page.get_by_role("region", name="Emergency access")
        banner.get_by_text("Emergency access — ends at").wait_for()
        page.get_by_role("heading", name="Chart header").wait_for()
        self.assertNotIn("Edit chart header", page.content())
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("break-glass-chart")

        banner.get_by_role("button", name="End now").click()
        page.get_by_text("Emergency access ended.").wait_for()
        page.goto(self.url(f"/participants/{self.pat.code}/"))
        page.get_by_role("heading", name="Page not found").wait_for()

        grant = BreakGlassGrant.objects.get(user=self.chen, participant=self.pat)
        self.assertTrue(grant.ended_early)
        self.assertTrue(
            AuditEvent.objects.filter(
                event_type="participant.chart_viewed", details__grant=str(grant.code)
            ).exists()
        )

        # The privacy officer's report lists it.
        self.context.clear_cookies()
        self.sign_in(self.admin)
        page.goto(self.url("/participants/emergency-access/report/"))
        page.get_by_role("heading", name="Emergency access report").wait_for()
        page.get_by_text("ended early").wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("break-glass-report")
