"""The banner on every staff page, the alert page and acknowledgement."""

from datetime import UTC, datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.assessments import actions as assessment_actions
from openiop.assessments.actions import shipped_instrument
from openiop.audit.models import AuditEvent
from openiop.safety import actions
from openiop.safety.models import SafetyAlert
from openiop.testing import BaseTestCase


class SafetyPagesTestCase(BaseTestCase):
    def setUp(self):
        self.alert = actions.raise_alert(
            self.pat,
            kind=SafetyAlert.Kind.CLINICIAN_CONCERN,
            acting_user=self.alvarez,
            concern="Withdrawn in group",
        )

    def test_the_banner_shows_on_staff_pages_for_the_team_and_on_call(self):
        for user in (self.alvarez, self.sam, self.chen):
            self.login(user)
            page = self.client.get(reverse("participants:caseload"))
            self.assertContains(page, "safety-banner-heading", msg_prefix=user.email)
            self.assertContains(page, self.alert.get_absolute_url())

    def test_a_help_request_reads_in_the_clinicians_zone_on_the_banner_and_the_alert(self):
        # 03:08 UTC on 1 December is 10:08 PM on 30 November in New York.
        with time_machine.travel(datetime(2026, 12, 1, 3, 8, tzinfo=UTC), tick=False):
            alert = actions.raise_alert(
                self.quinn,
                kind=SafetyAlert.Kind.HELP_REQUESTED,
                acting_user=self.quinn_user,
                concern='Pressed "I need help" during a video session.',
            )
            self.login(self.chen)
            banner = self.client.get(reverse("participants:caseload"))
            page = self.client.get(alert.get_absolute_url())
        self.assertContains(banner, "since Mon 30 Nov, 10:08 PM EST")
        self.assertContains(page, "Mon 30 Nov 2026, 10:08 PM EST")
        self.assertNotContains(page, "3:08 AM")

    def test_the_banner_is_not_shown_to_others(self):
        for user in (self.ivy, self.dana):
            self.login(user)
            page = self.client.get(reverse("participants:caseload"))
            self.assertNotContains(page, "safety-banner-heading")
        self.login(self.pat_user)
        self.assertNotContains(self.client.get(reverse("home")), "safety-banner-heading")

    def test_acknowledging_needs_an_action_and_a_note(self):
        self.login(self.chen)
        url = reverse("safety:acknowledge", args=[self.alert.code])
        response = self.client.post(url, {"action": "contacted"})
        self.assertEqual(response.status_code, 400)
        self.alert.refresh_from_db()
        self.assertTrue(self.alert.is_open)

    def test_acknowledging_clears_the_banner_and_is_audited(self):
        self.login(self.chen)
        url = reverse("safety:acknowledge", args=[self.alert.code])
        response = self.client.post(
            url, {"action": "contacted", "note": "Called; safe, plan reviewed."}
        )
        self.assertRedirects(response, self.alert.get_absolute_url())
        page = self.client.get(reverse("participants:caseload"))
        self.assertNotContains(page, "safety-banner-heading")
        self.assertTrue(
            AuditEvent.objects.filter(event_type="safety.alert_acknowledged", actor=self.chen)
        )
        again = self.client.post(url, {"action": "other", "note": "x"}, follow=True)
        self.assertContains(again, "acknowledged this alert already")

    def test_read_only_members_see_the_alert_but_cannot_acknowledge(self):
        self.login(self.sam)
        page = self.client.get(self.alert.get_absolute_url())
        self.assertContains(page, "Withdrawn in group")
        self.assertNotContains(page, "Acknowledge the alert")
        url = reverse("safety:acknowledge", args=[self.alert.code])
        self.assertEqual(self.client.post(url, {"action": "other", "note": "x"}).status_code, 403)

    def test_the_alert_page_shows_an_asq_acute_positive(self):
        asq = shipped_instrument("asq")
        assignment = assessment_actions.assign_instrument(self.pat, asq, acting_user=self.alvarez)
        answers = {"1": "yes", "2": "no", "3": "no", "4": "no", "5": "yes"}
        assessment_actions.answer(
            assignment,
            answers,
            intent=assessment_actions.Intent.SUBMIT,
            acting_user=self.pat_user,
            source="participant",
        )
        alert = SafetyAlert.objects.get(kind=SafetyAlert.Kind.CRITICAL_ITEM)
        self.login(self.alvarez)
        page = self.client.get(alert.get_absolute_url())
        self.assertContains(page, "Acute positive: imminent risk")

    def test_a_clinician_raises_a_concern_from_the_chart(self):
        self.login(self.alvarez)
        url = reverse("safety:raise_concern", args=[self.pat.code])
        self.client.post(url, {"concern": "Gave away belongings"})
        self.alert.refresh_from_db()
        self.assertEqual(self.alert.trigger_count, 2)

    def test_the_alerts_page_queries_stay_constant(self):
        self.login(self.chen)
        url = reverse("safety:alerts")
        self.client.get(url)
        with CaptureQueriesContext(connection) as one:
            self.client.get(url)
        actions.raise_alert(
            self.quinn, kind=SafetyAlert.Kind.CLINICIAN_CONCERN, acting_user=self.chen
        )
        with CaptureQueriesContext(connection) as two:
            page = self.client.get(url)
        self.assertContains(page, "Quinn M.")
        self.assertEqual(len(two), len(one))


class HelpRequestWordingTestCase(BaseTestCase):
    def test_a_help_request_reads_as_the_participants_own_signal(self):
        from openiop.safety.actions import raise_alert
        from openiop.safety.models import AlertTrigger, SafetyAlert

        alert = raise_alert(
            self.pat,
            kind=SafetyAlert.Kind.HELP_REQUESTED,
            signal=AlertTrigger.Signal.HELP_REQUESTED,
            acting_user=self.pat_user,
            concern='Pressed "I need help" during a video session.',
        )
        self.login(self.alvarez)
        page = self.client.get(reverse("safety:alert", args=[alert.code]))
        self.assertContains(page, "in a video session")
        self.assertNotContains(page, "concern raised by")
