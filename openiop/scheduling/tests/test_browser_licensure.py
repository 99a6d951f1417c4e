from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from openiop.lib.hours import week_start
from openiop.lib.recurrence import get_zone
from openiop.participants.models import Participant
from openiop.programs.models import Group, GroupFacilitator, Track, TrackBlock
from openiop.scheduling.models import Enrollment
from openiop.testing import BrowserTestCase, serious_violations

pytestmark = pytest.mark.browser

TUESDAY_MORNING = datetime(2026, 12, 8, 9, tzinfo=ZoneInfo("America/New_York"))


class LicensureAtSeatingBrowserTestCase(BrowserTestCase):
    """Evening skills A is led by Dr. Chen (New York only), B by Dr. Alvarez (New York and
    New Jersey). Pat lives in New Jersey."""

    def setUp(self):
        self.enterContext(time_machine.travel(TUESDAY_MORNING, tick=True))
        super().setUp()
        today = timezone.now().astimezone(get_zone(self.program.timezone)).date()
        track = Track.objects.create(
            program=self.program, name="Evening skills", starts_on=week_start(today)
        )
        TrackBlock.objects.create(
            track=track,
            rule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            starts_at=time(18),
            ends_at=time(21),
        )
        self.groups = {}
        for name, lead in (("Evening skills A", self.chen), ("Evening skills B", self.alvarez)):
            group = Group.objects.create(
                track=track, name=name, curriculum_starts_on=week_start(today)
            )
            GroupFacilitator.objects.create(
                group=group, clinician=lead, role=GroupFacilitator.Role.LEAD
            )
            self.groups[name] = group
        Participant.objects.filter(pk=self.pat.pk).update(home_state="NJ")

    def test_an_unlicensed_placement_is_refused_with_groups_that_fit(self):
        page = self.page
        self.sign_in(self.ivy)
        page.goto(
            self.url(reverse("scheduling:admit", args=[self.groups["Evening skills A"].code]))
        )
        page.get_by_role("heading", name="Admit to Evening skills A").wait_for()
        page.get_by_label("Participant").select_option(
            label="Patricia (Pat) Lindqvist (born 1990-04-02)"
        )
        page.get_by_role("button", name="Admit").click()
        page.get_by_text(
            "None of Evening skills A's facilitators is licensed in New Jersey"
        ).wait_for()
        page.get_by_role("heading", name="Groups that fit").wait_for()
        self.assertEqual(serious_violations(page), [])
        self.screenshot("scheduling-admit-licensure-refused")
        self.assertFalse(Enrollment.objects.filter(participant=self.pat).exists())

        page.get_by_role("link", name="Admit to Evening skills B").click()
        page.get_by_role("heading", name="Admit to Evening skills B").wait_for()
        self.assertEqual(serious_violations(page), [])
        page.get_by_role("button", name="Admit").click()
        page.get_by_text("Admitted: the participant's schedule is ready.").wait_for()
        self.screenshot("scheduling-admit-licensure-fitting-group")
        enrollment = Enrollment.objects.get(participant=self.pat)
        self.assertEqual(enrollment.group, self.groups["Evening skills B"])
