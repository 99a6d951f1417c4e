"""Discharge in the browser: Dr. Alvarez discharges Pat from a full group; the first person on
its waitlist takes the seat; Pat reads what comes next on her phone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from openiop.discharge.tests.base import PHQ9_16, admit_to_program, score_phq9
from openiop.intake.models import EpisodeOfCare
from openiop.scheduling import actions as scheduling
from openiop.scheduling.models import Enrollment
from openiop.scheduling.tests.base import Schedule
from openiop.testing import BrowserTestCase, serious_violations

pytestmark = pytest.mark.browser

# Tuesday 8 December 2026, 9:00 New York: Evening DBT A (Mon/Wed/Thu 18:00) is not in session.
TUESDAY_MORNING = datetime(2026, 12, 8, 9, tzinfo=ZoneInfo("America/New_York"))


class DischargeBrowserTestCase(Schedule, BrowserTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(TUESDAY_MORNING, tick=True))
        super().setUp()
        self.create_schedule()
        self.episode = admit_to_program(self, self.pat)
        score_phq9(self, self.pat, PHQ9_16)
        robin, sky, lee = (
            self.make_participant(f"{name.lower()}@example.org", name, "Example", "")
            for name in ("Robin", "Sky", "Lee")
        )
        for person in (self.pat, self.quinn, robin, sky, lee):
            scheduling.admit(person, self.group, starts_on=date(2026, 12, 9), acting_user=self.dana)
        self.sky = sky

    def test_discharge_ends_the_episode_and_seats_the_first_person_waiting(self):
        page = self.page
        page.set_default_timeout(20_000)
        self.sign_in(self.alvarez)
        page.goto(self.url(self.pat.get_absolute_url()))
        page.get_by_role("link", name="Discharge", exact=True).click()
        page.get_by_role("heading", name="What discharge does").wait_for()
        self.assertEqual(serious_violations(page), [])
        page.get_by_role("button", name="Start the discharge summary").click()
        page.get_by_text("Discharge summary started from the record.").wait_for()

        page.get_by_label("Reason for discharge").select_option(label="Completed treatment")
        page.get_by_label("Safety plan (needed to sign)").select_option(
            label="Reviewed and updated with the participant"
        )
        page.get_by_label("Recommended level of care next").select_option(label="Outpatient")
        page.get_by_label("What comes next, for the participant").fill(
            "Weekly therapy with Jordan Lee starts next Monday. Keep your skills card handy."
        )
        page.get_by_label("With whom").fill("Jordan Lee, LCSW")
        page.get_by_label("Date", exact=True).fill("2026-12-14")
        page.get_by_label("Time", exact=True).fill("09:00")
        page.get_by_label("Where, or how to join").fill("Riverside Counseling, 12 Main St")
        self.assertEqual(serious_violations(page), [])
        self.screenshot("discharge-edit")
        page.get_by_role("button", name="Save the draft").click()
        page.get_by_text("Draft saved.").wait_for()
        self.assertEqual(serious_violations(page), [])
        self.screenshot("discharge-summary-draft")

        page.get_by_role("button", name="Sign and discharge").click()
        page.get_by_text("Signed. The episode of care is finished").wait_for()
        self.assertEqual(serious_violations(page), [])
        self.screenshot("discharge-summary-signed")
        self.episode.refresh_from_db()
        self.assertEqual(self.episode.status, EpisodeOfCare.Status.FINISHED)
        seat = Enrollment.objects.get(participant=self.sky, group=self.group)
        self.assertEqual(seat.status, Enrollment.Status.SEATED)

        page.goto(self.url(reverse("scheduling:roster", args=[self.group.code])))
        members = page.get_by_role("region", name="Members").inner_text()
        self.assertIn("Sky E.", members)
        self.assertNotIn("Pat L.", members)

        self.context.close()
        self.context = self.browser.new_context(viewport={"width": 390, "height": 844})
        self.page = page = self.context.new_page()
        page.set_default_timeout(20_000)
        self.sign_in(self.pat_user)
        page.get_by_role("heading", name="What comes next").wait_for()
        text = page.get_by_role("region", name="What comes next").inner_text()
        self.assertIn("Weekly therapy with Jordan Lee", text)
        self.assertIn("Mon 14 Dec 2026, 9:00 AM EST", text)
        self.assertIn("988", text)
        self.assertEqual(serious_violations(page), [])
        self.screenshot("discharge-participant-home-phone")
        page.get_by_role("link", name="Read your discharge summary").click()
        page.get_by_role("heading", name="Discharge summary").wait_for()
        self.assertEqual(serious_violations(page), [])
        self.screenshot("discharge-summary-participant-phone")
