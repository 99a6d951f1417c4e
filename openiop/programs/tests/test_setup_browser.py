"""A director sets a program up in a real browser, with axe's check on each page."""

import re
from datetime import UTC, datetime

import pytest
import time_machine

from openiop.programs.models import Group, Track
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

# Wednesday 18 March 2026, 11 AM in New York; the clock ticks on for TOTP and the live server.
WEDNESDAY = datetime(2026, 3, 18, 15, tzinfo=UTC)


class ProgramSetupBrowserTestCase(BrowserTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(WEDNESDAY, tick=True))
        super().setUp()

    def check_page(self, name: str) -> None:
        self.assertEqual(self.serious_violations(), [])
        self.screenshot(name)

    def test_a_director_creates_a_track_and_a_group_with_a_curriculum(self):
        self.sign_in(self.dana)
        page = self.page
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Program setup"
        ).click()
        page.get_by_role("heading", name=f"Program setup: {self.program.name}").wait_for()
        self.check_page("program-setup-empty")

        page.get_by_role("link", name="Add a track").click()
        page.get_by_label("Name").fill("Evening DBT")
        page.get_by_label("First week").fill("2026-03-23")
        for day in ("Monday", "Wednesday", "Thursday"):
            page.get_by_label(day).check()
        page.get_by_label("Starts").fill("18:00")
        page.get_by_label("Ends").fill("21:00")
        page.get_by_label("Typical length of stay (weeks)").fill("8")
        page.get_by_role("button", name="Create the track").click()
        page.get_by_role("heading", name="Track: Evening DBT").wait_for()
        page.get_by_text("Mon, Wed, Thu 18:00\u201321:00").wait_for()
        self.check_page("program-setup-track")
        track = Track.objects.get(program=self.program, name="Evening DBT")

        page.get_by_role("link", name="Add a group").click()
        page.get_by_label("Name").fill("Evening DBT A")
        page.get_by_label("Seats").fill("0")
        page.get_by_label("Curriculum starts").fill("2026-03-23")
        page.get_by_role("button", name="Create the group").click()
        page.get_by_text("A group needs at least one seat").first.wait_for()
        self.check_page("program-setup-group-zero-seats")
        page.get_by_label("Seats").fill("10")
        page.get_by_role("button", name="Create the group").click()
        page.get_by_role("heading", name="Group: Evening DBT A").wait_for()
        group = Group.objects.get(track=track, name="Evening DBT A")

        page.get_by_label("Staff member").select_option(label=self.alvarez.display_name)
        page.get_by_label("Role").select_option("lead")
        page.get_by_role("button", name="Add the facilitator").click()
        page.get_by_text("Facilitator added.").wait_for()
        for title in ("Mindfulness", "Distress tolerance", "Emotion regulation"):
            page.get_by_label("Module title").fill(title)
            page.get_by_role("button", name="Add the module").click()
            page.get_by_text("Module added at the end of the rotation.").wait_for()
        page.get_by_role("button", name=re.compile("Earlier.*Emotion regulation")).click()
        page.get_by_text("Moved Emotion regulation.").wait_for()
        self.check_page("program-setup-group")
        self.assertEqual(
            list(group.topics.values_list("title", flat=True)),
            ["Mindfulness", "Emotion regulation", "Distress tolerance"],
        )
        self.assertEqual(group.facilitator_roles.get().clinician, self.alvarez)

        page.get_by_role("link", name=f"Setup of {self.program.name}").click()
        page.get_by_role("link", name="Evening DBT A").wait_for()
        self.check_page("program-setup-overview")

        page.get_by_role("link", name="Holidays and closures").click()
        page.get_by_label("First day closed").fill("2026-03-26")
        page.get_by_label("Last day closed").fill("2026-03-25")
        page.get_by_label("Name").fill("Staff training")
        page.get_by_role("button", name="Close these days").click()
        page.get_by_text("end before start").first.wait_for()
        self.check_page("program-setup-closures")
