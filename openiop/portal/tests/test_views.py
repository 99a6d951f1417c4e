"""Today, settings and crisis help, through Django's test client."""

from datetime import timedelta

import time_machine
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.consent.models import Consent
from openiop.portal.links import optional_url
from openiop.portal.tests.pages import LATER_TODAY, THURSDAY_NOON, participant_world
from openiop.telehealth.tests.helpers import make_session
from openiop.testing import BaseTestCase


class TodayTestCase(BaseTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(THURSDAY_NOON, tick=False))
        super().setUp()
        self.login(self.pat_user, mfa=False)

    def test_the_next_session_has_its_join_button_once_open(self):
        world = participant_world(self)
        response = self.client.get(reverse("home"))
        self.assertContains(response, "Welcome, <bdi>Pat</bdi>", html=False)
        self.assertContains(response, LATER_TODAY)
        self.assertContains(response, reverse("telehealth:join", args=[world["session"].code]))
        self.assertContains(
            response, reverse("assessments:respond", args=[world["assignment"].code])
        )

    def test_a_session_not_open_yet_says_when_the_way_in_opens(self):
        session = make_session(
            self, "Tomorrow's group", [self.alvarez], [self.pat], starts_in=timedelta(days=1)
        )
        response = self.client.get(reverse("home"))
        self.assertContains(response, "Tomorrow&#x27;s group")
        self.assertContains(response, "The way in opens 15 minutes before the start.")
        self.assertNotContains(response, reverse("telehealth:join", args=[session.code]))

    def test_missing_consents_come_before_the_join_button(self):
        session = make_session(self, "Group", [self.alvarez], [self.pat])
        Consent.objects.filter(participant=self.pat).delete()
        response = self.client.get(reverse("home"))
        self.assertContains(response, "consent forms first")
        self.assertContains(response, 'id="consents-missing-heading"')
        self.assertNotContains(response, reverse("telehealth:join", args=[session.code]))

    def test_no_session_and_no_dead_link_to_progress_before_it_lands(self):
        response = self.client.get(reverse("home"))
        self.assertContains(response, "You have no sessions coming up.")
        progress = optional_url("outcomes:my_progress")
        if progress:
            self.assertContains(response, progress)
        self.assertEqual(optional_url("outcomes:no_such_page"), "")

    def test_crisis_help_is_in_the_header(self):
        response = self.client.get(reverse("home"))
        self.assertContains(response, f'class="crisis-link" href="{reverse("portal:crisis")}"')


class SettingsTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.login(self.pat_user, mfa=False)
        self.url = reverse("portal:settings")

    def test_it_links_reminders_security_and_the_calendar(self):
        response = self.client.get(self.url)
        for name in ("mfa_index", "scheduling:calendar", "scheduling:reminder_preferences"):
            self.assertContains(response, reverse(name))

    def test_a_listed_zone_is_saved_and_audited(self):
        response = self.client.post(self.url, {"zone": "America/Phoenix"})
        self.assertRedirects(response, self.url)
        self.pat.refresh_from_db()
        self.assertEqual(self.pat.timezone, "America/Phoenix")
        event = AuditEvent.objects.filter(event_type="participant.updated").latest("pk")
        self.assertEqual(event.details, {"fields": ["timezone"]})

    def test_a_typed_zone_fourteen_hours_away_is_saved(self):
        self.client.post(self.url, {"zone": "other", "other": "Pacific/Kiritimati"})
        self.pat.refresh_from_db()
        self.assertEqual(self.pat.timezone, "Pacific/Kiritimati")
        # Shown back as the current choice, not lost among "Somewhere else".
        self.assertContains(self.client.get(self.url), 'value="Pacific/Kiritimati" selected')

    def test_a_typed_zone_that_does_not_exist_is_refused(self):
        response = self.client.post(self.url, {"zone": "other", "other": "Mars/Olympus"})
        self.assertEqual(response.status_code, 400)
        self.pat.refresh_from_db()
        self.assertEqual(self.pat.timezone, "America/New_York")

    def test_the_reminder_form_comes_back_to_settings(self):
        response = self.client.post(
            reverse("scheduling:reminder_preferences"), {"sms": "on", "next": self.url}
        )
        self.assertRedirects(response, self.url)
        response = self.client.post(
            reverse("scheduling:reminder_preferences"), {"next": "https://evil.example/"}
        )
        self.assertRedirects(response, reverse("scheduling:my_week"))


class CrisisTestCase(BaseTestCase):
    def test_anyone_signed_out_reaches_the_crisis_lines(self):
        response = self.client.get(reverse("portal:crisis"))
        self.assertContains(response, 'href="tel:988"')
        self.assertContains(response, 'href="sms:988"')
        self.assertContains(response, 'href="tel:911"')
        self.assertNotContains(response, reverse("safety:my_plan"))
