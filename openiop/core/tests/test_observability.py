"""Liveness, readiness, Prometheus metrics and request ids in the logs (docs/observability.md)."""

import json
import logging
from datetime import UTC, datetime, timedelta

import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openiop.lib.logredact import RedactContactDetails
from openiop.lib.requestids import JsonFormatter, RequestIdFilter
from openiop.safety.models import Acuity, SafetyAlert
from openiop.testing import BaseTestCase

TOKEN = "scrape-token-for-tests-only"
BROKEN_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        # Nothing listens on port 1: every cache call fails at once.
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


class Lines(logging.Handler):
    """A handler set up as settings.LOGGING's console one, keeping what it would print."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.addFilter(RedactContactDetails())
        self.addFilter(RequestIdFilter())
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


class HealthTests(BaseTestCase):
    def test_liveness_and_readiness_answer_without_signing_in(self):
        self.assertEqual(self.client.get(reverse("core:live")).content, b"ok")
        response = self.client.get(reverse("core:ready"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(), {"status": "ready", "checks": {"database": "ok", "cache": "ok"}}
        )

    @override_settings(CACHES=BROKEN_CACHE)
    def test_a_node_whose_cache_is_down_is_not_ready_and_says_which_part(self):
        response = self.client.get(reverse("core:ready"))
        self.assertEqual(response.status_code, 503)
        body = response.json()
        self.assertEqual(body["checks"]["database"], "ok")
        self.assertTrue(body["checks"]["cache"].startswith("failed: "), body)
        # The error's class only: no host, port or password.
        self.assertNotIn("127.0.0.1", response.content.decode())


# "Late" and "stuck" compare with now: a fixed Tuesday afternoon in New York.
@time_machine.travel(datetime(2026, 12, 8, 19, 0, tzinfo=UTC), tick=False)
@override_settings(OPENIOP_METRICS_TOKEN=TOKEN)
class MetricsTests(BaseTestCase):
    def scrape(self, token: str = TOKEN) -> str:
        response = self.client.get(reverse("core:metrics"), HTTP_AUTHORIZATION=f"Bearer {token}")
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_only_the_scraper_with_the_token_sees_them(self):
        self.assertEqual(self.client.get(reverse("core:metrics")).status_code, 404)
        response = self.client.get(
            reverse("core:metrics"), HTTP_AUTHORIZATION="Bearer not-the-token"
        )
        self.assertEqual(response.status_code, 404)
        self.login(self.dana)  # a director is no scraper either
        self.assertEqual(self.client.get(reverse("core:metrics")).status_code, 404)

    @override_settings(OPENIOP_METRICS_TOKEN="")
    def test_without_a_token_configured_there_are_no_metrics(self):
        response = self.client.get(reverse("core:metrics"), HTTP_AUTHORIZATION="Bearer ")
        self.assertEqual(response.status_code, 404)

    def test_open_alerts_by_acuity_and_late_steps_are_counted_without_names(self):
        now = timezone.now()
        for participant, kind, acuity, due in (
            (self.pat, SafetyAlert.Kind.CRITICAL_ITEM, Acuity.HIGH, now - timedelta(minutes=5)),
            (self.pat, SafetyAlert.Kind.HELP_REQUESTED, Acuity.HIGH, now + timedelta(hours=1)),
            (self.quinn, SafetyAlert.Kind.DETERIORATION, Acuity.ELEVATED, None),
        ):
            SafetyAlert.objects.create(
                participant=participant,
                kind=kind,
                acuity=acuity,
                opened_at=now,
                last_triggered_at=now,
                acknowledge_by=due,
            )
        text = self.scrape()
        self.assertIn('openiop_safety_alerts_open{acuity="high"} 2.0', text)
        self.assertIn('openiop_safety_alerts_open{acuity="elevated"} 1.0', text)
        self.assertIn('openiop_safety_alerts_open{acuity="emergency"} 0.0', text)
        self.assertIn("openiop_escalation_steps_late 1.0", text)
        self.assertIn("openiop_task_backlog ", text)
        self.assertIn("openiop_reminders_unsent 0.0", text)
        # django-prometheus's own request metrics come with them.
        self.assertIn("django_http_requests_total_by_method_total", text)
        for name in ("Lindqvist", "Patricia", str(self.pat.code)):
            self.assertNotIn(name, text)

    def test_a_scrape_costs_the_same_queries_however_many_alerts(self):
        self.scrape()
        with CaptureQueriesContext(connection) as none:
            self.scrape()
        now = timezone.now()
        for participant in (self.pat, self.quinn):
            for kind in SafetyAlert.Kind.values:
                SafetyAlert.objects.create(
                    participant=participant, kind=kind, opened_at=now, last_triggered_at=now
                )
        with CaptureQueriesContext(connection) as ten:
            self.scrape()
        self.assertEqual(len(ten), len(none))
        self.assertLessEqual(len(none), 8)


class RequestIdTests(BaseTestCase):
    def test_every_response_carries_an_id_and_keeps_a_sane_one_from_the_proxy(self):
        first = self.client.get(reverse("core:live"))["X-Request-ID"]
        second = self.client.get(reverse("core:live"))["X-Request-ID"]
        self.assertRegex(first, r"^[0-9a-f]{32}$")
        self.assertNotEqual(first, second)
        kept = self.client.get(reverse("core:live"), HTTP_X_REQUEST_ID="haproxy-0a1b2c3d")
        self.assertEqual(kept["X-Request-ID"], "haproxy-0a1b2c3d")
        # A value that could forge a log line or flood it is replaced.
        for forged in ("abc\ndef 200 OK", "x" * 200, "short"):
            replaced = self.client.get(reverse("core:live"), HTTP_X_REQUEST_ID=forged)
            self.assertRegex(replaced["X-Request-ID"], r"^[0-9a-f]{32}$")

    def test_log_lines_are_json_with_the_request_id_and_no_contact_details(self):
        handler = Lines()
        logger = logging.getLogger("django.request")
        logger.addHandler(handler)
        self.addCleanup(logger.removeHandler, handler)
        self.client.get("/no-such-page/pat@example.org/", HTTP_X_REQUEST_ID="req-12345678")
        entry = json.loads(handler.lines[-1])
        self.assertEqual(entry["request_id"], "req-12345678")
        self.assertEqual(entry["level"], "WARNING")
        self.assertIn("Not Found:", entry["message"])
        self.assertIn("[email]", entry["message"])
        self.assertNotIn("pat@example.org", handler.lines[-1])
