"""The operations board and the intake pipeline in a real browser: reached from the menu,
keyboard-usable, no serious accessibility finding, screenshots in test-artifacts/."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from openiop.intake.models import EpisodeOfCare, Referral
from openiop.participants.models import Participant
from openiop.programs.models import Group, GroupFacilitator, Track
from openiop.scheduling.models import Enrollment
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

# Wednesday 18 March 2026, 11 AM in New York: mid-week, so "at risk this week" and "ten days
# waiting" mean the same whatever the hour the suite runs. The clock ticks on for TOTP.
WEDNESDAY = datetime(2026, 3, 18, 15, tzinfo=UTC)


class OperationsBrowserTestCase(BrowserTestCase):
    def setUp(self) -> None:
        self.enterContext(time_machine.travel(WEDNESDAY, tick=True))
        super().setUp()
        today = timezone.localdate()
        track = Track.objects.create(program=self.program, name="Evening DBT", starts_on=today)
        self.group = Group.objects.create(
            track=track, name="Evening DBT A", capacity=8, curriculum_starts_on=today
        )
        GroupFacilitator.objects.create(group=self.group, clinician=self.alvarez, role="lead")
        # Pat is admitted and seated, with no session booked this week: at risk.
        Enrollment.objects.create(
            participant=self.pat,
            group=self.group,
            status=Enrollment.Status.SEATED,
            starts_on=today,
            expected_end_on=today + timedelta(weeks=8),
            requested_at=timezone.now(),
            seated_at=timezone.now(),
            created_by=self.dana,
        )
        Group.objects.filter(pk=self.group.pk).update(seated_count=1)
        admitted = Referral.objects.create(
            participant=self.pat,
            program=self.program,
            source="self",
            reason="x",
            consent_to_contact=True,
            stage=Referral.Stage.ADMITTED,
            created_by=self.ivy,
        )
        EpisodeOfCare.objects.create(
            participant=self.pat,
            program=self.program,
            referral=admitted,
            level_of_care="iop",
            admitted_at=timezone.now(),
            admitted_by=self.dana,
        )
        # Marisol has waited ten days for her assessment: overdue.
        marisol = Participant.objects.create(
            program=self.program,
            given_name="Marisol",
            family_name="Vega",
            date_of_birth=date(1988, 2, 14),
            home_state="NY",
            timezone="America/New_York",
        )
        Referral.objects.create(
            participant=marisol,
            program=self.program,
            source="hospital",
            reason="x",
            consent_to_contact=True,
            stage=Referral.Stage.ASSESSMENT,
            track=track,
            stage_entered_at=timezone.now() - timedelta(days=10),
            created_by=self.ivy,
        )

    def test_a_director_opens_the_board_from_the_menu(self):
        self.sign_in(self.dana)
        page = self.page
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Operations board"
        ).click()
        page.get_by_role("heading", name=f"Operations board: {self.program.name}").wait_for()
        risk = page.locator("section", has=page.get_by_role("heading", name="At risk of missing"))
        self.assertIn("Patricia (Pat) Lindqvist", risk.inner_text())
        self.assertIn("Evening DBT A", page.get_by_role("table").first.inner_text())
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("operations-board")
        # Keyboard: the at-risk line is a link that opens the hours ledger.
        link = risk.get_by_role("link", name="Patricia (Pat) Lindqvist")
        link.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/participants/{self.pat.code}/ledger/")
        page.set_viewport_size({"width": 390, "height": 844})
        page.go_back()
        page.get_by_role("heading", name="Census by track and group").wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("operations-board-phone")

    def test_an_intake_coordinator_sees_the_overdue_referral_and_filters(self):
        self.sign_in(self.ivy)
        page = self.page
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Intake pipeline"
        ).click()
        page.get_by_role("heading", name="Intake pipeline", exact=True).wait_for()
        overdue = page.locator("tr.overdue")
        self.assertEqual(overdue.count(), 1)
        self.assertIn("Marisol Vega", overdue.inner_text())
        self.assertIn("Overdue", overdue.inner_text())
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("intake-pipeline")
        page.get_by_label("Referral source").select_option("self")
        page.get_by_role("button", name="Show referrals").click()
        page.wait_for_url("**source=self**")
        self.assertEqual(page.locator("tr.overdue").count(), 0)
        page.get_by_label("Referral source").select_option("hospital")
        page.get_by_label("Track").select_option(label="Evening DBT")
        page.get_by_role("button", name="Show referrals").click()
        page.wait_for_url("**source=hospital**")
        self.assertEqual(page.locator("tr.overdue").count(), 1)
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("intake-pipeline-filtered")
