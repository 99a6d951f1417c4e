"""Requests for a copy of the record by others (45 CFR 164.524: 30 days, one extension)."""

from datetime import UTC, date, datetime
from typing import Any

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.consent.access_requests import actions
from openiop.consent.models import AccessRequest, Disclosure
from openiop.notes.tests.helpers import signed_note
from openiop.participants.models import Participant
from openiop.testing import BaseTestCase

# 23:30 on Tuesday 31 March in New York is already 1 April in UTC.
LATE_EVENING = datetime(2026, 4, 1, 3, 30, tzinfo=UTC)


class AccessRequestTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        signed_note(cls.pat, cls.alvarez, started_at=datetime(2026, 3, 2, 15, tzinfo=UTC))

    def new(self, participant=None, **fields) -> AccessRequest:
        values: dict[str, Any] = {
            "requester_name": "Jordan Avery, Avery Law",
            "requester_kind": "attorney",
            "received_on": date(2026, 3, 31),
            "format": "pdf",
            "delivery": "secure_email",
        }
        values.update(fields)
        return actions.create_request(participant or self.pat, acting_user=self.ivy, **values)

    @time_machine.travel(LATE_EVENING, tick=False)
    def test_a_request_logged_late_in_the_evening_counts_from_the_programs_day(self):
        self.login(self.ivy)
        url = reverse("access_requests:new", args=[self.pat.code])
        form = self.client.get(url)
        self.assertContains(form, 'value="2026-03-31"')
        response = self.client.post(
            url,
            {
                "requester_name": "Morgan Lee",
                "requester_kind": "representative",
                "received_on": "2026-03-31",
                "format": "both",
                "delivery": "mail",
            },
        )
        request = AccessRequest.objects.get()
        self.assertRedirects(response, reverse("access_requests:detail", args=[request.code]))
        self.assertEqual(request.due_on, date(2026, 4, 30))
        self.assertEqual(request.status, "received")
        event = AuditEvent.objects.get(event_type="consent.access_request_received")
        self.assertEqual(
            event.details,
            {"kind": "representative", "date": "2026-03-31", "format": "both", "delivery": "mail"},
        )

    @time_machine.travel(LATE_EVENING, tick=False)
    def test_a_future_day_is_refused_and_what_was_typed_is_kept(self):
        self.login(self.ivy)
        response = self.client.post(
            reverse("access_requests:new", args=[self.pat.code]),
            {
                "requester_name": "Morgan Lee",
                "requester_kind": "representative",
                "received_on": "2026-04-01",
                "format": "pdf",
                "delivery": "mail",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "cannot be in the future", status_code=400)
        self.assertContains(response, 'value="Morgan Lee"', status_code=400)
        self.assertFalse(AccessRequest.objects.exists())

    def test_it_extends_once_by_thirty_days_with_a_reason(self):
        request = self.new()
        self.login(self.dana)
        url = reverse("access_requests:extend", args=[request.code])
        self.assertEqual(self.client.post(url, {}).status_code, 400)
        self.client.post(url, {"extend-reason": "records_offsite"})
        request.refresh_from_db()
        self.assertEqual(request.extended_to, date(2026, 5, 30))
        self.assertEqual(request.deadline, date(2026, 5, 30))
        again = self.client.post(url, {"extend-reason": "volume"})
        self.assertEqual(again.status_code, 409)
        self.assertContains(again, "already been extended once", status_code=409)
        request.refresh_from_db()
        self.assertEqual(request.extended_to, date(2026, 5, 30))

    def test_a_denial_needs_a_reason_and_closes_the_request(self):
        request = self.new()
        self.login(self.dana)
        url = reverse("access_requests:deny", args=[request.code])
        self.assertEqual(self.client.post(url, {}).status_code, 400)
        self.client.post(url, {"deny-reason": "psychotherapy_notes"})
        request.refresh_from_db()
        self.assertEqual((request.status, request.denial_reason), ("denied", "psychotherapy_notes"))
        self.assertEqual(
            self.client.post(reverse("access_requests:withdraw", args=[request.code])).status_code,
            409,
        )

    def test_each_step_is_audited_with_codes_only(self):
        request = self.new()
        self.login(self.ivy)
        self.client.post(reverse("access_requests:start", args=[request.code]))
        self.client.post(reverse("access_requests:withdraw", args=[request.code]))
        request.refresh_from_db()
        self.assertEqual(request.status, "withdrawn")
        self.assertEqual(request.handled_by, self.ivy)
        events = AuditEvent.objects.filter(target_id=str(request.code)).order_by("seq")
        self.assertEqual(
            [(e.event_type, e.details.get("status")) for e in events],
            [
                ("consent.access_request_received", None),
                ("consent.access_request_started", "in_progress"),
                ("consent.access_request_withdrawn", "withdrawn"),
            ],
        )
        self.assertNotIn("Avery", str([e.details for e in events]))

    def test_delivery_to_an_attorney_is_a_disclosure_the_individual_directed(self):
        request = self.new(format="both")
        self.login(self.dana)
        self.client.post(reverse("access_requests:deliver", args=[request.code]))
        request.refresh_from_db()
        self.assertEqual(request.status, "fulfilled")
        self.assertIsNotNone(request.delivered_at)
        disclosure = Disclosure.objects.get()
        self.assertEqual(request.disclosure, disclosure)
        self.assertEqual(
            (disclosure.basis, disclosure.recipient_name, disclosure.format, disclosure.purpose),
            ("individual", "Jordan Avery, Avery Law", "pdf_fhir", "personal"),
        )
        self.assertEqual(disclosure.contents["notes"], 1)
        self.assertEqual(disclosure.disclosed_by, self.dana)

    def test_delivery_to_a_personal_representative_says_so(self):
        request = self.new(requester_kind="representative", requester_name="Morgan Lee")
        actions.record_delivery(request, acting_user=self.ivy)
        self.assertEqual(Disclosure.objects.get().basis, "representative")
        with self.assertRaises(actions.InvalidTransition):
            actions.record_delivery(request, acting_user=self.ivy)
        self.assertEqual(Disclosure.objects.count(), 1)

    @time_machine.travel(datetime(2026, 4, 20, 16, tzinfo=UTC), tick=False)
    def test_the_list_shows_open_requests_by_deadline_with_overdue_ones_marked(self):
        overdue = self.new(received_on=date(2026, 3, 10), requester_name="Late Requester")
        soon = self.new(received_on=date(2026, 4, 15), requester_name="Recent Requester")
        closed = self.new(received_on=date(2026, 3, 1), requester_name="Closed Requester")
        actions.withdraw(closed, acting_user=self.dana)
        self.login(self.dana)
        page = self.client.get(reverse("access_requests:list"))
        html = page.content.decode()
        self.assertLess(html.index("Late Requester"), html.index("Recent Requester"))
        self.assertNotIn("Closed Requester", html)
        self.assertIn('class="overdue"', html)
        self.assertIn("Overdue by 11 days", html)  # due 9 April
        self.assertEqual(page.context["rows"][0].code, overdue.code)
        self.assertEqual(page.context["rows"][1].left, 25)
        self.assertEqual(page.context["rows"][1].code, soon.code)

    def test_the_list_makes_the_same_queries_for_1_and_20_rows(self):
        self.new()
        self.login(self.dana)
        with CaptureQueriesContext(connection) as one:
            self.client.get(reverse("access_requests:list"))
        for number in range(19):
            participant = Participant.objects.create(
                program=self.program,
                given_name=f"P{number}",
                family_name="Test",
                date_of_birth=date(1990, 1, 1),
                home_state="NY",
            )
            request = self.new(participant)
            actions.start(request, acting_user=self.ivy)
        with CaptureQueriesContext(connection) as twenty:
            page = self.client.get(reverse("access_requests:list"))
        self.assertEqual(len(page.context["rows"]), 20)
        self.assertEqual(len(twenty), len(one))

    def test_the_request_page_is_one_read_and_hidden_from_outsiders(self):
        request = self.new()
        self.login(self.ivy)
        page = self.client.get(reverse("access_requests:detail", args=[request.code]))
        self.assertContains(page, "Jordan Avery, Avery Law")
        self.assertContains(page, reverse("notes:record_pdf", args=[self.pat.code]))
        self.assertEqual(
            AuditEvent.objects.filter(event_type="consent.access_request_viewed").count(), 1
        )
        for user, status in ((self.alvarez, 403), (self.chen, 404), (self.pat_user, 404)):
            with self.subTest(user=user.email):
                self.login(user)
                response = self.client.get(reverse("access_requests:detail", args=[request.code]))
                self.assertEqual(response.status_code, status)


class AccessRequestDemoTest(BaseTestCase):
    def test_the_demo_has_one_request_due_in_12_days_and_one_overdue(self):
        from openiop.consent.access_requests.demo import load_access_request_demo

        today = date(2026, 4, 20)
        due_soon, overdue = load_access_request_demo(self.program, today=today)
        self.assertEqual(due_soon.days_left(today), 12)
        self.assertEqual(overdue.days_left(today), -5)
        self.assertEqual(overdue.status, "in_progress")
