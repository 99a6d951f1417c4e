"""A director opens the program outcomes dashboard in Chromium, filters it by group with the
keyboard, and finds no serious accessibility issue (axe-core); screenshot
test-artifacts/dashboard.png."""

import importlib
from datetime import timedelta

import pytest
from django.utils import timezone

from openiop.assessments.models import ChangeRule
from openiop.outcomes.tests.dashboard_rows import book, score, session, stay, track_and_group
from openiop.participants.models import CareTeamMember
from openiop.testing import BrowserTestCase, serious_violations

pytestmark = pytest.mark.browser


class DashboardInTheBrowser(BrowserTestCase):
    def make_cohort(self) -> None:
        # A live-server test flushes the tables between tests, the change rules that a data
        # migration seeds included: put the shipped defaults back.
        seeded = importlib.import_module("openiop.assessments.migrations.0005_change_rules")
        for rule in seeded.DEFAULT_RULES:
            ChangeRule.objects.get_or_create(
                instrument_key=rule["instrument_key"], score_id="total", version=1, defaults=rule
            )
        now = timezone.now()
        today = now.date()
        self.evening = track_and_group(self.program, "Evening DBT", "Evening A")
        self.morning = track_and_group(self.program, "Morning skills", "Morning B")
        for n, (group, baseline, final) in enumerate(
            [(self.evening, 18, 6), (self.evening, 12, 4), (self.morning, 9, 16)]
        ):
            person = self.make_participant(f"b{n}@example.org", f"B{n}", "Cohort", "")
            CareTeamMember.objects.create(
                participant=person,
                clinician=self.alvarez,
                role=CareTeamMember.Role.PRIMARY_CLINICIAN,
            )
            admitted = now - timedelta(days=50)
            stay(
                person,
                group=group,
                admitted_at=admitted,
                by=self.dana,
                discharged_on=today - timedelta(days=5),
            )
            score(person, "phq-9", baseline, admitted + timedelta(hours=1))
            score(person, "phq-9", final, now - timedelta(days=7))
            held = session(group, today - timedelta(days=14 + n), (now.replace(hour=9)).time())
            book(held, person, "present", 180)

    def test_director_reads_and_filters_the_dashboard(self):
        self.make_cohort()
        page = self.page
        page.set_default_timeout(20_000)
        self.sign_in(self.dana)
        page.get_by_role("link", name="Program outcomes").click()
        page.get_by_role("heading", name="Program outcomes: Adult Mental Health IOP").wait_for()
        text = page.locator("main").inner_text()
        self.assertIn("2 of 3 discharged with two or more PHQ-9 scores", text)
        self.assertIn("1 of 2 discharged with a baseline PHQ-9 ≥ 10", text)
        self.assertEqual(serious_violations(page), [])
        self.screenshot("dashboard")

        # Keyboard only: choose group B and submit.
        page.get_by_label("Group", exact=True).focus()
        page.get_by_label("Group", exact=True).select_option(label="Morning B (Morning skills)")
        page.get_by_role("button", name="Show figures").focus()
        page.keyboard.press("Enter")
        page.get_by_text("group Morning B").wait_for()
        text = page.locator("main").inner_text()
        self.assertIn("0 of 1 discharged with two or more PHQ-9 scores", text)
        self.assertEqual(serious_violations(page), [])
        self.screenshot("dashboard-filtered")
