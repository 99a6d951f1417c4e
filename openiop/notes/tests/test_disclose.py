"""Sending records under a release: the Part 2 gate, the release's scope, the notice, the copy
of the release, the accounting entry; and a revoked or expired release refused."""

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import ClassVar
from unittest import mock

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from openiop.audit.models import AuditEvent
from openiop.careplans.models import Diagnosis
from openiop.consent.models import Consent, ConsentKind, Disclosure, Scope
from openiop.consent.part2 import NOTICE, SECURITY_LABELS
from openiop.consent.release_actions import revoke_release
from openiop.consent.tests.helpers import release, sign
from openiop.lib import pdf as pdf_module
from openiop.notes.disclosure import for_disclosure
from openiop.notes.disclosure_fhir import NOTICE_ID, bundle_for_disclosure
from openiop.notes.models import Note
from openiop.notes.record import designated_record
from openiop.notes.record_fhir import resource_ids
from openiop.notes.tests.helpers import signed_note
from openiop.testing import BaseTestCase

MONDAY = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
PART2_TEXT = "Cravings after payday; used twice this week."
OTHER_TEXT = "Slept six hours; mood brighter."


class DiscloseTest(BaseTestCase):
    part2_note: ClassVar[Note]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.part2_note = signed_note(
            cls.pat, cls.alvarez, started_at=MONDAY, sections={"subjective": PART2_TEXT}
        )
        Note.objects.filter(pk=cls.part2_note.pk).update(part2=True)
        signed_note(
            cls.pat,
            cls.alvarez,
            started_at=MONDAY + timedelta(days=7),
            sections={"subjective": OTHER_TEXT},
        )

    def send(self, given: Consent, user=None):
        """The response and the HTML the PDF was laid out from."""
        seen: list[str] = []

        def keep(template, context):
            html = render_to_string(template, context)
            seen.append(html)
            return html

        self.login(user or self.alvarez)
        url = reverse("notes:disclose", args=[self.pat.code])
        with mock.patch.object(pdf_module, "render_to_string", keep):
            response = self.client.post(url, {"release": str(given.code)})
        return response, (seen[0] if seen else "")

    def test_a_release_with_part2_sends_them_with_the_notice_a_copy_and_an_entry(self):
        given = release(self.pat, includes_part2=True)
        response, html = self.send(given)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF-"))
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertIn(PART2_TEXT, html)
        self.assertIn(OTHER_TEXT, html)
        self.assertIn(NOTICE, html)
        self.assertIn("The release this copy is sent under", html)
        self.assertIn("Riverside Primary Care", html)
        self.assertIn(given.text.body, html)
        disclosure = Disclosure.objects.get()
        self.assertIn(str(disclosure.code), response["Content-Disposition"])
        self.assertEqual(disclosure.consent, given)
        self.assertEqual(disclosure.recipient_name, given.recipient_name)
        self.assertEqual(disclosure.basis, Disclosure.Basis.CONSENT)
        self.assertTrue(disclosure.included_part2 and disclosure.notice_attached)
        self.assertEqual(disclosure.contents["notes"], 2)
        event = AuditEvent.objects.get(event_type="consent.disclosure_recorded")
        self.assertEqual(event.participant, self.pat)
        self.assertEqual(event.details["disclosure"], str(disclosure.code))

    def test_a_release_without_part2_withholds_them(self):
        given = release(self.pat, includes_part2=False)
        response, html = self.send(given)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(PART2_TEXT, html)
        self.assertIn(OTHER_TEXT, html)
        self.assertIn("1 record is withheld under 42 CFR Part 2 (no consent on file).", html)
        self.assertNotIn(NOTICE, html)
        disclosure = Disclosure.objects.get()
        self.assertFalse(disclosure.included_part2 or disclosure.notice_attached)
        self.assertEqual(disclosure.contents["withheld"], 1)

    def test_a_summary_release_leaves_the_notes_out(self):
        given = release(self.pat, includes_part2=True, scope=Scope.SUMMARY)
        _, html = self.send(given)
        self.assertNotIn(OTHER_TEXT, html)
        self.assertNotIn(PART2_TEXT, html)
        self.assertEqual(Disclosure.objects.get().contents["notes"], 0)

    def test_a_revoked_release_is_refused_and_nothing_is_produced(self):
        given = release(self.pat, includes_part2=True)
        revoke_release(given, acting_user=self.pat_user)
        response, html = self.send(given)
        self.assertEqual(response.status_code, 409)
        self.assertEqual(html, "")
        self.assertContains(
            response,
            "This release was revoked by the participant: nothing was sent.",
            status_code=409,
        )
        self.assertFalse(Disclosure.objects.exists())
        self.assertFalse(
            AuditEvent.objects.filter(event_type="consent.disclosure_recorded").exists()
        )

    def test_an_expired_release_is_refused(self):
        given = release(self.pat, expires_on=timezone.localdate() - timedelta(days=1))
        response, html = self.send(given)
        self.assertContains(response, "This release has expired", status_code=409)
        self.assertEqual(html, "")
        self.assertFalse(Disclosure.objects.exists())

    def test_a_release_revoked_between_page_load_and_post_is_refused(self):
        given = release(self.pat, includes_part2=True)
        self.login(self.alvarez)
        page = self.client.get(reverse("notes:disclose", args=[self.pat.code]))
        self.assertContains(page, str(given.code))
        # The participant revokes it in her portal while the page is open.
        self.login(self.pat_user)
        self.client.post(reverse("releases:revoke", args=[given.code]))
        response, html = self.send(given)
        self.assertContains(response, "was revoked", status_code=409)
        self.assertEqual(html, "")
        self.assertFalse(Disclosure.objects.exists())
        self.assertNotContains(response, 'value="' + str(given.code), status_code=409)

    def test_the_page_lists_only_releases_in_force(self):
        live = release(self.pat, recipient_name="Live Clinic")
        gone = release(self.pat, recipient_name="Gone Clinic")
        revoke_release(gone, acting_user=self.pat_user)
        release(self.quinn, recipient_name="Quinn's Clinic")
        self.login(self.alvarez)
        page = self.client.get(reverse("notes:disclose", args=[self.pat.code]))
        self.assertContains(page, "Live Clinic")
        self.assertNotContains(page, "Gone Clinic")
        self.assertNotContains(page, "Quinn")
        self.assertContains(page, str(live.code))

    def test_another_participants_release_is_404(self):
        theirs = release(self.quinn)
        response, _ = self.send(theirs)
        self.assertEqual(response.status_code, 404)

    def test_only_chart_writers_send(self):
        given = release(self.pat)
        for user, status in ((self.sam, 403), (self.chen, 404), (self.pat_user, 404)):
            with self.subTest(user=user.email):
                response, _ = self.send(given, user)
                self.assertEqual(response.status_code, status)
        self.assertFalse(Disclosure.objects.exists())

    def test_no_choice_is_a_clear_error(self):
        self.login(self.alvarez)
        response = self.client.post(reverse("notes:disclose", args=[self.pat.code]), {})
        self.assertContains(response, "Choose the release to send under.", status_code=400)


