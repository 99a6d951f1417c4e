"""Releases of information in the participant's portal, their revocation, and the accounting
of disclosures (42 CFR 2.25, 2.31; 45 CFR 164.508, 164.528)."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from openiop.audit.context import RequestOrigin
from openiop.audit.models import AuditEvent
from openiop.audit.reads import READ_EVENTS
from openiop.consent import release_actions
from openiop.consent.models import Consent, ConsentKind, ConsentText, Disclosure, Purpose
from openiop.consent.tests.helpers import consent_text, release
from openiop.testing import BaseTestCase

# A Tuesday afternoon in New York.
NOW = datetime(2026, 12, 8, 19, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class SignReleaseTest(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.text = consent_text(self.program)
        self.login(self.pat_user)

    def form(self, **changes):
        data = {
            "text": str(self.text.code),
            "recipient_name": "Dr. Ngozi Okafor, Riverside Primary Care",
            "recipient_address": "12 River St, Albany NY 12207",
            "purpose": "treatment",
            "scope": "summary",
            "includes_part2": "on",
            "expires_on": "2027-06-30",
            "signed_name": "Patricia Lindqvist",
            "agree": "on",
        }
        data.update(changes)
        return {k: v for k, v in data.items() if v is not None}

    def post(self, **changes):
        return self.client.post(
            reverse("releases:new"),
            self.form(**changes),
            HTTP_USER_AGENT="Mozilla/5.0 (iPhone)",
            REMOTE_ADDR="203.0.113.9",
        )

    def test_the_participant_signs_a_release_against_the_exact_text(self):
        page = self.client.get(reverse("releases:new"))
        self.assertContains(page, self.text.body)
        response = self.post()
        self.assertRedirects(response, reverse("releases:mine"))
        signed = Consent.objects.get(participant=self.pat, kind=ConsentKind.RELEASE)
        self.assertEqual(signed.text, self.text)
        self.assertEqual(signed.text_sha256, self.text.sha256)
        self.assertEqual(signed.recipient_name, "Dr. Ngozi Okafor, Riverside Primary Care")
        self.assertEqual(str(signed.expires_on), "2027-06-30")
        self.assertTrue(signed.includes_part2)
        self.assertEqual(
            (signed.signer_ip, signed.signer_user_agent), ("203.0.113.9", "Mozilla/5.0 (iPhone)")
        )
        self.assertEqual(signed.signed_by, self.pat_user)
        event = AuditEvent.objects.get(event_type="consent.release_signed")
        self.assertEqual(event.participant, self.pat)
        self.assertEqual(event.details["part2"], True)
        listing = self.client.get(reverse("releases:mine"))
        self.assertContains(listing, "Riverside Primary Care")
        self.assertContains(listing, "In force until the end of")

    def test_a_release_with_no_expiry_is_refused_with_a_clear_message(self):
        response = self.post(expires_on="")
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response,
            "A release needs an expiry date: choose the day it should end.",
            status_code=400,
        )
        self.assertContains(response, "Riverside Primary Care", status_code=400)
        self.assertFalse(Consent.objects.exists())

    def test_an_expiry_in_the_past_is_refused(self):
        response = self.post(expires_on="2026-12-07")
        self.assertContains(response, "The expiry date has passed", status_code=400)
        self.assertFalse(Consent.objects.exists())

    def test_on_a_leap_day_the_expiry_check_still_works(self):
        with time_machine.travel(datetime(2028, 2, 29, 17, 0, tzinfo=UTC), tick=False):
            self.login(self.pat_user)
            self.assertRedirects(self.post(expires_on="2030-02-28"), reverse("releases:mine"))
            response = self.post(expires_on="2040-01-01")
        self.assertContains(response, "within the next ten years", status_code=400)

    def test_signing_needs_the_typed_name_and_the_box(self):
        response = self.post(signed_name="  ", agree=None)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Tick the box to agree", status_code=400)
        self.assertFalse(Consent.objects.exists())

    def test_a_text_changed_while_reading_is_not_signed(self):
        page_text = self.text
        newer = type(self.text).objects.create(
            program=self.program,
            kind=ConsentKind.RELEASE,
            version=2,
            title="Release of information",
            body="A newer release text.",
        )
        response = self.post(text=str(page_text.code))
        self.assertContains(response, "changed the release text", status_code=400)
        self.assertContains(response, newer.body, status_code=400)
        self.assertFalse(Consent.objects.exists())

    def test_without_a_published_text_the_default_text_is_offered(self):
        self.text.delete()
        response = self.client.get(reverse("releases:new"))
        self.assertNotContains(response, "has not published its release form")
        offered = ConsentText.objects.get(program=self.program, kind=ConsentKind.RELEASE)
        self.assertContains(response, offered.title)

    def test_the_action_refuses_a_release_without_expiry_and_so_does_the_database(self):
        with self.assertRaisesMessage(release_actions.ReleaseError, "needs an expiry date"):
            release_actions.sign_release(
                self.pat,
                text=self.text,
                recipient_name="Someone",
                recipient_address="Somewhere",
                purpose="treatment",
                scope="full",
                includes_part2=False,
                expires_on=None,
                signed_name="Patricia Lindqvist",
                origin=RequestOrigin(),
                acting_user=self.pat_user,
            )
        with self.assertRaises(IntegrityError), transaction.atomic():
            release(self.pat, expires_on=None)


@time_machine.travel(NOW, tick=False)
class RevokeReleaseTest(BaseTestCase):
    def test_revoking_takes_effect_at_once(self):
        given = release(self.pat, includes_part2=True)
        self.login(self.pat_user)
        response = self.client.post(reverse("releases:revoke", args=[given.code]))
        self.assertRedirects(response, reverse("releases:mine"))
        given.refresh_from_db()
        self.assertEqual(given.status, Consent.Status.REVOKED)
        self.assertEqual(given.revoked_at, timezone.now())
        self.assertFalse(given.is_in_force())
        self.assertFalse(Consent.objects.in_force().filter(pk=given.pk).exists())
        self.assertTrue(AuditEvent.objects.filter(event_type="consent.release_revoked").exists())
        listing = self.client.get(reverse("releases:mine"))
        self.assertContains(listing, "Revoked")
        self.assertNotContains(listing, reverse("releases:revoke", args=[given.code]))

    def test_nobody_else_revokes_it(self):
        given = release(self.pat)
        for user in (self.quinn_user, self.alvarez):
            with self.subTest(user=user.email):
                self.login(user)
                response = self.client.post(reverse("releases:revoke", args=[given.code]))
                self.assertEqual(response.status_code, 404)
        given.refresh_from_db()
        self.assertEqual(given.status, Consent.Status.SIGNED)

    def test_revoking_twice_changes_nothing(self):
        given = release(self.pat)
        release_actions.revoke_release(given, acting_user=self.pat_user)
        first = Consent.objects.get(pk=given.pk).revoked_at
        release_actions.revoke_release(given, acting_user=self.pat_user)
        self.assertEqual(Consent.objects.get(pk=given.pk).revoked_at, first)
        self.assertEqual(AuditEvent.objects.filter(event_type="consent.release_revoked").count(), 1)


@time_machine.travel(NOW, tick=False)
class AccountingTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        given = release(cls.pat, includes_part2=True)
        release_actions.record_disclosure(
            cls.pat,
            basis=Disclosure.Basis.CONSENT,
            consent=given,
            recipient_name=given.recipient_name,
            purpose=Purpose.TREATMENT,
            format=Disclosure.Format.PDF,
            contents={"notes": 3, "plans": 1, "diagnoses": 2, "withheld": 0},
            included_part2=True,
            notice_attached=True,
            acting_user=cls.alvarez,
        )

    def test_the_participant_reads_who_received_her_records_in_her_zone(self):
        self.login(self.pat_user)
        page = self.client.get(reverse("releases:my_disclosures"))
        self.assertContains(page, "Riverside Primary Care")
        self.assertContains(page, "3 notes")
        self.assertContains(page, "Included, with the federal notice")
        self.assertContains(page, "2:00 PM EST")
        self.assertFalse(AuditEvent.objects.filter(event_type__in=READ_EVENTS).exists())

    def test_the_accounting_reads_in_spanish(self):
        self.pat_user.language = "es"
        self.pat_user.save()
        self.login(self.pat_user)
        page = self.client.get(reverse("releases:my_disclosures"))
        self.assertContains(page, "Qué se envió")
        self.assertContains(page, "PDF: 3 notas, 1 plan de tratamiento")
        self.assertContains(page, "Con el consentimiento por escrito del participante")
        self.assertContains(page, "Incluidos, con el aviso federal (42 CFR 2.32)")

    def test_another_participant_sees_only_their_own(self):
        self.login(self.quinn_user)
        page = self.client.get(reverse("releases:my_disclosures"))
        self.assertNotContains(page, "Riverside")
        self.assertContains(page, "have not been sent to anyone")

    def test_staff_read_the_accounting_on_the_chart_with_one_read_event(self):
        self.login(self.sam)
        page = self.client.get(reverse("releases:chart", args=[self.pat.code]))
        self.assertContains(page, "Riverside Primary Care")
        self.assertContains(page, "Rosa Alvarez")
        self.assertNotContains(page, reverse("notes:disclose", args=[self.pat.code]))
        reads = AuditEvent.objects.filter(event_type__in=READ_EVENTS)
        self.assertEqual(
            list(reads.values_list("event_type", flat=True)), ["consent.disclosures_viewed"]
        )
        self.login(self.alvarez)
        page = self.client.get(reverse("releases:chart", args=[self.pat.code]))
        self.assertContains(page, reverse("notes:disclose", args=[self.pat.code]))

    def test_the_recorded_disclosure_is_audited_with_codes_only(self):
        event = AuditEvent.objects.get(event_type="consent.disclosure_recorded")
        self.assertEqual(event.details["notes"], 3)
        self.assertEqual(event.details["part2"], True)
        self.assertNotIn("Riverside", str(event.details))

    def test_a_part2_disclosure_without_the_notice_is_refused_by_the_database(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            Disclosure.objects.create(
                participant=self.pat,
                basis=Disclosure.Basis.INDIVIDUAL,
                recipient_name="Someone",
                purpose=Purpose.PERSONAL,
                format=Disclosure.Format.PDF,
                included_part2=True,
                notice_attached=False,
                disclosed_by=self.alvarez,
                disclosed_at=timezone.now() - timedelta(days=1),
            )
