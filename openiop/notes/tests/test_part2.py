"""42 CFR Part 2 (CLINICAL.md §6.5): notes of a Part 2 program carry the label, and nothing
labelled leaves OpenIOP in a staff export without a consent that covers it."""

import base64
import importlib
import json
from datetime import UTC, datetime, timedelta
from typing import ClassVar
from unittest import mock

from django.apps import apps
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from openiop.careplans.models import Diagnosis, TreatmentPlan
from openiop.consent.models import Consent, ConsentKind, Disclosure
from openiop.consent.part2 import NOTICE, is_sud_code
from openiop.consent.release_actions import revoke_release
from openiop.consent.tests.helpers import release, sign
from openiop.lib import pdf as pdf_module
from openiop.notes import actions
from openiop.notes.actions import AttendeePart, SharedPart
from openiop.notes.disclosure import for_disclosure
from openiop.notes.models import Note
from openiop.notes.record import designated_record
from openiop.notes.tests.group_helpers import GroupNoteTestCase
from openiop.notes.tests.helpers import signed_note, summary_and_plans
from openiop.programs.models import Program
from openiop.testing import BaseTestCase

MONDAY = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
PART2_TEXT = "Cravings after payday; used twice this week."
OTHER_TEXT = "Slept six hours; mood brighter."


class SudCodeTest(BaseTestCase):
    def test_f10_to_f19_are_substance_use_disorders(self):
        for code in ("F10.20", "F1120", "f12.10", " F19.99", "F15"):
            with self.subTest(code=code):
                self.assertTrue(is_sud_code(code))
        for code in ("F09", "F20.9", "F33.1", "F41.1", "Z71.41", "F1"):
            with self.subTest(code=code):
                self.assertFalse(is_sud_code(code))


class LabelTest(BaseTestCase):
    def test_a_note_started_in_a_part2_program_is_labelled(self):
        def start() -> Note:
            started_at = timezone.now() - timedelta(hours=2)
            return actions.start_note_without_session(
                self.pat,
                kind=Note.Kind.INDIVIDUAL,
                started_at=started_at,
                ended_at=started_at + timedelta(minutes=50),
                acting_user=self.alvarez,
            )

        plain = start()
        self.assertFalse(plain.part2)
        Program.objects.filter(pk=self.program.pk).update(part2_program=True)
        self.pat.refresh_from_db()
        labelled = start()
        self.assertTrue(Note.objects.get(pk=labelled.pk).part2)
        self.assertFalse(Note.objects.get(pk=plain.pk).part2)

    def test_the_migration_labels_existing_notes_from_their_program(self):
        note = signed_note(self.pat, self.alvarez, started_at=MONDAY)
        other = signed_note(self.quinn, self.chen, started_at=MONDAY)
        sud = Program.objects.create(name="Evening Recovery IOP", part2_program=True)
        self.quinn.program = sud
        self.quinn.save(update_fields=["program"])
        migration = importlib.import_module("openiop.notes.migrations.0004_note_part2_label")
        migration.label_existing_notes(apps, None)
        note.refresh_from_db()
        other.refresh_from_db()
        self.assertFalse(note.part2)
        self.assertTrue(other.part2)

    def test_the_staff_note_list_and_page_show_the_label(self):
        note = signed_note(self.pat, self.alvarez, started_at=MONDAY)
        Note.objects.filter(pk=note.pk).update(part2=True)
        self.login(self.alvarez)
        listing = self.client.get(reverse("notes:participant_notes", args=[self.pat.code]))
        self.assertContains(listing, 'class="label-part2"', count=1)
        page = self.client.get(reverse("notes:note", args=[note.code]))
        self.assertContains(page, 'class="label-part2"')


class GroupLabelTest(GroupNoteTestCase):
    def test_the_group_fan_out_labels_each_attendees_note(self):
        Program.objects.filter(pk=self.program.pk).update(part2_program=True)
        saved = actions.save_group_note(
            self.session,
            shared=SharedPart(
                topic="Distress tolerance",
                curriculum_module=self.group.topics.get(position=1),
                interventions="Taught TIPP; paired practice.",
                shared_text="The group practised paced breathing.",
            ),
            attendees=[
                AttendeePart(booking=self.booking(p), **line)
                for p, line in self.ready_attendees().items()
            ],
            version=0,
            acting_user=self.alvarez,
        )
        actions.sign_group_note(saved.group_note, acting_user=self.alvarez)
        notes = Note.objects.filter(session=self.session)
        self.assertEqual(notes.count(), 2)
        self.assertTrue(all(note.part2 for note in notes))


