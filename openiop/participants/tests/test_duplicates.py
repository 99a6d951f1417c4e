"""Adding a chart whose details match an existing one asks first (docs/intake.md)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openiop.audit.models import AuditEvent
from openiop.participants.models import DuplicateDecision, Participant
from openiop.participants.tests.test_chart import chart_header
from openiop.programs.models import Program
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


class ReviewListTestCase(BaseTestCase):
    def decide(self, compared, chart):
        return DuplicateDecision.objects.create(
            context="referral",
            compared=compared,
            chart=chart,
            rules=["phone"],
            decision="different_person",
            reason="shared_contact",
            decided_by=self.ivy,
            decided_at=timezone.now(),
        )

    def test_directors_see_different_person_decisions_of_their_programs(self):
        self.decide(self.pat, self.quinn)
        self.login(self.dana)
        response = self.client.get(reverse("participants:duplicate_decisions"))
        self.assertContains(response, "Patricia Lindqvist")
        self.assertContains(response, "Quinn Marlowe")
        self.assertContains(response, "A relative or housemate who shares the phone or email")
        self.assertContains(response, "phone number")

    def test_a_chart_in_another_program_is_not_named(self):
        other = Program.objects.create(name="Elsewhere IOP")
        stranger = Participant.objects.create(
            program=other,
            given_name="Stranger",
            family_name="Person",
            date_of_birth=self.pat.date_of_birth,
            home_state="NY",
        )
        self.decide(stranger, self.pat)
        self.login(self.ivy)
        response = self.client.get(reverse("participants:duplicate_decisions"))
        self.assertContains(response, "A chart you cannot open")
        self.assertNotContains(response, "Stranger")

    def test_the_list_costs_the_same_queries_however_long(self):
        self.login(self.dana)
        url = reverse("participants:duplicate_decisions")
        self.decide(self.pat, self.quinn)
        first = _queries(self, url)
        for _ in range(5):
            self.decide(self.quinn, self.pat)
        self.assertEqual(_queries(self, url), first)


def _queries(case, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        case.client.get(url)
    return len(captured)
