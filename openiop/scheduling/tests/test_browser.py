from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from openiop.lib.hours import week_start
from openiop.lib.recurrence import get_zone
from openiop.lib.timefmt import clock
from openiop.programs.models import Group, GroupFacilitator, Track, TrackBlock
from openiop.scheduling.models import Booking
from openiop.testing import BrowserTestCase, serious_violations

pytestmark = pytest.mark.browser

# Tuesday 8 December 2026, 9:00 in New York and 7:00 in Phoenix: the same week in both zones,
# with evening sessions still to come. On a Sunday evening in Phoenix the participant's week
# has none left, so the test fixes the day; the clock ticks on for TOTP and the live server.
TUESDAY_MORNING = datetime(2026, 12, 8, 9, tzinfo=ZoneInfo("America/New_York"))


class AdmitThenMyWeekTestCase(BrowserTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(TUESDAY_MORNING, tick=True))
        super().setUp()
        # A daily evening group, so the current week has a session left to start in.
        today = timezone.now().astimezone(get_zone(self.program.timezone)).date()
        track = Track.objects.create(
            program=self.program, name="Evening skills", starts_on=week_start(today)
        )
        TrackBlock.objects.create(
            track=track,
            rule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU",
            starts_at=time(18),
            ends_at=time(21),
        )
        self.group = Group.objects.create(
            track=track, name="Evening skills A", curriculum_starts_on=week_start(today)
        )
        GroupFacilitator.objects.create(
            group=self.group, clinician=self.alvarez, role=GroupFacilitator.Role.LEAD
        )
        self.pat.timezone = "America/Phoenix"
        self.pat.save()

    def test_a_director_admits_a_participant_who_then_sees_their_week(self):
        page = self.page
        self.sign_in(self.dana)
        page.get_by_role("link", name="Schedule").click()
        page.get_by_role("link", name="Adult Mental Health IOP", exact=True).click()
        page.get_by_role("heading", name="week of").wait_for()
        self.assertEqual(serious_violations(page), [])
        page.get_by_role("link", name="Evening skills A").click()
        page.get_by_role("link", name="Admit a participant").click()
        page.get_by_label("Participant").select_option(
            label="Patricia (Pat) Lindqvist (born 1990-04-02)"
        )
        self.assertEqual(serious_violations(page), [])
        page.get_by_role("button", name="Admit").click()
        page.get_by_text("Admitted: the participant's schedule is ready.").wait_for()
        self.assertIn("Pat L.", page.content())
        self.assertTrue(
            page.get_by_role("button", name="Remove Pat L. from this group").is_visible()
        )
        self.assertEqual(serious_violations(page), [])
        self.screenshot("scheduling-roster-after-admission")

        first = (
            Booking.objects.filter(participant=self.pat, session__starts_at__gt=timezone.now())
            .select_related("session")
            .order_by("session__starts_at")
            .first()
        )
        assert first is not None
        phoenix = first.session.starts_at.astimezone(get_zone("America/Phoenix"))

        self.context.close()
        self.context = self.browser.new_context(viewport={"width": 390, "height": 844})
        self.page = page = self.context.new_page()
        self.sign_in(self.pat_user)
        page.get_by_role("link", name="My week").first.click()
        page.get_by_role("heading", name="My week").wait_for()
        table = page.get_by_role("table")
        self.assertIn("America/Phoenix", page.content())
        self.assertIn(clock(phoenix), table.inner_text())
        # A group session reads as its group's name (the portal's My week).
        self.assertIn("Evening skills A", table.inner_text())
        self.assertEqual(serious_violations(page), [])
        self.screenshot("scheduling-my-week-phone")
        # 18:00 in New York is never 18:00 in Phoenix: the page converts, it does not copy.
        self.assertNotEqual(phoenix.hour, 18)
