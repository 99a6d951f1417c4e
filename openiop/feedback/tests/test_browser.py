"""The facilitator sees a flag before the next session; a participant answers the check-in on
a phone (390×844). Screenshots: test-artifacts/feedback-*.png."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from openiop.feedback.models import SessionCheckIn
from openiop.feedback.tests.helpers import FeedbackFixture, answer, check_in_for
from openiop.testing import BrowserTestCase, serious_violations

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


class SessionFeedbackBrowserTestCase(FeedbackFixture, BrowserTestCase):
    viewport = PHONE

    def setUp(self) -> None:
        super().setUp()
        self.create_schedule()
        self.seat(self.pat)
        self.seat(self.quinn)
        now = timezone.now()
        self.past = [self.session(now - timedelta(days=n)) for n in (3, 2)]
        self.next = self.session(now + timedelta(days=1))
        for session in [*self.past, self.next]:
            for person in (self.pat, self.quinn):
                self.book(session, person, "present" if session in self.past else "")
        # Pat: 36 then 24 with an item at 3 (low and falling). Quinn answered the first only.
        answer(check_in_for(self.past[0], self.pat), (9, 9, 9, 9))
        answer(check_in_for(self.past[1], self.pat), (3, 7, 7, 7), comment="PRIVATE-WORDS")
        answer(check_in_for(self.past[0], self.quinn), (9, 9, 9, 9))
        self.open = check_in_for(self.past[1], self.quinn)

    def test_flag_for_the_facilitator_and_a_check_in_on_a_phone(self):
        page = self.page
        page.set_default_timeout(20_000)

        # Quinn answers the check-in about her last session on her phone.
        self.sign_in(self.quinn_user)
        page.get_by_role("link", name="Questionnaires").first.click()
        page.get_by_text(re.compile("About: Evening DBT A")).first.wait_for()
        page.get_by_role("link", name=re.compile("Session check-in")).click()
        page.get_by_text("not a validated", exact=False).first.wait_for()
        for number, value in ((1, "8"), (2, "7"), (3, "8"), (4, "9")):
            page.get_by_role("group", name=re.compile(rf"^{number}\. ")).get_by_label(
                value, exact=True
            ).check()
        page.get_by_text("4 of 4 questions answered").wait_for()
        self.assertEqual(serious_violations(page), [])
        self.screenshot("feedback-participant-check-in")
        page.get_by_role("button", name="Submit", exact=True).click()
        page.wait_for_load_state()
        self.open.refresh_from_db()
        self.assertEqual(self.open.status, SessionCheckIn.Status.ANSWERED)
        self.assertEqual(self.open.total, 32)

        # Dr. Alvarez opens the next session: Pat's flag, without what Pat wrote.
        self.context.close()
        self.context = self.browser.new_context(viewport={"width": 1280, "height": 800})
        self.page = page = self.context.new_page()
        page.set_default_timeout(20_000)
        self.sign_in(self.alvarez)
        page.goto(self.url(f"/schedule/sessions/{self.next.code}/"))
        flags = page.locator("section.feedback-flags")
        flags.wait_for()
        text = flags.inner_text()
        self.assertIn("Pat", text)
        self.assertIn("fell 12 points", text)
        self.assertNotIn("Quinn", text)
        self.assertNotIn("PRIVATE-WORDS", page.content())
        self.assertEqual(serious_violations(page), [])
        self.screenshot("feedback-facilitator-flag")
