"""Adding a chart whose details match an existing one asks first (docs/intake.md)."""

from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.participants.models import DuplicateDecision, Participant
from openiop.participants.tests.test_chart import chart_header
from openiop.testing import BaseTestCase


class NewChartDuplicateTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.login(self.ivy)
        self.url = reverse("participants:new")
        # Pat's name and birth date, typed with other capitals and accents and a new phone.
        self.form = {
            **chart_header(
                given_name="PATRÍCIA",
                family_name=" lindqvist",
                preferred_name="",
                phone="+15555550142",
                email="",
            ),
            "program": self.program.pk,
        }

    def test_it_asks_before_adding_a_chart_that_matches(self):
        charts = Participant.objects.count()
        response = self.client.post(self.url, self.form)
        self.assertContains(response, "Is this someone who already has a chart?", status_code=409)
        self.assertContains(response, 'value="PATRÍCIA"', status_code=409)
        self.assertEqual(Participant.objects.count(), charts)

    def test_the_same_person_opens_the_existing_chart(self):
        charts = Participant.objects.count()
        response = self.client.post(
            self.url,
            {**self.form, "duplicate-choice": f"same:{self.pat.code}", "duplicate-hidden": "0"},
        )
        self.assertRedirects(response, self.pat.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(Participant.objects.count(), charts)
        decision = DuplicateDecision.objects.get()
        self.assertEqual((decision.context, decision.decision), ("new_chart", "same_person"))

    def test_a_different_person_is_added_with_the_reason_recorded(self):
        response = self.client.post(
            self.url,
            {
                **self.form,
                "duplicate-choice": "different",
                "duplicate-reason": "checked_details",
                "duplicate-compared": str(self.pat.code),
                "duplicate-hidden": "0",
            },
        )
        chart = Participant.objects.get(given_name="PATRÍCIA")
        self.assertRedirects(response, chart.get_absolute_url(), fetch_redirect_response=False)
        decision = DuplicateDecision.objects.get()
        self.assertEqual((decision.compared, decision.chart), (self.pat, chart))
        self.assertTrue(AuditEvent.objects.filter(event_type="participant.created").exists())
