"""A guest in a real session: Dr. Alvarez invites an interpreter, who consents, waits, is let
in, and appears to the clinician as "Maria (interpreter)". Real Janus, real Chromium, real media
(the lab of test_video_pages.py)."""

from __future__ import annotations

import time

import pytest

from openiop.audit.models import AuditEvent
from openiop.telehealth.models import Feed, GuestInvite
from openiop.testing import serious_violations

from .helpers import make_appointment
from .test_video_pages import VideoPagesTestCase, wait_for_media

pytestmark = [pytest.mark.janus, pytest.mark.browser]


class GuestLiveTests(VideoPagesTestCase):
    def test_an_interpreter_joins_by_link_and_is_named_with_their_role(self):
        session = make_appointment(self, self.alvarez, self.pat)
        alvarez = self.facilitator_opens_room(session, self.alvarez)

        # The clinician invites Maria from the room page, without leaving the call.
        panel = alvarez.locator("#guest-invites")
        panel.get_by_label("Interpreter").check()
        panel.get_by_label("Their first name").fill("Maria")
        panel.get_by_role("button", name="Create the link").click()
        link_box = alvarez.get_by_label("Link for Maria (interpreter)")
        link_box.wait_for(timeout=10_000)
        link = link_box.input_value()
        self.page = alvarez
        self.screenshot("guest-invite-created")

        # Maria opens the link in her own browser: no account, a short consent first.
        context = self.browser.new_context(viewport=self.viewport)
        guest = context.new_page()
        guest.goto(link)
        guest.get_by_role("heading", name="You are invited to a video session").wait_for()
        self.page = guest
        self.screenshot("guest-consent")
        self.assertEqual(serious_violations(guest), [])
        guest.get_by_label("I agree").check()
        guest.get_by_role("button", name="Continue to the waiting room").click()
        guest.wait_for_url("**/waiting/")
        self.screenshot("guest-waiting")
        self.assertEqual(serious_violations(guest), [])

        # The clinician lets her in from the people panel, like a participant.
        admit = alvarez.get_by_role("button", name="Admit Maria (interpreter)")
        admit.wait_for(timeout=15_000)
        admit.click()
        guest.wait_for_url("**/room/", timeout=20_000)
        results = wait_for_media([alvarez, guest], feeds=1, timeout=60)
        for r in results:
            self.assertEqual(r["errors"], [])
            self.assertGreater(r["framesDecoded"], 0)
            self.assertGreater(r["audioBytes"], 0)
        caption = alvarez.locator("#remote-grid figcaption")
        deadline = time.monotonic() + 15
        while caption.inner_text() != "Maria (interpreter)":
            self.assertLess(time.monotonic(), deadline, caption.inner_text())
            time.sleep(0.25)
        self.assertEqual(guest.locator("#remote-grid figcaption").inner_text(), "Rosa A.")
        # The guest's page has no people panel, no crisis card, no chart details.
        self.assertEqual(guest.locator("#waiting-list").count(), 0)
        self.assertNotIn("Lindqvist", guest.content())
        self.screenshot("guest-in-session")
        self.page = alvarez
        self.screenshot("guest-in-session-clinician")
        # Checked once someone is in the room (an empty video grid is flagged on its own).
        self.assertEqual(serious_violations(alvarez), [])
        self.assertEqual(serious_violations(guest), [])

        invite = GuestInvite.objects.get()
        self.assertTrue(Feed.objects.filter(guest=invite).exists())
        guest.get_by_role("button", name="Leave").click()
        guest.wait_for_url("**/waiting/?left=1")
        kinds = set(
            AuditEvent.objects.filter(target_id=str(invite.code)).values_list(
                "event_type", flat=True
            )
        )
        self.assertLessEqual(
            {
                "telehealth.guest_invited",
                "telehealth.guest_consented",
                "telehealth.guest_admitted",
                "telehealth.guest_joined",
                "telehealth.guest_left",
            },
            kinds,
        )
        context.close()
