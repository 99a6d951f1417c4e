"""The full-record PDF: the designated record, nothing more (CLINICAL.md §6.2, §6.3)."""

from datetime import UTC, datetime, timedelta
from typing import ClassVar
from unittest import mock

from django.template.loader import render_to_string
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.audit.reads import READ_EVENTS
from openiop.careplans.models import TreatmentPlan
from openiop.lib import pdf as pdf_module
from openiop.notes.models import Note
from openiop.notes.psychotherapy.actions import write_note
from openiop.notes.tests.helpers import addendum, group_session, signed_note, summary_and_plans
from openiop.testing import BaseTestCase

MONDAY = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


class RecordPdfTest(BaseTestCase):
    plan_v1: ClassVar[TreatmentPlan]
    plan_v2: ClassVar[TreatmentPlan]
    first: ClassVar[Note]
    second: ClassVar[Note]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plan_v1, cls.plan_v2 = summary_and_plans(cls, cls.pat)
        objective = cls.plan_v2.problems.get().goals.get().objectives.get()
        cls.first = signed_note(
            cls.pat,
            cls.alvarez,
            started_at=MONDAY,
            sections={"subjective": "First note: slept four hours.", "plan": "Sleep diary."},
            objectives=[objective],
        )
        cls.second = signed_note(
            cls.pat,
            cls.alvarez,
            started_at=MONDAY + timedelta(days=7),
            sections={"subjective": "Second note: slept six hours."},
        )
        addendum(cls.first, cls.alvarez, "Addendum to the first note: PHQ-9 was 12.")
        session = group_session(cls, participants=[cls.pat, cls.quinn], start=MONDAY)
        for participant, own in (
            (cls.pat, "Pat practised TIPP."),
            (cls.quinn, "Quinn left early."),
        ):
            signed_note(
                participant,
                cls.alvarez,
                started_at=MONDAY + timedelta(days=3),
                kind=Note.Kind.GROUP,
                session=session,
                shared_text="Group: distress tolerance, TIPP skills.",
                individual_text=own,
            )
        Note.objects.create(
            participant=cls.pat,
            author=cls.alvarez,
            kind=Note.Kind.INDIVIDUAL,
            started_at=MONDAY + timedelta(days=14),
            sections={"subjective": "Draft note, not yet signed."},
        )
        signed_note(
            cls.quinn, cls.chen, started_at=MONDAY, sections={"subjective": "Quinn's own note."}
        )
        write_note(
            cls.pat, text="Psychotherapy note: never in the record.", acting_user=cls.alvarez
        )

    def download(self, user, participant=None):
        """The response, and the HTML that WeasyPrint laid the PDF out from."""
        seen: list[str] = []

        def keep(name, context):
            html = render_to_string(name, context)
            seen.append(html)
            return html

        self.login(user)
        url = reverse("notes:record_pdf", args=[(participant or self.pat).code])
        with mock.patch.object(pdf_module, "render_to_string", keep):
            response = self.client.get(url)
        return response, (seen[0] if seen else "")

    def test_a_chart_reader_downloads_a_pdf_that_is_not_cached(self):
        response, _ = self.download(self.sam)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF-"))
        self.assertEqual(
            response["Content-Disposition"], f'attachment; filename="record-{self.pat.code}.pdf"'
        )
        self.assertEqual(response["Cache-Control"], "no-store")

    def test_the_download_is_one_read_event_with_counts_only(self):
        self.download(self.alvarez)
        reads = AuditEvent.objects.filter(event_type__in=READ_EVENTS)
        self.assertEqual(
            list(reads.values_list("event_type", flat=True)), ["notes.record_exported"]
        )
        event = reads.get()
        self.assertEqual(event.participant, self.pat)
        self.assertEqual(event.details, {"format": "pdf", "notes": 3})

    def test_it_holds_the_summary_both_plans_and_every_signed_note_oldest_first(self):
        _, html = self.download(self.alvarez)
        for text in (
            "Patricia Lindqvist",
            "F33.1",
            "Sertraline",
            "Penicillin",
            "Plan v1 strengths",
            "Plan v2 strengths",
            "Plan v2 objective: PHQ-9 at most 9.",
            "First note: slept four hours.",
            "Addendum to the first note: PHQ-9 was 12.",
            "Second note: slept six hours.",
            "Pat practised TIPP.",
        ):
            with self.subTest(text=text):
                self.assertIn(text, html)
        order = [
            "Plan v2 strengths",
            "Plan v1 strengths",
            "First note: slept four hours.",
            "Addendum to the first note",
            "Pat practised TIPP.",
            "Second note: slept six hours.",
        ]
        positions = [html.index(text) for text in order]
        self.assertEqual(positions, sorted(positions))

    def test_it_leaves_out_drafts_psychotherapy_notes_and_other_participants(self):
        TreatmentPlan.objects.create(
            participant=self.pat,
            number=3,
            lineage=self.plan_v2.lineage,
            status=TreatmentPlan.Status.DRAFT,
            strengths="Plan v3 draft strengths.",
            created_by=self.alvarez,
        )
        _, html = self.download(self.alvarez)
        for text in (
            "Draft note, not yet signed.",
            "Plan v3 draft strengths.",
            "Psychotherapy note: never in the record.",
            "Quinn",
            "Marlowe",
            "Quinn's own note.",
            "Quinn left early.",
        ):
            with self.subTest(text=text):
                self.assertNotIn(text, html)

    def test_a_group_note_holds_the_shared_part_and_only_this_attendees_part(self):
        _, html = self.download(self.alvarez)
        self.assertEqual(html.count("Group: distress tolerance, TIPP skills."), 1)
        self.assertIn("Pat practised TIPP.", html)
        self.assertNotIn("Quinn left early.", html)
        _, quinns = self.download(self.chen, self.quinn)
        self.assertIn("Quinn left early.", quinns)
        self.assertNotIn("Pat practised TIPP.", quinns)

    def test_markup_typed_into_a_note_stays_text(self):
        signed_note(
            self.pat,
            self.alvarez,
            started_at=MONDAY + timedelta(days=20),
            sections={"subjective": '<img src="file:///etc/passwd"><script>alert(1)</script>'},
        )
        response, html = self.download(self.alvarez)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("<script>alert(1)", html)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)

    def test_the_participant_downloads_her_own_record_and_nobody_elses(self):
        response, html = self.download(self.pat_user)
        self.assertEqual(response.status_code, 200)
        self.assertIn("First note: slept four hours.", html)
        self.assertNotIn("Psychotherapy note", html.replace("psychotherapy notes (45 CFR", ""))
        response, _ = self.download(self.pat_user, self.quinn)
        self.assertEqual(response.status_code, 404)

    def test_outsiders_get_404(self):
        for user in (self.chen, self.admin, self.quinn_user):
            with self.subTest(user=user.email):
                response, _ = self.download(user)
                self.assertEqual(response.status_code, 404)

    def test_the_chart_links_to_it(self):
        self.login(self.alvarez)
        page = self.client.get(reverse("participants:chart", args=[self.pat.code]))
        self.assertContains(page, reverse("notes:record_pdf", args=[self.pat.code]))
