from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from openiop.safety.models import SafetyAlert
from openiop.scheduling.models import Booking, Session
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser


class ErrorSummaryBrowserTestCase(BrowserTestCase):
    def test_a_refused_form_puts_focus_on_a_keyboard_usable_summary(self):
        self.sign_in(self.dana)
        page = self.page
        page.goto(self.url(reverse("participants:new")))
        page.get_by_role("button", name="Add participant").click()

        summary = page.locator("[data-error-summary]")
        summary.wait_for()
        self.assertTrue(summary.evaluate("element => element === document.activeElement"))
        self.assertEqual(summary.get_by_role("heading").inner_text(), "There is a problem")
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("error-summary")

        # Tab reaches the first link in the summary; Enter takes focus to its field.
        target = summary.get_by_role("link").first.get_attribute("href")
        page.keyboard.press("Tab")
        self.assertEqual(page.evaluate("document.activeElement.getAttribute('href')"), target)
        page.keyboard.press("Enter")
        self.assertEqual(page.evaluate("document.activeElement.id"), target.removeprefix("#"))
        self.assertTrue(page.locator(f"label[for='{target[1:]}']").is_visible())


class ErrorPageBrowserTestCase(BrowserTestCase):
    def test_the_not_found_page_is_styled_and_accessible(self):
        self.sign_in(self.pat_user)
        self.page.goto(self.url("/no-such-page/"))
        self.page.get_by_role("heading", name="Page not found").wait_for()
        self.assertEqual(self.page.get_by_role("link", name="988").count(), 1)
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("not-found")


# Wednesday 4 March 2026, 10 AM in New York; the clock ticks on for TOTP and the live server.
WEDNESDAY_MORNING = datetime(2026, 3, 4, 10, tzinfo=ZoneInfo("America/New_York"))


class WorklistBrowserTestCase(BrowserTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(WEDNESDAY_MORNING, tick=True))
        super().setUp()
        for day, hour, attendance in ((3, 10, "present"), (4, 14, "")):
            start = datetime(2026, 3, day, hour, tzinfo=ZoneInfo("America/New_York"))
            session = Session.objects.create(
                program=self.program,
                kind=Session.Kind.INDIVIDUAL,
                clinician=self.alvarez,
                starts_at=start,
                ends_at=start + timedelta(minutes=50),
                local_date=start.date(),
                local_starts_at=start.time(),
                local_ends_at=(start + timedelta(minutes=50)).time(),
                timezone="America/New_York",
            )
            Booking.objects.create(
                session=session,
                participant=self.pat,
                source=Booking.Source.APPOINTMENT,
                attendance=attendance,
                minutes_attended=50 if attendance else None,
            )
        now = timezone.now()
        SafetyAlert.objects.create(
            participant=self.pat,
            kind=SafetyAlert.Kind.CLINICIAN_CONCERN,
            opened_at=now,
            last_triggered_at=now,
        )

    def test_a_clinician_starts_the_day_on_her_worklist(self):
        self.sign_in(self.alvarez)
        page = self.page
        page.get_by_role("heading", name="My work today").wait_for()
        page.get_by_role("heading", name="Today's sessions (1)").wait_for()
        page.get_by_role("heading", name="Notes to write (1)").wait_for()
        page.get_by_role("heading", name="Open safety alerts (1)").wait_for()
        self.assertEqual(page.get_by_role("link", name="Write the note").count(), 1)
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("worklist")
        page.set_viewport_size({"width": 390, "height": 844})
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("worklist-phone")
