"""Messaging in the browser: Pat writes to her care team on a phone (390×844), Dr. Alvarez
finds it unread in her inbox and answers, and Pat's open page brings the answer in by itself
(the poll); Pat then sees her message was read. Each page passes axe."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

# Tuesday 10 March 2026, 10 AM in New York: office hours, so no automatic reply.
TUESDAY_MORNING = datetime(2026, 3, 10, 10, tzinfo=ZoneInfo("America/New_York"))


class ThreadBrowserTest(BrowserTestCase):
    viewport = {"width": 390, "height": 844}

    def setUp(self):
        self.enterContext(time_machine.travel(TUESDAY_MORNING, tick=True))
        super().setUp()

    def test_a_participant_messages_the_team_and_a_clinician_answers(self):
        page = self.page
        page.set_default_timeout(20_000)
        self.sign_in(self.pat_user)
        page.get_by_role("link", name="Messages", exact=True).click()
        page.get_by_role("link", name="Write to your care team").click()
        self.assertEqual(self.serious_violations(), [])
        page.get_by_label("Subject").fill("Missed group")
        page.get_by_label("Message", exact=True).fill("My car broke down, so I missed group today.")
        page.get_by_role("button", name="Send").click()
        page.get_by_text("Not read yet").wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("messaging-participant-sent")
        participant_page = page

        # Dr. Alvarez, at her desk.
        clinician = self.browser.new_context(viewport={"width": 1280, "height": 800})
        self.addCleanup(clinician.close)
        self.page = clinician.new_page()
        self.page.set_default_timeout(20_000)
        self.sign_in(self.alvarez)
        self.page.get_by_role("link", name="Messages", exact=True).click()
        self.page.get_by_text("1 unread message.").wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("messaging-staff-inbox")
        self.page.get_by_role("link", name="Missed group").click()
        self.page.get_by_label("Message", exact=True).fill(
            "Thanks for telling us. Can you join on video?"
        )
        self.page.get_by_role("button", name="Send").click()
        self.page.get_by_text("Can you join on video?").wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("messaging-clinician-answered")

        # Pat's page, still open, brings the answer in by itself.
        self.page = participant_page
        page.get_by_text("Can you join on video?").wait_for(timeout=30_000)
        page.reload()
        page.get_by_text("Read by your care team").wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("messaging-participant-answer")
