"""The billing pages: setup, a chart's coverage and authorizations, the charges list."""

from datetime import date
from typing import Any
from unittest import mock

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openiop.audit.models import AuditEvent
from openiop.billing import actions
from openiop.billing.models import (
    Authorization,
    BillingAlert,
    BillingProfile,
    Charge,
    ClaimBatch,
    Coverage,
    Payer,
    Plan,
)
from openiop.billing.tests import base
from openiop.careplans.models import Diagnosis
from openiop.consent import part2
from openiop.consent.models import ConsentKind, Disclosure, Purpose
from openiop.consent.tests.helpers import release, sign
from openiop.lib.pdf import render_pdf
from openiop.participants.models import CareTeamMember
from openiop.testing import BaseTestCase, make_user

PAYER = {
    "form": "payer",
    "payer-name": "Acme Health",
    "payer-payer_id": "87726",
    "payer-filing_indicator": "CI",
    "payer-claim_format": "837i",
    "payer-per_diem_rate": "150.00",
    "payer-code_list": "mh 0905 S9480\nsud 0906 H0015",
}


PROFILE = {
    "form": "profile",
    "profile-organization_name": "Harbor Behavioral Health",
    "profile-npi": "1234567893",
    "profile-tax_id": "12-3456789",
    "profile-address": "1 Main St",
    "profile-city": "Albany",
    "profile-state": "NY",
    "profile-postal_code": "12207-0001",
    "profile-contact_name": "Billing Office",
    "profile-contact_phone": "5185550100",
    "profile-submitter_id": "HARBOR01",
    "profile-attending_given_name": "Rosa",
    "profile-attending_family_name": "Alvarez",
    "profile-attending_npi": "1245319599",
    "profile-facility_code": "13",
}


class SetupTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.login(self.dana)
        self.url = reverse("billing:setup", args=[self.program.code])

    def test_a_director_adds_a_payer_and_a_plan(self):
        response = self.client.post(self.url, PAYER)
        self.assertRedirects(response, self.url)
        payer = Payer.objects.get()
        self.assertEqual(
            payer.codes[1], {"service": "sud", "revenue_code": "0906", "hcpcs": "H0015"}
        )
        response = self.client.post(
            self.url, {"form": "plan", "plan-payer": str(payer.code), "plan-name": "Choice PPO"}
        )
        self.assertRedirects(response, self.url)
        self.assertEqual(Plan.objects.get().payer, payer)
        events = AuditEvent.objects.filter(event_type__startswith="billing.").values_list(
            "event_type", flat=True
        )
        self.assertEqual(sorted(events), ["billing.payer_saved", "billing.plan_added"])

    def test_a_code_list_with_a_duplicate_is_refused_and_kept(self):
        data = {**PAYER, "payer-code_list": "mh 0905 S9480\nmh 0906 H0015"}
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Line 2 repeats “mh” (first on line 1)", status_code=400)
        self.assertContains(response, "mh 0906 H0015", status_code=400)  # what was typed
        self.assertFalse(Payer.objects.exists())

    def test_a_director_saves_the_billing_details(self):
        # Accents are folded when the 837 is written, so they are fine here.
        data = {**PROFILE, "profile-attending_family_name": "Núñez-O'Brien"}
        self.assertRedirects(self.client.post(self.url, data), self.url)
        self.assertEqual(BillingProfile.objects.get().attending_family_name, "Núñez-O'Brien")

    def test_billing_details_an_837_cannot_carry_are_refused_on_entry_and_kept(self):
        data = {
            **PROFILE,
            "profile-organization_name": "Harbor*Health",
            "profile-address": "1 Main St ~ Suite 2",
            "profile-city": "Albany: NY",
            "profile-contact_name": "Billing^Office",
            "profile-attending_given_name": "Παναγιώτα",
            "profile-attending_family_name": "Alvarez",
        }
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 400)
        form = response.context["profile_form"]
        self.assertEqual(
            sorted(form.errors),
            [
                "address",
                "attending_given_name",
                "city",
                "contact_name",
                "organization_name",
            ],
        )
        self.assertIn("Claims cannot carry this text", form.errors["organization_name"][0])
        for typed in ("Harbor*Health", "1 Main St ~ Suite 2", "Παναγιώτα"):
            self.assertContains(response, typed, status_code=400)
        self.assertFalse(BillingProfile.objects.exists())

    def test_a_bad_code_is_named(self):
        data = {**PAYER, "payer-code_list": "mh 905 S9480"}
        response = self.client.post(self.url, data)
        self.assertContains(response, "Line 1: a revenue code has four digits", status_code=400)


class ChartTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.plan = base.payer(self.program)
        self.url = reverse("billing:chart", args=[self.pat.code])

    def coverage_data(self, **changes: str) -> dict[str, str]:
        data = {
            "form": "coverage",
            "cov-plan": str(self.plan.code),
            "cov-priority": "P",
            "cov-member_id": "xyz-123",
            "cov-group_number": "G100",
            "cov-relationship": "18",
            "cov-sex": "F",
            "cov-address": "12 Elm St",
            "cov-city": "Troy",
            "cov-state": "NY",
            "cov-postal_code": "12180",
            "cov-starts_on": "2026-01-01",
        }
        return data | changes

    def test_the_intake_coordinator_adds_coverage_and_an_authorization(self):
        self.login(self.ivy)
        self.assertRedirects(self.client.post(self.url, self.coverage_data()), self.url)
        coverage = Coverage.objects.get()
        self.assertEqual(coverage.member_id, "XYZ-123")
        response = self.client.post(
            self.url,
            {
                "form": "authorization",
                "auth-coverage": str(coverage.code),
                "auth-level_of_care": "iop",
                "auth-units_approved": "20",
                "auth-starts_on": "2026-11-01",
                "auth-ends_on": "2026-11-30",
                "auth-reference_number": "AUTH-1",
            },
        )
        self.assertRedirects(response, self.url)
        response = self.client.get(self.url)
        self.assertContains(response, "AUTH-1")
        self.assertContains(response, "Choice PPO")
        events = AuditEvent.objects.filter(event_type__startswith="billing.", participant=self.pat)
        self.assertEqual(
            {e.event_type for e in events},
            {"billing.authorization_added", "billing.coverage_added", "billing.coverage_viewed"},
        )

    def test_coverage_overlapping_one_at_the_same_priority_is_refused_and_kept(self):
        base.coverage(self.pat, self.plan)  # primary from 1 Jan 2026, no end date
        self.login(self.ivy)
        data = self.coverage_data(**{"cov-member_id": "NEW-9", "cov-starts_on": "2026-06-01"})
        response = self.client.post(self.url, data)
        self.assertContains(
            response,
            "This participant already has primary coverage (Acme Health Choice PPO) from "
            "Thu 1 Jan 2026 with no end date, and the dates overlap",
            status_code=400,
        )
        self.assertContains(response, 'value="NEW-9"', status_code=400)
        self.assertEqual(Coverage.objects.count(), 1)

    def test_a_new_primary_may_follow_one_that_ended(self):
        base.coverage(self.pat, self.plan, ends=date(2026, 5, 31))
        self.login(self.ivy)
        data = self.coverage_data(**{"cov-member_id": "NEW-9", "cov-starts_on": "2026-06-01"})
        self.assertRedirects(self.client.post(self.url, data), self.url)
        self.assertEqual(Coverage.objects.filter(priority="P").count(), 2)
        # The authorization form names each coverage with its dates.
        self.assertContains(
            self.client.get(self.url), "Primary: Acme Health Choice PPO, from Mon 1 Jun 2026"
        )

    def test_member_ids_with_unusual_characters_are_refused(self):
        self.login(self.dana)
        for member_id in ("ABC 123", "ABC*123", "ÄBC123", "123~"):
            with self.subTest(member_id=member_id):
                response = self.client.post(
                    self.url, self.coverage_data(**{"cov-member_id": member_id})
                )
                self.assertContains(
                    response, "A member id holds letters, digits and hyphens only", status_code=400
                )
        self.assertFalse(Coverage.objects.exists())

    def test_a_subscriber_name_with_a_delimiter_is_refused(self):
        self.login(self.dana)
        data = self.coverage_data(
            **{
                "cov-relationship": "19",
                "cov-subscriber_given_name": "Mor~gan",
                "cov-subscriber_family_name": "Lindqvist",
            }
        )
        response = self.client.post(self.url, data)
        self.assertContains(response, "no * : ^ ~", status_code=400)

    def test_an_authorization_ending_before_it_starts_is_refused(self):
        coverage = base.coverage(self.pat, self.plan)
        self.login(self.dana)
        response = self.client.post(
            self.url,
            {
                "form": "authorization",
                "auth-coverage": str(coverage.code),
                "auth-level_of_care": "iop",
                "auth-units_approved": "20",
                "auth-starts_on": "2026-11-30",
                "auth-ends_on": "2026-11-01",
                "auth-reference_number": "AUTH-1",
            },
        )
        self.assertContains(
            response, "The authorization cannot end before it starts.", status_code=400
        )
        self.assertContains(response, 'value="AUTH-1"', status_code=400)
        self.assertFalse(Authorization.objects.exists())

    def test_an_authorization_already_exceeded_is_kept_with_a_warning(self):
        coverage = base.coverage(self.pat, self.plan)
        for day in base.NOVEMBER[:3]:
            base.program_day(self, day, {self.pat: 180})
        self.login(self.dana)
        response = self.client.post(
            self.url,
            {
                "form": "authorization",
                "auth-coverage": str(coverage.code),
                "auth-level_of_care": "iop",
                "auth-units_approved": "2",
                "auth-starts_on": "2026-11-01",
                "auth-ends_on": "2026-11-30",
                "auth-reference_number": "AUTH-LATE",
            },
            follow=True,
        )
        self.assertContains(response, "already hold 3 qualifying days, 1 more than the 2")
        self.assertContains(response, "Exceeded by 1")

    def test_the_page_runs_a_fixed_number_of_queries_whatever_the_alerts(self):
        cov = base.coverage(self.pat, self.plan)

        def add_alerts(start: int, count: int) -> None:
            for n in range(start, start + count):
                auth = base.authorization(cov, self.dana, reference=f"AUTH-{n}")
                BillingAlert.objects.create(
                    authorization=auth,
                    kind=BillingAlert.Kind.EXPIRING,
                    raised_at=timezone.now(),
                    units_left=5,
                    days_left=3,
                )

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                response = self.client.get(self.url)
            self.assertEqual(response.status_code, 200)
            return len(ctx.captured_queries)

        self.login(self.dana)
        add_alerts(0, 1)
        one = count()
        add_alerts(1, 4)
        self.assertEqual(count(), one)
        self.assertContains(self.client.get(self.url), "Authorization AUTH-4 ends in 3 days")

    def test_a_clinician_on_the_team_reads_but_may_not_change_coverage(self):
        self.login(self.alvarez)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Add coverage")
        self.assertEqual(self.client.post(self.url, self.coverage_data()).status_code, 403)


class ChargesPageTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        base.profile(self.program)
        self.plan = base.payer(self.program)
        self.login(self.dana)
        self.url = reverse("billing:charges", args=[self.program.code])

    def add_people(self, start: int, count: int) -> None:
        for n in range(start, start + count):
            person = self.make_participant(f"p{n}@example.org", f"Person{n}", "Tester", "")
            cov = base.coverage(person, self.plan, member_id=f"M{n}")
            base.authorization(cov, self.dana, reference=f"A{n}")
            base.diagnosis(person, self.alvarez)
            Charge.objects.create(
                participant=person,
                program=self.program,
                service_date=date(2026, 11, 2),
                minutes=180,
                coverage=cov,
                status="ready",
                revenue_code="0905",
                hcpcs="S9480",
                amount=150,
            )

    def test_the_list_runs_a_fixed_number_of_queries(self):
        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                response = self.client.get(self.url, {"month": "2026-11"})
            self.assertEqual(response.status_code, 200)
            return len(ctx.captured_queries)

        self.add_people(0, 1)
        one = count()
        self.add_people(1, 4)
        self.assertEqual(count(), one)

    def test_a_long_month_is_listed_a_page_at_a_time(self):
        self.add_people(0, 5)
        with mock.patch("openiop.billing.views.PAGE_SIZE", 2):
            response = self.client.get(self.url, {"month": "2026-11", "page": "2"})
        self.assertContains(response, "Page 2 of 3 (5 charges)")
        self.assertContains(response, "month=2026-11&amp;page=3")
        self.assertContains(response, "Person2 Tester")
        self.assertNotContains(response, "Person0 Tester")

    def test_generate_export_and_csv_from_the_page(self):
        cov = base.coverage(self.pat, self.plan)
        base.authorization(cov, self.dana)
        base.diagnosis(self.pat, self.alvarez)
        base.program_day(self, date(2026, 11, 2), {self.pat: 180})
        response = self.client.post(
            reverse("billing:generate", args=[self.program.code]), {"month": "2026-11"}
        )
        self.assertRedirects(response, self.url + "?month=2026-11")
        page = self.client.get(self.url, {"month": "2026-11"})
        self.assertContains(page, "Ready")
        csv = self.client.get(
            reverse("billing:charges_csv", args=[self.program.code]), {"month": "2026-11"}
        )
        self.assertIn(b"0905", csv.content)
        export = self.client.post(
            reverse("billing:export", args=[self.program.code, self.plan.payer.code]),
            {"month": "2026-11"},
        )
        self.assertEqual(export.status_code, 200)
        self.assertIn(b"ST*837*0001*005010X223A2~", export.content)
        self.assertIn("attachment", export["Content-Disposition"])
        self.assertEqual(Charge.objects.get().status, "exported")


