"""The on-call clinician opens an emergency alert and has what they need to act, in a browser."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from openiop.participants.models import Participant
from openiop.safety import actions
from openiop.safety.models import AlertTrigger, SafetyAlert
from openiop.telehealth.models import Attendance
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

# Tuesday 10 March 2026, 9 PM in New York (after hours); the clock ticks for TOTP.
EVENING = datetime(2026, 3, 11, 1, tzinfo=UTC)


class EmergencyDetailsBrowserTestCase(BrowserTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(EVENING, tick=True))
        super().setUp()
        Participant.objects.filter(pk=self.pat.pk).update(
            emergency_contact_name="Robin Lindqvist",
            emergency_contact_relationship="Sister",
            emergency_contact_phone="+15555550142",
        )
        at = timezone.now() - timedelta(minutes=20)
        Attendance.objects.create(
            session_code=uuid.uuid4(),
            participant=self.pat,
            location="12 Elm St, Brooklyn",
            location_state="NY",
            callback_phone="+15555550177",
            private_place=True,
            location_confirmed_at=at,
            waiting_since=at,
        )
        self.alert = actions.raise_alert(
            self.pat,
            kind=SafetyAlert.Kind.HELP_REQUESTED,
            signal=AlertTrigger.Signal.HELP_REQUESTED,
            rule="help_requested",
            acting_user=self.pat_user,
            concern='Pressed "I need help" during a video session.',
        )

    def test_the_on_call_clinician_sees_phone_location_and_contact_on_the_alert(self):
        self.sign_in(self.chen)
        page = self.page
        page.goto(self.url("/participants/"))
        banner = page.get_by_role("alert")
        banner.get_by_text("1 safety alert to acknowledge").wait_for()
        banner.get_by_role("link", name="Emergency Pat L.", exact=False).click()
        panel = page.get_by_role("region", name="Emergency details")
        panel.wait_for()
        panel.get_by_role("link", name="Call Patricia Lindqvist", exact=False).wait_for()
        panel.get_by_text("12 Elm St, Brooklyn").wait_for()
        panel.get_by_role("link", name="Call the emergency contact", exact=False).wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("emergency-details-on-call")
        page.set_viewport_size({"width": 390, "height": 844})
        self.screenshot("emergency-details-on-call-phone")
