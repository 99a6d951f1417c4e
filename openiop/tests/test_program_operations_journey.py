"""Issue 13's first "Done when" line as one journey in Chromium.

Dana, the program director, sees on her operations board that Pat waits for a seat in the
full Day IOP group. She opens a new evening track in Program setup, with two groups and their
curricula: A led by Dr. Chen (licensed in New York only), B by Dr. Alvarez (New York and New
Jersey). Pat lives in New Jersey: seating her in A is refused, and the refusal lists B, which
fits. Seated in B, Pat leaves the Day IOP waitlist, and the board shows her in B's census.
Each step is checked by axe-core and saved in test-artifacts/ (operations-journey-*.png).
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from openiop.participants.models import Participant
from openiop.programs.models import Group, GroupFacilitator, Track, TrackBlock
from openiop.scheduling import actions as scheduling
from openiop.scheduling.models import Enrollment
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

# Wednesday 18 March 2026, 11 AM in New York; the clock ticks on for TOTP and the live server.
WEDNESDAY = datetime(2026, 3, 18, 15, tzinfo=UTC)
MONDAY = date(2026, 3, 16)


class ProgramOperationsJourney(BrowserTestCase):
    def setUp(self) -> None:
        self.enterContext(time_machine.travel(WEDNESDAY, tick=True))
        super().setUp()
        Participant.objects.filter(pk=self.pat.pk).update(home_state="NJ")
        self.pat.refresh_from_db()
        day = Track.objects.create(program=self.program, name="Day IOP", starts_on=MONDAY)
        TrackBlock.objects.create(
            track=day, rule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", starts_at=time(9), ends_at=time(12)
        )
        self.day_group = Group.objects.create(
            track=day, name="Day IOP A", capacity=1, curriculum_starts_on=MONDAY
        )
        GroupFacilitator.objects.create(
            group=self.day_group, clinician=self.alvarez, role=GroupFacilitator.Role.LEAD
        )
        # Quinn has the only seat; Pat waits for it.
        scheduling.admit(
            self.quinn, self.day_group, starts_on=MONDAY + timedelta(days=3), acting_user=self.dana
        )
        waiting = scheduling.admit(
            self.pat, self.day_group, starts_on=MONDAY + timedelta(days=3), acting_user=self.dana
        )
        assert waiting.status == Enrollment.Status.WAITLISTED

    def check(self, name: str) -> None:
        self.assertEqual(self.serious_violations(), [])
        self.screenshot(f"operations-journey-{name}")

    def add_group(self, name: str, lead: str, modules: list[str]) -> None:
        page = self.page
        page.get_by_role("link", name="Add a group").click()
        page.get_by_label("Name").fill(name)
        page.get_by_label("Seats").fill("8")
        page.get_by_label("Curriculum starts").fill(MONDAY.isoformat())
        page.get_by_role("button", name="Create the group").click()
        page.get_by_role("heading", name=f"Group: {name}").wait_for()
        page.get_by_label("Staff member").select_option(label=lead)
        page.get_by_label("Role").select_option("lead")
        page.get_by_role("button", name="Add the facilitator").click()
        page.get_by_text("Facilitator added.").wait_for()
        for title in modules:
            page.get_by_label("Module title").fill(title)
            page.get_by_role("button", name="Add the module").click()
            page.get_by_text("Module added at the end of the rotation.").wait_for()

    def test_a_director_opens_a_track_and_seats_someone_from_the_waitlist(self):
        page = self.page
        self.sign_in(self.dana)
        menu = page.get_by_role("navigation", name="Main")
        menu.get_by_role("link", name="Operations board").click()
        waitlist = page.locator("section", has=page.get_by_role("heading", name="Waitlist"))
        self.assertIn("Patricia (Pat) Lindqvist: Day IOP A", waitlist.inner_text())
        self.check("board-before")

        # A new evening track with two groups, each with its curriculum.
        menu.get_by_role("link", name="Program setup").click()
        page.get_by_role("link", name="Add a track").click()
        page.get_by_label("Name").fill("Evening DBT")
        page.get_by_label("First week").fill(MONDAY.isoformat())
        for weekday in ("Monday", "Wednesday", "Thursday"):
            page.get_by_label(weekday).check()
        page.get_by_label("Starts").fill("18:00")
        page.get_by_label("Ends").fill("21:00")
        page.get_by_label("Typical length of stay (weeks)").fill("8")
        page.get_by_role("button", name="Create the track").click()
        page.get_by_role("heading", name="Track: Evening DBT").wait_for()
        self.add_group("Evening DBT A", self.chen.display_name, ["Mindfulness", "Validation"])
        self.check("group-a")
        page.get_by_role("link", name=f"Setup of {self.program.name}").click()
        page.get_by_role("link", name="Evening DBT", exact=True).click()
        self.add_group("Evening DBT B", self.alvarez.display_name, ["Distress tolerance"])
        group_a = Group.objects.get(name="Evening DBT A")
        group_b = Group.objects.get(name="Evening DBT B")
        self.assertEqual(
            list(group_a.topics.values_list("title", flat=True)), ["Mindfulness", "Validation"]
        )

        # Seating Pat in A is refused: nobody leading A is licensed in New Jersey.
        page.get_by_role("link", name=f"Setup of {self.program.name}").click()
        page.get_by_role("link", name="Evening DBT A").click()
        page.get_by_role("link", name="roster").click()
        page.get_by_role("link", name="Admit a participant").click()
        page.get_by_role("heading", name="Admit to Evening DBT A").wait_for()
        page.get_by_label("Participant").select_option(
            label="Patricia (Pat) Lindqvist (born 1990-04-02)"
        )
        page.get_by_role("button", name="Admit").click()
        page.get_by_text(
            "None of Evening DBT A's facilitators is licensed in New Jersey"
        ).wait_for()
        fitting = page.locator("section", has=page.get_by_role("heading", name="Groups that fit"))
        self.assertIn("Evening DBT B", fitting.inner_text())
        self.check("refused")
        self.assertFalse(Enrollment.objects.filter(participant=self.pat, group=group_a).exists())

        fitting.get_by_role("link", name="Admit to Evening DBT B").click()
        page.get_by_role("heading", name="Admit to Evening DBT B").wait_for()
        page.get_by_role("button", name="Admit").click()
        page.get_by_text("They no longer wait for Day IOP A.").wait_for()
        self.check("seated")
        seated = Enrollment.objects.get(participant=self.pat, status=Enrollment.Status.SEATED)
        self.assertEqual(seated.group, group_b)

        # The board: Pat is counted in B's census and no longer waits.
        menu.get_by_role("link", name="Operations board").click()
        census = page.locator("tr", has=page.get_by_role("link", name="Evening DBT B"))
        self.assertEqual(census.locator("td[data-label=Seated]").inner_text().strip(), "1")
        self.assertNotIn("Lindqvist", waitlist.inner_text())
        self.check("board-after")
