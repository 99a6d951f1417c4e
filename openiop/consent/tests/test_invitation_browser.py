"""A coordinator invites a new participant from the chart; on a phone, the participant opens
the emailed link, sets a password and lands on their portal home."""

import pytest
from django.core import mail
from django.test import override_settings

from openiop.consent.tests.invitation_helpers import LINK, new_chart
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser


class InvitationBrowserTestCase(BrowserTestCase):
    def test_a_participant_accepts_an_invitation_on_a_phone(self):
        robin = new_chart(self.program)
        with override_settings(OPENIOP_BASE_URL=self.live_server_url):
            self.page.set_default_timeout(20_000)
            self.sign_in(self.ivy)
            page = self.page
            page.goto(self.url(robin.get_absolute_url()))
            page.get_by_role("link", name="Manage portal access").click()
            page.get_by_role("button", name="Send an invitation").click()
            page.get_by_text("Invitation sent.").wait_for()
            self.assertEqual(self.serious_violations(), [])
            self.screenshot("invite-staff-status")

        self.assertEqual(len(mail.outbox), 1)
        match = LINK.search(str(mail.outbox[0].body))
        assert match is not None
        link = match.group(0)
        self.assertTrue(link.startswith(self.live_server_url))

        self.context.close()
        self.context = self.browser.new_context(viewport={"width": 390, "height": 844})
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        page = self.page
        page.goto(link)
        page.get_by_role("heading", name="Set up your OpenIOP account").wait_for()
        self.assertNotIn(match.group(1), page.url)
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("invite-set-password")
        page.get_by_label("Password", exact=True).fill("short")
        page.get_by_label("Password again").fill("short")
        page.get_by_role("button", name="Set up my account").click()
        page.get_by_text("There is a problem").wait_for()
        self.screenshot("invite-password-error")
        page.get_by_label("Password", exact=True).fill("tangerine lighthouse 42")
        page.get_by_label("Password again").fill("tangerine lighthouse 42")
        page.get_by_role("button", name="Set up my account").click()
        page.get_by_role("heading", name="Welcome, Robin").wait_for()
        page.get_by_role("link", name="Set up two-step sign-in").wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("invite-portal-home")

        page.goto(link)
        page.get_by_role("heading", name="Welcome, Robin").wait_for()
        self.context.clear_cookies()
        page.goto(link)
        page.get_by_role("heading", name="This invitation was already used").wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("invite-link-used")
