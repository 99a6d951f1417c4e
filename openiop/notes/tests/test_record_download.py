"""The participant's own copy of the record (45 CFR 164.524): the "Your record" page, the PDF
and the FHIR Bundle, each logged as a read and as a disclosure to the individual."""

import base64
import json
from datetime import UTC, datetime
from unittest import mock

from django.template.loader import render_to_string
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.consent.models import Disclosure
from openiop.lib import pdf as pdf_module
from openiop.notes.psychotherapy.actions import write_note
from openiop.notes.tests.helpers import addendum, signed_note
from openiop.testing import BaseTestCase

MONDAY = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
PSYCHOTHERAPY = "PSY-CANARY: the therapist's private impressions."


class RecordDownloadTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        note = signed_note(
            cls.pat,
            cls.alvarez,
            started_at=MONDAY,
            sections={"subjective": "Slept four hours; walked twice."},
        )
        addendum(note, cls.alvarez, "Later: PHQ-9 was 12.")
        write_note(cls.pat, text=PSYCHOTHERAPY, acting_user=cls.alvarez)

    def pdf_html(self, url: str) -> tuple[object, str]:
        seen: list[str] = []

        def keep(name, context):
            html = render_to_string(name, context)
            seen.append(html)
            return html

        with mock.patch.object(pdf_module, "render_to_string", keep):
            response = self.client.get(url)
        return response, "".join(seen)

    def bundle_text(self, response) -> str:
        bundle = json.loads(response.content)
        notes = [
            base64.b64decode(e["resource"]["content"][0]["attachment"]["data"]).decode()
            for e in bundle["entry"]
            if e["resource"]["resourceType"] == "DocumentReference"
        ]
        return response.content.decode() + "\n".join(notes)

    def test_the_page_explains_the_right_and_links_both_formats(self):
        self.login(self.pat_user)
        page = self.client.get(reverse("notes:my_record"))
        self.assertContains(page, "<h1>Your record</h1>", html=True)
        self.assertContains(page, "45 CFR 164.524")
        self.assertContains(page, reverse("notes:my_record_pdf"))
        self.assertContains(page, reverse("notes:my_record_fhir"))
        self.assertContains(page, "Psychotherapy notes")
        home = self.client.get(reverse("home"))
        self.assertContains(home, reverse("notes:my_record"))

    def test_the_participants_pdf_excludes_psychotherapy_notes(self):
        self.login(self.pat_user)
        response, html = self.pdf_html(reverse("notes:my_record_pdf"))
        self.assertEqual(response.status_code, 200)  # type: ignore[attr-defined]
        self.assertTrue(response.content.startswith(b"%PDF-"))  # type: ignore[attr-defined]
        self.assertIn("Slept four hours; walked twice.", html)
        self.assertIn("Later: PHQ-9 was 12.", html)
        self.assertNotIn("PSY-CANARY", html)
        self.assertNotIn(b"PSY-CANARY", response.content)  # type: ignore[attr-defined]

    def test_the_participants_bundle_excludes_psychotherapy_notes(self):
        self.login(self.pat_user)
        response = self.client.get(reverse("notes:my_record_fhir"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/fhir+json")
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertEqual(
            response["Content-Disposition"], f'attachment; filename="record-{self.pat.code}.json"'
        )
        text = self.bundle_text(response)
        self.assertIn("Slept four hours; walked twice.", text)
        self.assertIn("Later: PHQ-9 was 12.", text)
        self.assertNotIn("PSY-CANARY", text)

    def test_each_own_download_is_a_read_and_a_disclosure_to_the_individual(self):
        self.login(self.pat_user)
        self.client.get(reverse("notes:my_record_pdf"))
        self.client.get(reverse("notes:my_record_fhir"))
        reads = AuditEvent.objects.filter(event_type="notes.record_exported").order_by("seq")
        self.assertEqual(
            [e.details for e in reads],
            [{"format": "pdf", "notes": 1}, {"format": "fhir", "notes": 1}],
        )
        disclosures = Disclosure.objects.filter(participant=self.pat).order_by("id")
        self.assertEqual(
            [(d.basis, d.format, d.recipient_name) for d in disclosures],
            [
                ("individual", "pdf", "Patricia Lindqvist"),
                ("individual", "fhir", "Patricia Lindqvist"),
            ],
        )
        self.assertEqual(disclosures[0].contents["notes"], 1)
        self.assertEqual(disclosures[0].disclosed_by, self.pat_user)
        self.assertEqual(
            AuditEvent.objects.filter(event_type="consent.record_disclosed").count(), 2
        )

    def test_staff_download_the_bundle_without_a_disclosure_row(self):
        self.login(self.sam)
        response = self.client.get(reverse("notes:record_fhir", args=[self.pat.code]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/fhir+json")
        self.assertNotIn("PSY-CANARY", self.bundle_text(response))
        self.assertFalse(Disclosure.objects.exists())
        event = AuditEvent.objects.get(event_type="notes.record_exported")
        self.assertEqual(event.details, {"format": "fhir", "notes": 1})

    def test_the_staff_route_is_404_to_participants_and_outsiders(self):
        for user in (self.pat_user, self.quinn_user, self.chen, self.admin):
            with self.subTest(user=user.email):
                self.login(user)
                response = self.client.get(reverse("notes:record_fhir", args=[self.pat.code]))
                self.assertEqual(response.status_code, 404)

    def test_the_own_pages_are_404_to_staff(self):
        self.login(self.alvarez)
        for name in ("notes:my_record", "notes:my_record_pdf", "notes:my_record_fhir"):
            with self.subTest(name=name):
                self.assertEqual(self.client.get(reverse(name)).status_code, 404)

    def test_quinn_downloads_her_own_record_only(self):
        self.login(self.quinn_user)
        text = self.bundle_text(self.client.get(reverse("notes:my_record_fhir")))
        self.assertNotIn("Slept four hours", text)
        self.assertNotIn("Lindqvist", text)
        self.assertIn("Marlowe", text)
