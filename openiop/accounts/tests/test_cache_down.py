"""Redis down: sign-in fails closed with a clear word, signed-in people go on (issue 14).

The shared cache is pointed at a port nothing listens on, so every cache call fails at once,
as when the Redis of a multi-node install is down or restarting.
"""

from django.test import override_settings
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.audit.reads import record_read_once
from openiop.testing import PASSWORD, BaseTestCase

REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


class RedisDownTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()  # clears the (working) test cache first
        self.enterContext(override_settings(CACHES=REDIS_DOWN))

    def test_sign_in_is_refused_with_a_clear_message_and_keeps_the_address(self):
        response = self.client.post(
            reverse("account_login"), {"login": self.pat_user.email, "password": PASSWORD}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Signing in is paused for a moment")
        self.assertContains(response, self.pat_user.email)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_signed_in_people_keep_working(self):
        self.login(self.pat_user)
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)
        self.login(self.alvarez)
        self.assertEqual(self.client.get(reverse("participants:caseload")).status_code, 200)

    def test_a_step_that_needs_a_limit_says_to_try_again_and_is_not_done(self):
        response = self.client.post(
            reverse("account_reset_password"), {"email": self.pat_user.email}
        )
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "60")
        self.assertContains(response, "Please try again in a minute", status_code=503)
        self.assertContains(response, "988", status_code=503)  # the crisis footer

    def test_the_staff_code_step_fails_closed(self):
        self.client.post(
            reverse("account_login"), {"login": self.alvarez.email, "password": PASSWORD}
        )
        # Password refused before the code step: nobody reaches a page without the cache.
        self.assertEqual(self.client.get(reverse("participants:caseload")).status_code, 302)

    def test_a_polled_read_is_recorded_every_time_rather_than_lost(self):
        for _ in range(2):
            record_read_once(
                "participant.chart_viewed",
                page_view="page-1",
                subject="s",
                acting_user=self.alvarez,
                participant=self.pat,
            )
        reads = AuditEvent.objects.filter(event_type="participant.chart_viewed")
        self.assertEqual(reads.count(), 2)
