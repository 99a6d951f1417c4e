"""The schedules and completion pages in a real browser, with axe's check."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from openiop.assessments.actions import load_shipped_instruments, shipped_instrument
from openiop.assessments.models import Assignment
from openiop.outcomes.models import MeasurementOccasion, MeasurementSchedule
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

# Wednesday 18 March 2026, 11 AM in New York; the clock ticks on for TOTP and the live server.
WEDNESDAY = datetime(2026, 3, 18, 15, tzinfo=UTC)


class SchedulesBrowserTestCase(BrowserTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(WEDNESDAY, tick=True))
        super().setUp()
        load_shipped_instruments(acting_user=None)

    def test_a_director_adds_the_defaults_and_reads_completion_rates(self):
        self.sign_in(self.dana)
        page = self.page
        page.goto(self.url(f"/outcomes/programs/{self.program.code}/schedules/"))
        page.get_by_role("button", name="Add the default schedules").click()
        page.get_by_text("Added 2 default schedule(s).").wait_for()
        self.assertEqual(MeasurementSchedule.objects.filter(is_active=True).count(), 2)

        form = page.locator("form", has=page.get_by_role("button", name="Add the schedule"))
        form.get_by_label("Instrument").select_option("pcl-5")
        form.get_by_role("button", name="Add the schedule").click()
        page.get_by_text("Choose at least one occasion.").first.wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("measurement-schedules")

        schedule = MeasurementSchedule.objects.get(instrument_key="phq-9")
        phq9 = shipped_instrument("phq-9")
        for week, status in enumerate(["completed", "completed", "cancelled", "open"]):
            assignment = Assignment.objects.create(
                participant=self.pat,
                instrument=phq9,
                assigned_by=self.dana,
                status=status,
                completed_at=WEDNESDAY if status == "completed" else None,
            )
            MeasurementOccasion.objects.create(
                schedule=schedule,
                participant=self.pat,
                kind="weekly",
                due_on=date(2026, 2, 23 + week) if week < 1 else date(2026, 3, week * 7 - 5),
                assignment=assignment,
                clinician=self.alvarez,
            )
        page.goto(self.url(f"/outcomes/programs/{self.program.code}/completion/"))
        page.get_by_role("heading", name="By participant").wait_for()
        page.get_by_role("cell", name="50 %").first.wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("measurement-completion")
