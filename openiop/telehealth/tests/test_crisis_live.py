"""In-session crisis with a real Janus and real media (docs/safety.md, "In-session crisis").

Pat presses "I need help" in the group; the facilitator's panel shows the crisis card; one
click moves Pat to the private room with the co-facilitator, whose page follows by itself,
while the group goes on. Screenshots: test-artifacts/crisis-room-*.png.
"""

from __future__ import annotations

import time

import pytest

from openiop.participants.models import Participant
from openiop.safety.models import AlertEvent, SafetyAlert
from openiop.testing import serious_violations

from .helpers import make_session
from .test_video_pages import VideoPagesTestCase, media, wait_for_media

pytestmark = [pytest.mark.janus, pytest.mark.browser]


class CrisisRoomTests(VideoPagesTestCase):
    def test_i_need_help_then_one_click_moves_pat_to_a_private_room_with_the_co_facilitator(
        self,
    ):
        Participant.objects.filter(pk=self.pat.pk).update(
            emergency_contact_name="Ana Lindqvist",
            emergency_contact_relationship="sister",
            emergency_contact_phone="+15555550199",
        )
        session = make_session(self, "Evening skills group", [self.alvarez, self.sam], [self.pat])
        alvarez = self.facilitator_opens_room(session, self.alvarez)
        sam = self.facilitator_opens_room(session, self.sam)
        pat = self.participant_waits(session, self.pat_user)
        self.admit(alvarez, "Pat L.")
        pat.wait_for_url("**/room/")
        wait_for_media([alvarez, sam, pat], feeds=2)

        pat.get_by_role("button", name="I need help").click()
        pat.get_by_text("Your facilitator has been told privately").wait_for()
        alvarez.get_by_text('Pat L.: pressed "I need help"').wait_for(timeout=10_000)
        alvarez.get_by_text("Ana Lindqvist (sister)").wait_for()
        self.page = alvarez
        self.screenshot("crisis-room-card")
        self.assertEqual(serious_violations(alvarez), [])

        # One click: Sam (the co-facilitator, chosen by default) goes with Pat.
        alvarez.get_by_role("button", name="Move Pat L. to a private room").click()
        sam.wait_for_url("**/room/?breakout=1", timeout=15_000)
        wait_for_media([sam, pat], feeds=1)
        deadline = time.monotonic() + 10
        while media(alvarez)["feeds"] != 0:
            self.assertLess(time.monotonic(), deadline, "the group still receives Pat and Sam")
            time.sleep(0.25)
        sam.get_by_text("Join the private room").wait_for(timeout=10_000)
        self.page = sam
        self.screenshot("crisis-room-breakout")
        self.assertEqual(serious_violations(sam), [])
        self.page = pat
        self.screenshot("crisis-room-participant")

        alert = SafetyAlert.objects.get(participant=self.pat, status=SafetyAlert.Status.OPEN)
        kinds = set(alert.events.values_list("kind", flat=True))
        self.assertLessEqual(
            {AlertEvent.Kind.HELP_PRESSED, AlertEvent.Kind.MOVED_TO_BREAKOUT}, kinds
        )