class DiscloseFhirTest(BaseTestCase):
    """The same rules for the FHIR Bundle: the Part 2 note is absent without a consent that
    covers it and present with one, labelled, with the notice and an accounting entry."""

    part2_note: ClassVar[Note]
    other_note: ClassVar[Note]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.part2_note = signed_note(
            cls.pat, cls.alvarez, started_at=MONDAY, sections={"subjective": PART2_TEXT}
        )
        Note.objects.filter(pk=cls.part2_note.pk).update(part2=True)
        cls.other_note = signed_note(
            cls.pat,
            cls.alvarez,
            started_at=MONDAY + timedelta(days=7),
            sections={"subjective": OTHER_TEXT},
        )
        Diagnosis.objects.create(
            participant=cls.pat,
            icd10_code="F10.20",
            description="Alcohol use disorder, moderate",
            updated_by=cls.alvarez,
        )

    def send(self, given: Consent) -> tuple[int, dict]:
        self.login(self.alvarez)
        response = self.client.post(
            reverse("notes:disclose", args=[self.pat.code]),
            {"release": str(given.code), "format": "fhir"},
        )
        body = json.loads(response.content) if response.status_code == 200 else {}
        return response.status_code, body

    def resources(self, bundle: dict) -> dict[str, dict]:
        return {e["resource"]["id"]: e["resource"] for e in bundle["entry"]}

    def test_without_part2_consent_the_bundle_leaves_part2_out(self):
        status, bundle = self.send(release(self.pat, includes_part2=False))
        self.assertEqual(status, 200)
        ids = resource_ids(bundle, "DocumentReference")
        self.assertNotIn(str(self.part2_note.code), ids)
        self.assertIn(str(self.other_note.code), ids)
        self.assertNotIn(NOTICE_ID, ids)
        self.assertNotIn("F10.20", json.dumps(bundle))
        self.assertNotIn("security", bundle["meta"])
        disclosure = Disclosure.objects.get()
        self.assertEqual(disclosure.format, Disclosure.Format.FHIR)
        self.assertFalse(disclosure.included_part2)
        self.assertEqual(disclosure.contents["withheld"], 2)

    def test_with_a_release_that_includes_part2_they_go_labelled_with_the_notice(self):
        given = release(self.pat, includes_part2=True)
        status, bundle = self.send(given)
        self.assertEqual(status, 200)
        resources = self.resources(bundle)
        note = resources[str(self.part2_note.code)]
        codes = [label["code"] for label in note["meta"]["security"]]
        self.assertEqual(codes, ["ETH", "R", "NORDSCLCD"])
        self.assertNotIn("meta", resources[str(self.other_note.code)])
        self.assertIn("F10.20", json.dumps(bundle))
        self.assertEqual(bundle["meta"]["security"], SECURITY_LABELS)
        notice = resources[NOTICE_ID]
        text = base64.b64decode(notice["content"][0]["attachment"]["data"]).decode()
        self.assertEqual(text, NOTICE)
        consent = resources[str(given.code)]
        self.assertEqual(consent["resourceType"], "Consent")
        # The end of the expiry day, in the participant's zone.
        self.assertTrue(
            consent["provision"]["period"]["end"].startswith(f"{given.expires_on}T23:59:59")
        )
        disclosure = Disclosure.objects.get()
        self.assertEqual(disclosure.format, Disclosure.Format.FHIR)
        self.assertTrue(disclosure.included_part2 and disclosure.notice_attached)

    def test_the_gate_and_the_bundle_under_a_tpo_consent(self):
        record = designated_record(self.pat)
        sent, _, _ = for_disclosure(record, consent=None)
        bundle = bundle_for_disclosure(sent)
        self.assertNotIn(str(self.part2_note.code), resource_ids(bundle))
        consent = sign(self.pat, ConsentKind.PART2_TPO)
        sent, withheld, included = for_disclosure(record, consent=consent)
        self.assertEqual((withheld, included), (0, True))
        bundle = bundle_for_disclosure(sent, consent=consent)
        self.assertIn(str(self.part2_note.code), resource_ids(bundle))
        self.assertIn(NOTICE_ID, resource_ids(bundle))

    def test_a_revoked_release_produces_no_bundle(self):
        given = release(self.pat, includes_part2=True)
        revoke_release(given, acting_user=self.pat_user)
        status, _ = self.send(given)
        self.assertEqual(status, 409)
        self.assertFalse(Disclosure.objects.exists())
