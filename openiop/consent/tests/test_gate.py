"""The first-session gate: the home page and the video pre-join page name the missing consents,
each linked to its sign page; the join POST is refused and no ticket is issued without them."""

import json

from django.urls import reverse

from openiop.consent.models import Consent
from openiop.consent.tests.helpers import sign_required
from openiop.telehealth.models import Attendance
from openiop.telehealth.tests.helpers import make_appointment
from openiop.testing import BaseTestCase

SIGN = "consent:sign"


class HomeNoticeTests(BaseTestCase):
    def test_the_home_page_names_the_missing_consents(self):
        self.login(self.pat_user)
        response = self.client.get(reverse("home"))
        self.assertContains(response, "Sign your consent forms before your first session")
        self.assertContains(response, reverse(SIGN, args=["group_confidentiality"]))
        sign_required(self.pat)
        response = self.client.get(reverse("home"))
        self.assertNotContains(response, "Sign your consent forms before your first session")
        self.assertContains(response, reverse("consent:mine"))


class VideoGateTests(BaseTestCase):
    """The pre-join page names missing consents; the join POST is refused without them."""

    def setUp(self):
        super().setUp()
        self.session = make_appointment(self, self.chen, self.quinn)
        Consent.objects.filter(participant=self.quinn, kind="recording").delete()
        self.url = reverse("telehealth:join", args=[self.session.code])
        self.login(self.quinn_user)

    def location(self):
        return {
            "location": "Home, 1 Synthetic Street",
            "location_state": "NY",
            "callback_phone": "+15555550123",
            "private_place": "yes",
        }

    def test_the_pre_join_page_links_each_missing_consent(self):
        response = self.client.get(self.url)
        self.assertContains(response, "Sign your consent forms first")
        self.assertContains(response, reverse(SIGN, args=["recording"]))
        self.assertNotContains(response, reverse(SIGN, args=["treatment"]))
        self.assertNotContains(response, "Go to the waiting room")

    def test_the_join_post_is_refused_and_no_ticket_is_issued(self):
        response = self.client.post(self.url, self.location())
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Attendance.objects.filter(participant=self.quinn).exists())
        ticket = self.client.post(reverse("telehealth:ticket", args=[self.session.code]))
        self.assertEqual(ticket.status_code, 403)
        self.assertNotIn("token", json.loads(ticket.content))

    def test_once_signed_the_participant_goes_to_the_waiting_room(self):
        sign_required(self.quinn)
        response = self.client.post(self.url, self.location())
        self.assertRedirects(
            response,
            reverse("telehealth:waiting", args=[self.session.code]),
            fetch_redirect_response=False,
        )