class Part2ExportTest(BaseTestCase):
    """Pat's record holds one Part 2 note, one other note and an alcohol use disorder
    diagnosis (F10.20) beside her depression (F33.1)."""

    part2_note: ClassVar[Note]
    plan: ClassVar[TreatmentPlan]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        _, cls.plan = summary_and_plans(cls, cls.pat)
        Diagnosis.objects.create(
            participant=cls.pat,
            icd10_code="F10.20",
            description="Alcohol use disorder, moderate",
            updated_by=cls.alvarez,
        )
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

    def download(self, user, name="notes:record_pdf", code=None):
        seen: list[str] = []

        def keep(template, context):
            html = render_to_string(template, context)
            seen.append(html)
            return html

        self.login(user)
        url = reverse(name, args=[code or self.pat.code])
        with mock.patch.object(pdf_module, "render_to_string", keep):
            response = self.client.get(url)
        return response, (seen[0] if seen else "")

    def test_without_consent_the_staff_pdf_withholds_part2_records(self):
        response, html = self.download(self.alvarez)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(PART2_TEXT, html)
        self.assertNotIn("F10.20", html)
        self.assertIn(OTHER_TEXT, html)
        self.assertIn("F33.1", html)
        self.assertIn("2 records are withheld under 42 CFR Part 2 (no consent on file).", html)
        self.assertNotIn(NOTICE, html)
        self.assertFalse(Disclosure.objects.exists())

    def test_with_a_part2_tpo_consent_the_pdf_carries_them_the_notice_and_an_entry(self):
        consent = sign(self.pat, ConsentKind.PART2_TPO)
        response, html = self.download(self.alvarez)
        self.assertEqual(response.status_code, 200)
        self.assertIn(PART2_TEXT, html)
        self.assertIn("F10.20", html)
        self.assertIn(NOTICE, html)
        self.assertNotIn("withheld under 42 CFR Part 2", html)
        disclosure = Disclosure.objects.get()
        self.assertEqual(
            (disclosure.participant, disclosure.consent, disclosure.basis),
            (self.pat, consent, Disclosure.Basis.CONSENT),
        )
        self.assertTrue(disclosure.included_part2 and disclosure.notice_attached)
        self.assertEqual(disclosure.contents["notes"], 2)
        self.assertEqual(disclosure.disclosed_by, self.alvarez)

    def test_the_staff_fhir_export_is_gated_the_same_way(self):
        def bundle() -> dict:
            self.login(self.alvarez)
            response = self.client.get(reverse("notes:record_fhir", args=[self.pat.code]))
            self.assertEqual(response.status_code, 200)
            return json.loads(response.content)

        def note_texts(body: dict) -> list[str]:
            return [
                base64.b64decode(e["resource"]["content"][0]["attachment"]["data"]).decode()
                for e in body["entry"]
                if e["resource"]["resourceType"] == "DocumentReference"
            ]

        without = bundle()
        self.assertFalse(any(PART2_TEXT in text for text in note_texts(without)))
        self.assertTrue(any(OTHER_TEXT in text for text in note_texts(without)))
        self.assertNotIn(NOTICE, note_texts(without))
        self.assertNotIn("security", without.get("meta", {}))
        self.assertFalse(Disclosure.objects.exists())

        consent = sign(self.pat, ConsentKind.PART2_TPO)
        with_consent = bundle()
        self.assertTrue(any(PART2_TEXT in text for text in note_texts(with_consent)))
        self.assertIn(NOTICE, note_texts(with_consent))
        self.assertIn("ETH", [label["code"] for label in with_consent["meta"]["security"]])
        disclosure = Disclosure.objects.get()
        self.assertEqual(
            (disclosure.consent, disclosure.format, disclosure.included_part2),
            (consent, Disclosure.Format.FHIR, True),
        )

    def test_a_revoked_consent_stops_covering_at_once(self):
        consent = sign(self.pat, ConsentKind.PART2_TPO)
        Consent.objects.filter(pk=consent.pk).update(
            status=Consent.Status.REVOKED, revoked_at=timezone.now()
        )
        _, html = self.download(self.alvarez)
        self.assertNotIn(PART2_TEXT, html)
        self.assertFalse(Disclosure.objects.exists())

    def test_an_expired_or_narrower_consent_does_not_cover(self):
        yesterday = timezone.localdate() - timedelta(days=1)
        expired = sign(self.pat, ConsentKind.PART2_TPO, expires_on=yesterday)
        counseling = sign(self.pat, ConsentKind.PART2_COUNSELING_NOTES)
        without = release(self.pat, includes_part2=False)
        record = designated_record(self.pat)
        for consent in (None, expired, counseling, without):
            with self.subTest(consent=consent and consent.kind):
                sent, withheld, included = for_disclosure(record, consent=consent)
                self.assertEqual((withheld, included), (2, False))
                self.assertEqual(len(sent.notes), 1)
        sent, withheld, included = for_disclosure(
            record, consent=release(self.pat, includes_part2=True)
        )
        self.assertEqual((withheld, included, len(sent.notes)), (0, True, 2))

    def test_another_participants_consent_does_not_cover(self):
        consent = sign(self.quinn, ConsentKind.PART2_TPO)
        _, withheld, included = for_disclosure(designated_record(self.pat), consent=consent)
        self.assertEqual((withheld, included), (2, False))

    def test_the_participants_own_download_is_not_filtered(self):
        response, html = self.download(self.pat_user)
        self.assertEqual(response.status_code, 200)
        self.assertIn(PART2_TEXT, html)
        self.assertIn("F10.20", html)
        self.assertNotIn("withheld under 42 CFR Part 2", html)
        # Her own copy is accounted as a disclosure to the individual, never under a consent.
        self.assertEqual(
            list(Disclosure.objects.values_list("basis", flat=True)),
            [Disclosure.Basis.INDIVIDUAL],
        )

    def test_in_a_part2_program_plans_and_the_program_name_are_withheld(self):
        Program.objects.filter(pk=self.program.pk).update(
            part2_program=True, name="Evening Recovery IOP"
        )
        _, html = self.download(self.alvarez)
        self.assertNotIn("Evening Recovery IOP", html)
        self.assertNotIn("Plan v2 strengths", html)
        self.assertIn("4 records are withheld under 42 CFR Part 2", html)
        sign(self.pat, ConsentKind.PART2_TPO)
        _, html = self.download(self.alvarez)
        self.assertIn("Evening Recovery IOP", html)
        self.assertIn("Plan v2 strengths", html)

    def test_a_staff_pdf_of_a_part2_note_needs_the_consent(self):
        response, _ = self.download(self.alvarez, "notes:pdf", self.part2_note.code)
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "withheld under 42 CFR Part 2", status_code=403)
        self.assertFalse(Disclosure.objects.exists())
        sign(self.pat, ConsentKind.PART2_TPO)
        response, html = self.download(self.alvarez, "notes:pdf", self.part2_note.code)
        self.assertEqual(response.status_code, 200)
        self.assertIn(PART2_TEXT, html)
        self.assertIn(NOTICE, html)
        disclosure = Disclosure.objects.get()
        self.assertEqual(disclosure.contents, {"notes": 1})
        self.assertTrue(disclosure.notice_attached)

    def test_the_participants_own_note_pdf_is_not_filtered(self):
        response, html = self.download(self.pat_user, "notes:my_note_pdf", self.part2_note.code)
        self.assertEqual(response.status_code, 200)
        self.assertIn(PART2_TEXT, html)

    def test_revoking_a_release_ends_it_at_once(self):
        given = release(self.pat, includes_part2=True)
        revoke_release(given, acting_user=self.pat_user)
        _, withheld, included = for_disclosure(designated_record(self.pat), consent=given)
        self.assertEqual((withheld, included), (2, False))
