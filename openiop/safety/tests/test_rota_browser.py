"""The rota page in a real browser: a director fills a gap, with axe's check."""

from datetime import UTC, datetime, time

import pytest
import time_machine

from openiop.safety.models import OnCallShift
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

# Wednesday 18 March 2026, 11 AM in New York; the clock ticks on for TOTP and the live server.
WEDNESDAY = datetime(2026, 3, 18, 15, tzinfo=UTC)


class RotaBrowserTestCase(BrowserTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(WEDNESDAY, tick=True))
        super().setUp()
        for weekday in range(1, 8):
            OnCallShift.objects.create(
                program=self.program,
                clinician=self.chen,
                weekday=weekday,
                starts_at=time(9),
                ends_at=time(17) if weekday in (2, 4) else time(9),
            )

    def test_a_director_sees_the_gap_and_fills_it_with_an_overnight_shift(self):
        self.sign_in(self.dana)
        page = self.page
        page.goto(self.url(f"/safety/rota/{self.program.code}/"))
        page.get_by_role("heading", name="On-call rota: Adult Mental Health IOP").wait_for()
        page.get_by_text("Gaps:").first.wait_for()

        form = page.locator("form", has=page.get_by_role("button", name="Add the shift"))
        form.get_by_label("Who is on call").select_option(label="Rosa Alvarez, PsyD")
        form.get_by_label("Day", exact=True).select_option(label="Tuesday")
        form.get_by_label("From", exact=True).fill("17:00")
        form.get_by_label("To", exact=True).fill("09:00")
        form.get_by_label("Runs overnight (ends the next day)").check()
        form.get_by_role("button", name="Add the shift").click()
        page.get_by_text("Shift added to the weekly rota.").wait_for()
        self.assertTrue(
            OnCallShift.objects.filter(clinician=self.alvarez, weekday=2, ends_at=time(9)).exists()
        )
        page.get_by_role("cell", name="9:00 AM EDT next day").first.wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("rota")
