"""Issue 12's journey on a phone over a weak link: a participant opens Today, completes the
weekly PHQ-9 and the check-in about her last session, and sees her progress chart.

Chromium at 390×844 with network emulation (400 kbit/s down, 400 ms round trip), static files
served as in production (hashed, compressed). Each page must be usable — loaded, with its main
control visible — within 5 s on that link; axe-core finds no serious or critical issue on any
of them. Screenshots: test-artifacts/portal-journey-01…04.png.
"""

import json
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from openiop.assessments import actions as assessment_actions
from openiop.assessments.models import Assignment
from openiop.feedback.models import SessionCheckIn
from openiop.feedback.tests.helpers import FeedbackFixture, check_in_for
from openiop.testing import BrowserTestCase, serious_violations
from openiop.tests.collected_static import CollectedStaticServer

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Chromium's emulation takes bytes per second.
WEAK_LINK = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
USABLE_WITHIN = 5.0
SEVERAL, NONE = "Several days", "Not at all"


class PortalJourneyTestCase(FeedbackFixture, CollectedStaticServer, BrowserTestCase):
    viewport = PHONE

    def setUp(self) -> None:
        super().setUp()
        self.create_schedule()
        self.seat(self.pat)
        now = timezone.now()
        last = self.session(now - timedelta(days=1))
        self.book(last, self.pat, "present")
        self.check_in = check_in_for(last, self.pat)
        # Her PHQ-9 at admission, three weeks ago; this week's is waiting.
        phq9 = assessment_actions.shipped_instrument("phq-9")
        first = assessment_actions.assign_instrument(self.pat, phq9, acting_user=self.alvarez)
        answers = {str(n): "LA6570-1" for n in range(1, 9)} | {"9": "LA6568-5"}  # 16
        assessment_actions.answer(
            first,
            answers,
            intent=assessment_actions.Intent.SUBMIT,
            acting_user=self.pat_user,
            source="participant",
        )
        Assignment.objects.filter(pk=first.pk).update(completed_at=now - timedelta(weeks=3))
        self.weekly = assessment_actions.assign_instrument(self.pat, phq9, acting_user=self.alvarez)

    def timed(self, action, ready) -> float:
        """Seconds from `action` until the page has loaded and `ready` is visible."""
        started = time.monotonic()
        action()
        self.page.wait_for_load_state("load")
        ready.wait_for(state="visible")
        return time.monotonic() - started

    def check_page(self, name: str, seconds: float) -> None:
        self.assertLess(seconds, USABLE_WITHIN, f"{name} took {seconds:.1f} s on the weak link")
        self.assertEqual(serious_violations(self.page), [], name)
        self.screenshot(name)
        self.timings[name] = round(seconds, 2)

    def test_today_phq9_check_in_and_progress_on_a_weak_link(self):
        page = self.page
        page.set_default_timeout(30_000)
        self.timings: dict[str, float] = {}
        self.sign_in(self.pat_user)
        cdp = self.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", WEAK_LINK)

        # 1. Today: what is due, one tap from each.
        seconds = self.timed(
            lambda: page.goto(self.url("/")),
            page.get_by_role("heading", level=1),
        )
        self.check_page("portal-journey-01-today", seconds)
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})

        # 2. The weekly PHQ-9.
        seconds = self.timed(
            lambda: page.get_by_role("link", name=re.compile("PHQ-9")).first.click(),
            page.get_by_role("button", name="Submit", exact=True),
        )
        self.check_page("portal-journey-02-phq9", seconds)
        for number in range(1, 10):
            choice = SEVERAL if number <= 4 else NONE
            page.get_by_role("group", name=re.compile(rf"^{number}\. ")).get_by_label(
                choice, exact=True
            ).check()
        page.get_by_role("button", name="Submit", exact=True).click()
        page.wait_for_load_state("load")
        self.weekly.refresh_from_db()
        self.assertEqual(self.weekly.status, Assignment.Status.COMPLETED)

        # 3. The check-in about yesterday's session.
        seconds = self.timed(
            lambda: page.goto(self.url("/")),
            page.get_by_role("link", name=re.compile("Session check-in")).first,
        )
        self.assertLess(seconds, USABLE_WITHIN)
        seconds = self.timed(
            lambda: page.get_by_role("link", name=re.compile("Session check-in")).first.click(),
            page.get_by_role("button", name="Submit", exact=True),
        )
        self.check_page("portal-journey-03-check-in", seconds)
        for number, value in ((1, "8"), (2, "7"), (3, "8"), (4, "9")):
            page.get_by_role("group", name=re.compile(rf"^{number}\. ")).get_by_label(
                value, exact=True
            ).check()
        page.get_by_role("button", name="Submit", exact=True).click()
        page.wait_for_load_state("load")
        self.check_in.refresh_from_db()
        self.assertEqual(self.check_in.status, SessionCheckIn.Status.ANSWERED)

        # 4. My progress: the PHQ-9 went from 16 to 4, drawn on the server.
        seconds = self.timed(
            lambda: page.goto(self.url("/outcomes/my-progress/")),
            page.locator("svg[role=img]").first,
        )
        self.check_page("portal-journey-04-progress", seconds)
        text = page.locator("main").inner_text()
        self.assertIn("16", text)
        self.assertIn("4", text)
        artifacts = Path("test-artifacts")
        artifacts.mkdir(exist_ok=True)
        (artifacts / "portal-journey-timings.json").write_text(
            json.dumps({"link": WEAK_LINK, "seconds": self.timings}, indent=2)
        )