class UtilizationReviewTest(BaseTestCase):
    """The packet is built from one chart: no other participant's name reaches it."""

    def setUp(self) -> None:
        super().setUp()
        plan = base.payer(self.program)
        self.others = [self.quinn] + [
            self.make_participant(f"o{n}@example.org", f"Zebulon{n}", f"Quartermaine{n}", "")
            for n in range(3)
        ]
        for person in [self.pat, *self.others]:
            cov = base.coverage(person, plan, member_id=f"M{person.pk}")
            base.authorization(cov, self.dana, reference=f"REF{person.pk}")
            base.diagnosis(person, self.alvarez)
        # Everyone in the same group sessions, with notes and scores of their own.
        for day in base.NOVEMBER[:2]:
            base.program_day(self, day, {p: 180 for p in [self.pat, *self.others]})

    def test_the_packet_holds_pats_record_and_no_one_elses_name(self):
        html: list[str] = []

        def spy(template, context):
            html.append(render_to_string(template, context))
            return render_pdf(template, context)

        self.login(self.alvarez)
        with mock.patch("openiop.billing.ur_packet.render_pdf", side_effect=spy):
            response = self.client.get(reverse("billing:ur_packet", args=[self.pat.code]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        text = html[0]
        for expected in ("Lindqvist", "F33.1", "Attendance and hours", "Level of care", "Risk"):
            self.assertIn(expected, text)
        for other in self.others:
            for name in (other.given_name, other.family_name):
                self.assertNotIn(name, text)
        event = AuditEvent.objects.get(event_type="billing.ur_packet_exported")
        self.assertEqual(event.participant_id, self.pat.pk)

    def test_outsiders_get_404(self):
        outsider = make_user("out@example.org", "Out", "Sider", "clinician")
        self.login(outsider)
        response = self.client.get(reverse("billing:ur_packet", args=[self.pat.code]))
        self.assertEqual(response.status_code, 404)

    def test_staff_who_only_read_the_chart_get_403_and_no_link(self):
        # Sam: peer specialist, read-only seat. Dr. Chen: a read-only seat on Pat's team.
        CareTeamMember.objects.create(
            participant=self.pat,
            clinician=self.chen,
            role=CareTeamMember.Role.PSYCHIATRIC_PRESCRIBER,
            can_write=False,
        )
        url = reverse("billing:ur_packet", args=[self.pat.code])
        for user in (self.sam, self.chen):
            with self.subTest(user=user.email):
                self.login(user)
                self.assertEqual(self.client.get(url).status_code, 403)
                chart = self.client.get(reverse("billing:chart", args=[self.pat.code]))
                self.assertEqual(chart.status_code, 200)
                self.assertNotContains(chart, url)
        denied = AuditEvent.objects.filter(event_type="billing.ur_packet_denied")
        self.assertEqual(denied.count(), 2)
        self.assertEqual({e.outcome for e in denied}, {"denied"})
        self.assertFalse(
            AuditEvent.objects.filter(event_type="billing.ur_packet_exported").exists()
        )

    def test_a_peer_specialist_with_a_writable_seat_still_gets_403(self):
        self.pat.care_team.filter(clinician=self.sam).update(can_write=True)
        self.login(self.sam)
        response = self.client.get(reverse("billing:ur_packet", args=[self.pat.code]))
        self.assertEqual(response.status_code, 403)

    def test_the_coverage_page_links_the_packet_for_those_who_may_send_it(self):
        url = reverse("billing:ur_packet", args=[self.pat.code])
        for user in (self.dana, self.ivy, self.alvarez):
            with self.subTest(user=user.email):
                self.login(user)
                self.assertContains(
                    self.client.get(reverse("billing:chart", args=[self.pat.code])), url
                )

    # --- 42 CFR Part 2: the packet is a disclosure to a payer ------------------------------

    def get_packet(self) -> tuple[Any, list[str]]:
        html: list[str] = []

        def spy(template, context):
            html.append(render_to_string(template, context))
            return render_pdf(template, context)

        self.login(self.alvarez)
        with mock.patch("openiop.billing.ur_packet.render_pdf", side_effect=spy):
            response = self.client.get(reverse("billing:ur_packet", args=[self.pat.code]))
        return response, html

    def assert_withheld(self) -> None:
        response, html = self.get_packet()
        self.assertContains(response, "withheld under 42 CFR Part 2", status_code=403)
        self.assertEqual(html, [])  # nothing built: no attendance, risk or authorizations
        event = AuditEvent.objects.get(event_type="billing.ur_packet_withheld")
        self.assertEqual((event.participant_id, event.outcome), (self.pat.pk, "denied"))
        self.assertFalse(
            AuditEvent.objects.filter(event_type="billing.ur_packet_exported").exists()
        )
        self.assertFalse(Disclosure.objects.exists())

    def test_a_part2_participant_without_consent_gets_no_packet_at_all(self):
        self.program.part2_program = True
        self.program.save()
        self.assert_withheld()

    def test_an_sud_diagnosis_alone_withholds_the_packet(self):
        base.diagnosis(self.pat, self.alvarez, "F10.20", rank=Diagnosis.Rank.SECONDARY)
        # A release to a named clinic, even one that includes Part 2 records, is not a consent
        # for payment.
        release(self.pat, includes_part2=True)
        self.assert_withheld()

    def test_under_a_part2_consent_the_whole_packet_goes_with_the_notice(self):
        self.program.part2_program = True
        self.program.save()
        consent = sign(self.pat, ConsentKind.PART2_TPO)
        response, html = self.get_packet()
        self.assertEqual(response.status_code, 200)
        text = html[0]
        for expected in (part2.NOTICE_TITLE, "Attendance and hours", self.program.name):
            self.assertIn(expected, text)
        disclosure = Disclosure.objects.get()
        self.assertEqual((disclosure.consent, disclosure.purpose), (consent, Purpose.PAYMENT))


class CoverageEditTest(BaseTestCase):
    """Editing and ending a coverage: the people who may add one, every write audited with
    codes only, and bad input refused with what was typed kept."""

    def setUp(self) -> None:
        super().setUp()
        self.plan = base.payer(self.program)
        self.coverage = base.coverage(self.pat, self.plan)  # primary from 1 Jan 2026, open
        self.url = reverse("billing:coverage_edit", args=[self.pat.code, self.coverage.code])
        self.end_url = reverse("billing:coverage_end", args=[self.pat.code, self.coverage.code])
        self.chart = reverse("billing:chart", args=[self.pat.code])

    def edit_data(self, **changes: str) -> dict[str, str]:
        data = {
            "cov-priority": "P",
            "cov-member_id": "ABC123",
            "cov-group_number": "G100",
            "cov-relationship": "18",
            "cov-sex": "F",
            "cov-address": "12 Elm St",
            "cov-city": "Troy",
            "cov-state": "NY",
            "cov-postal_code": "12180",
            "cov-starts_on": "2026-01-01",
            "cov-version": "1",
        }
        return data | changes

    def events(self, event_type: str) -> list[AuditEvent]:
        return list(AuditEvent.objects.filter(event_type=event_type, participant=self.pat))

    def test_the_intake_coordinator_edits_member_id_group_subscriber_and_dates(self):
        self.login(self.ivy)
        page = self.client.get(self.url)
        self.assertContains(page, 'value="ABC123"')
        self.assertEqual(len(self.events("billing.coverage_viewed")), 1)
        data = self.edit_data(
            **{
                "cov-member_id": "zx-9876",
                "cov-group_number": "G200",
                "cov-relationship": "01",
                "cov-subscriber_given_name": "Morgan",
                "cov-subscriber_family_name": "Lindqvist",
                "cov-subscriber_date_of_birth": "1980-02-03",
                "cov-starts_on": "2026-02-01",
                "cov-ends_on": "2026-12-31",
            }
        )
        self.assertRedirects(self.client.post(self.url, data), self.chart)
        self.coverage.refresh_from_db()
        self.assertEqual(self.coverage.member_id, "ZX-9876")
        self.assertEqual(self.coverage.group_number, "G200")
        self.assertEqual(self.coverage.subscriber_family_name, "Lindqvist")
        self.assertEqual(
            (self.coverage.starts_on, self.coverage.ends_on),
            (date(2026, 2, 1), date(2026, 12, 31)),
        )
        self.assertEqual(self.coverage.version, 2)
        (event,) = self.events("billing.coverage_updated")
        self.assertEqual(
            event.details,
            {
                "coverage": str(self.coverage.code),
                "priority": "P",
                "fields": [
                    "ends_on",
                    "group_number",
                    "member_id",
                    "relationship",
                    "starts_on",
                    "subscriber_date_of_birth",
                    "subscriber_family_name",
                    "subscriber_given_name",
                ],
                "version": 2,
            },
        )
        self.assertEqual(event.actor, self.ivy)
        chart = self.client.get(self.chart)
        self.assertContains(chart, "ZX-9876")
        self.assertContains(chart, "Morgan Lindqvist")

    def test_a_director_ends_a_coverage_and_it_stays_on_file(self):
        self.login(self.dana)
        response = self.client.post(
            self.end_url, {"end-ends_on": "2026-11-30", "end-version": "1"}, follow=True
        )
        self.assertRedirects(response, self.chart)
        self.assertContains(response, "Coverage ends after Mon 30 Nov 2026.")
        self.assertContains(response, "Thu 1 Jan 2026 – Mon 30 Nov 2026")
        self.coverage.refresh_from_db()
        self.assertEqual(self.coverage.ends_on, date(2026, 11, 30))
        (event,) = self.events("billing.coverage_ended")
        self.assertEqual(
            event.details,
            {
                "coverage": str(self.coverage.code),
                "priority": "P",
                "fields": ["ends_on"],
                "version": 2,
            },
        )

    def test_the_chart_links_each_coverage_to_its_page_for_those_who_may_change_it(self):
        self.login(self.ivy)
        self.assertContains(self.client.get(self.chart), f'href="{self.url}"')
        self.login(self.alvarez)
        self.assertNotContains(self.client.get(self.chart), f'href="{self.url}"')

    def test_an_end_before_the_start_is_refused_and_kept(self):
        self.login(self.dana)
        response = self.client.post(self.end_url, {"end-ends_on": "2025-12-31", "end-version": "1"})
        self.assertContains(
            response, "Coverage cannot end before it starts (Thu 1 Jan 2026).", status_code=400
        )
        self.assertContains(response, 'value="2025-12-31"', status_code=400)
        response = self.client.post(
            self.url, self.edit_data(**{"cov-member_id": "KEEP-1", "cov-ends_on": "2025-06-30"})
        )
        self.assertContains(response, "Coverage cannot end before it starts.", status_code=400)
        self.assertContains(response, 'value="KEEP-1"', status_code=400)
        self.coverage.refresh_from_db()
        self.assertEqual((self.coverage.ends_on, self.coverage.member_id), (None, "ABC123"))
        self.assertEqual(self.events("billing.coverage_updated"), [])
        self.assertEqual(self.events("billing.coverage_ended"), [])

    def test_member_ids_with_unusual_characters_are_refused(self):
        self.login(self.dana)
        for member_id in ("ABC 123", "ABC*123", "ÄBC123", "123~", "ABC:1"):
            with self.subTest(member_id=member_id):
                response = self.client.post(
                    self.url, self.edit_data(**{"cov-member_id": member_id})
                )
                self.assertContains(
                    response, "A member id holds letters, digits and hyphens only", status_code=400
                )
        self.coverage.refresh_from_db()
        self.assertEqual(self.coverage.member_id, "ABC123")

    def test_a_second_primary_over_the_same_dates_is_refused(self):
        secondary = base.coverage(self.pat, self.plan, member_id="SEC1", priority="S")
        self.login(self.dana)
        url = reverse("billing:coverage_edit", args=[self.pat.code, secondary.code])
        response = self.client.post(url, self.edit_data(**{"cov-member_id": "SEC1"}))
        self.assertContains(
            response,
            "This participant already has primary coverage (Acme Health Choice PPO) from "
            "Thu 1 Jan 2026 with no end date, and the dates overlap",
            status_code=400,
        )
        secondary.refresh_from_db()
        self.assertEqual(secondary.priority, "S")

    def test_moving_an_end_date_into_the_next_coverage_is_refused(self):
        self.coverage.ends_on = date(2026, 5, 31)
        self.coverage.save()
        base.coverage(self.pat, self.plan, member_id="NEXT1", starts=date(2026, 6, 1))
        self.login(self.dana)
        response = self.client.post(self.end_url, {"end-ends_on": "2026-06-30", "end-version": "1"})
        self.assertContains(
            response, "from Mon 1 Jun 2026 with no end date, and the dates overlap", status_code=400
        )
        self.coverage.refresh_from_db()
        self.assertEqual(self.coverage.ends_on, date(2026, 5, 31))

    def test_an_edit_on_a_stale_page_is_detected_and_the_entries_kept(self):
        self.login(self.dana)
        actions.update_coverage(
            coverage=self.coverage,
            fields={"group_number": "G999"},
            expected_version=1,
            acting_user=self.ivy,
        )
        response = self.client.post(self.url, self.edit_data(**{"cov-member_id": "MINE-1"}))
        self.assertContains(response, "Someone else changed this coverage", status_code=400)
        self.assertContains(response, 'value="MINE-1"', status_code=400)
        self.assertContains(response, "G999", status_code=400)  # the saved details
        self.assertContains(response, 'name="cov-version" value="2"', status_code=400)
        self.coverage.refresh_from_db()
        self.assertEqual(self.coverage.member_id, "ABC123")
        # Saving again, now over the saved version, goes through.
        data = self.edit_data(**{"cov-member_id": "MINE-1", "cov-version": "2"})
        self.assertRedirects(self.client.post(self.url, data), self.chart)
        self.coverage.refresh_from_db()
        self.assertEqual((self.coverage.member_id, self.coverage.version), ("MINE-1", 3))

    def test_changes_to_a_coverage_with_exported_charges_are_flagged(self):
        batch = ClaimBatch.objects.create(
            program=self.program,
            payer=self.plan.payer,
            claim_format="837i",
            created_by=self.dana,
            created_at=timezone.now(),
        )
        Charge.objects.create(
            participant=self.pat,
            program=self.program,
            service_date=date(2026, 11, 2),
            minutes=180,
            coverage=self.coverage,
            status="exported",
            batch=batch,
            revenue_code="0905",
            hcpcs="S9480",
            amount=150,
        )
        self.login(self.dana)
        response = self.client.post(
            self.url, self.edit_data(**{"cov-member_id": "FIX-1"}), follow=True
        )
        self.assertContains(response, "Already exported on this coverage: 1 charge. A claim")
        response = self.client.post(
            self.end_url, {"end-ends_on": "2026-10-31", "end-version": "2"}, follow=True
        )
        self.assertContains(response, "for days after that one: 1 charge. The payer may")

    # --- access ------------------------------------------------------------------------

    def test_clinicians_who_may_write_the_chart_and_read_only_staff_get_403(self):
        for user in (self.alvarez, self.sam):
            self.login(user)
            with self.subTest(user=user.email):
                self.assertEqual(self.client.get(self.url).status_code, 403)
                self.assertEqual(self.client.post(self.url, self.edit_data()).status_code, 403)
                end = {"end-ends_on": "2026-11-30", "end-version": "1"}
                self.assertEqual(self.client.post(self.end_url, end).status_code, 403)
        self.coverage.refresh_from_db()
        self.assertIsNone(self.coverage.ends_on)

    def test_outsiders_and_participants_get_404(self):
        outsider = make_user("out@example.org", "Out", "Sider", "program_director")
        for user in (outsider, self.chen, self.admin, self.pat_user):
            self.login(user)
            with self.subTest(user=user.email):
                self.assertEqual(self.client.get(self.url).status_code, 404)
                self.assertEqual(self.client.post(self.end_url).status_code, 404)

    def test_a_coverage_of_another_chart_is_404(self):
        quinns = base.coverage(self.quinn, self.plan, member_id="Q1")
        self.login(self.dana)
        url = reverse("billing:coverage_edit", args=[self.pat.code, quinns.code])
        self.assertEqual(self.client.get(url).status_code, 404)
        end = reverse("billing:coverage_end", args=[self.pat.code, quinns.code])
        self.assertEqual(self.client.post(end, {"end-ends_on": "2026-11-30"}).status_code, 404)

    def test_wrong_methods_get_405(self):
        self.login(self.dana)
        self.assertEqual(self.client.get(self.end_url).status_code, 405)
        self.assertEqual(self.client.delete(self.url).status_code, 405)
