"""Progress notes: starting one from a session or the chart, its page, the chart's list, the
participant's copy, the PDF and the plan's golden thread."""

from datetime import timedelta
from typing import ClassVar

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openiop.assessments.models import Response
from openiop.audit.models import AuditEvent
from openiop.careplans.hooks import notes_by_objective
from openiop.careplans.models import Goal, Objective, PlanProblem, TreatmentPlan
from openiop.notes import actions
from openiop.notes.models import Note
from openiop.notes.tests.progress_fixtures import (
    appointment,
    complete_draft,
    joined_by_video,
    plan_with_objectives,
    scored_phq9,
    sertraline,
)
from openiop.scheduling.models import Session
from openiop.telehealth.models import Attendance
from openiop.telehealth.tests.helpers import make_session
from openiop.testing import BaseTestCase


class StartForSessionTestCase(BaseTestCase):
    session: ClassVar[Session]
    attendance: ClassVar[Attendance]
    phq9: ClassVar[Response]
    objectives: ClassVar[list[Objective]]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.session = appointment(cls, cls.alvarez, cls.pat)
        cls.attendance = joined_by_video(cls.session, cls.pat)
        cls.phq9 = scored_phq9(cls, cls.pat)
        cls.objectives = plan_with_objectives(cls, cls.pat)

    def url(self, session=None, participant=None):
        url = reverse("notes:start_for_session", args=[(session or self.session).code])
        return f"{url}?participant={participant.code}" if participant else url

    def test_the_sessions_clinician_starts_a_draft_prefilled_from_the_video_session(self):
        self.login(self.alvarez)
        response = self.client.post(self.url(), {"participant": self.pat.code})
        note = Note.objects.get(session=self.session, participant=self.pat)
        self.assertRedirects(response, reverse("notes:edit", args=[note.code]))
        self.assertEqual(note.author, self.alvarez)
        self.assertEqual(note.kind, Note.Kind.INDIVIDUAL)
        self.assertEqual(note.form, Note.Form.SOAP)
        self.assertEqual(note.status, Note.Status.DRAFT)
        self.assertEqual(note.started_at, self.session.starts_at + timedelta(minutes=2))
        self.assertEqual(note.ended_at, self.session.starts_at + timedelta(minutes=50))
        self.assertEqual(note.telehealth_mode, Note.TelehealthMode.VIDEO)
        self.assertEqual(note.participant_location, "Brooklyn, NY")
        self.assertEqual(len(note.scores), 1)
        score = note.scores[0]
        self.assertEqual(
            (score["instrument"], score["value"], score["band"]),
            (self.phq9.instrument.title, 11, "Moderate"),
        )
        event = AuditEvent.objects.get(event_type="notes.note_started")
        self.assertEqual(event.details["note"], str(note.code))
        self.assertEqual(event.participant, self.pat)

    def test_following_the_link_starts_nothing_and_a_second_visit_opens_the_draft(self):
        self.login(self.alvarez)
        response = self.client.get(self.url(participant=self.pat))
        self.assertContains(response, "Start the note")
        self.assertFalse(Note.objects.exists())
        self.client.post(self.url(), {"participant": self.pat.code})
        note = Note.objects.get()
        self.assertRedirects(
            self.client.get(self.url(participant=self.pat)),
            reverse("notes:edit", args=[note.code]),
        )
        self.client.post(self.url(), {"participant": self.pat.code})
        self.assertEqual(Note.objects.count(), 1)

    def test_the_participant_may_be_left_out_when_one_is_booked(self):
        self.login(self.alvarez)
        self.client.post(self.url())
        self.assertTrue(Note.objects.filter(session=self.session, participant=self.pat).exists())

    def test_without_a_video_session_the_scheduled_times_are_used(self):
        session = appointment(self, self.alvarez, self.pat, starts_in=timedelta(hours=-3))
        note, created = actions.start_session_note(session, self.pat, acting_user=self.alvarez)
        self.assertTrue(created)
        self.assertEqual((note.started_at, note.ended_at), (session.starts_at, session.ends_at))
        self.assertEqual(note.participant_location, "")

    def test_a_psychiatry_note_starts_from_the_current_medications(self):
        sertraline(self, self.quinn)
        session = appointment(self, self.chen, self.quinn, kind=Session.Kind.PSYCHIATRY)
        self.login(self.chen)
        self.client.post(self.url(session), {"participant": self.quinn.code})
        note = Note.objects.get(session=session)
        self.assertEqual(note.kind, Note.Kind.PSYCHIATRY)
        self.assertIn("Sertraline — 50 mg by mouth daily", note.medications_reviewed)
        response = self.client.get(reverse("notes:edit", args=[note.code]))
        self.assertContains(response, "Medications reviewed")

    def test_scores_are_this_weeks_latest_per_instrument(self):
        scored_phq9(self, self.pat, days_ago=1, total=7)
        scored_phq9(self, self.pat, days_ago=9, total=20)
        scores = actions.start_session_note(self.session, self.pat, acting_user=self.alvarez)[
            0
        ].scores
        self.assertEqual([s["value"] for s in scores], [7])

    def test_the_edit_page_offers_the_plans_objectives(self):
        self.login(self.alvarez)
        self.client.post(self.url(), {"participant": self.pat.code})
        note = Note.objects.get()
        response = self.client.get(reverse("notes:edit", args=[note.code]))
        for objective in self.objectives:
            self.assertContains(response, f'value="{objective.pk}"')
        self.assertContains(response, "Use one distress-tolerance skill daily")

    def test_a_participant_not_booked_on_the_session_is_404(self):
        self.login(self.alvarez)
        response = self.client.post(self.url(), {"participant": self.quinn.code})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Note.objects.exists())

    def test_group_sessions_are_not_documented_here(self):
        group = make_session(self, "Evening skills group", [self.alvarez], [self.pat])
        self.login(self.alvarez)
        response = self.client.post(self.url(group), {"participant": self.pat.code})
        self.assertEqual(response.status_code, 404)

    def test_only_the_sessions_clinician_writes_its_note(self):
        self.login(self.dana)  # directs the program: may see the appointment
        self.assertEqual(
            self.client.post(self.url(), {"participant": self.pat.code}).status_code, 403
        )
        self.login(self.sam)
        self.assertEqual(
            self.client.post(self.url(), {"participant": self.pat.code}).status_code, 404
        )

    def test_a_cancelled_or_future_session_is_refused_with_a_message(self):
        later = appointment(self, self.alvarez, self.pat, starts_in=timedelta(days=1))
        self.login(self.alvarez)
        response = self.client.post(self.url(later), {"participant": self.pat.code})
        self.assertContains(response, "once the session has started", status_code=409)
        Session.objects.filter(pk=self.session.pk).update(
            status=Session.Status.CANCELLED, cancelled_at=timezone.now()
        )
        response = self.client.post(self.url(), {"participant": self.pat.code})
        self.assertContains(response, "was cancelled", status_code=409)
        self.assertFalse(Note.objects.exists())

    def test_the_session_page_links_its_clinician_to_the_note(self):
        self.login(self.alvarez)
        response = self.client.get(reverse("scheduling:session", args=[self.session.code]))
        self.assertContains(response, reverse("notes:start_for_session", args=[self.session.code]))
        self.assertContains(response, "Write note")
        self.login(self.dana)
        response = self.client.get(reverse("scheduling:session", args=[self.session.code]))
        self.assertNotContains(response, "Write note")


class NoteWithoutSessionTestCase(BaseTestCase):
    def test_the_chart_links_to_notes(self):
        self.login(self.alvarez)
        response = self.client.get(reverse("participants:chart", args=[self.pat.code]))
        self.assertContains(response, reverse("notes:participant_notes", args=[self.pat.code]))
        self.assertContains(response, reverse("notes:start_for_participant", args=[self.pat.code]))
        self.login(self.sam)  # reads the chart, cannot write notes
        response = self.client.get(reverse("participants:chart", args=[self.pat.code]))
        self.assertContains(response, reverse("notes:participant_notes", args=[self.pat.code]))
        self.assertNotContains(
            response, reverse("notes:start_for_participant", args=[self.pat.code])
        )

    def test_it_lists_the_clinicians_recent_sessions_to_document(self):
        session = appointment(self, self.alvarez, self.pat)
        self.login(self.alvarez)
        url = reverse("notes:start_for_participant", args=[self.pat.code])
        response = self.client.get(url)
        self.assertContains(response, reverse("notes:start_for_session", args=[session.code]))

    def test_a_clinician_writes_a_note_for_contact_that_was_not_booked(self):
        self.login(self.alvarez)
        url = reverse("notes:start_for_participant", args=[self.pat.code])
        start = (timezone.now() - timedelta(hours=3)).astimezone(self.alvarez_zone())
        response = self.client.post(
            url,
            {
                "kind": "family",
                "started_at": start.strftime("%Y-%m-%dT%H:%M"),
                "ended_at": (start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
            },
        )
        note = Note.objects.get()
        self.assertRedirects(response, reverse("notes:edit", args=[note.code]))
        self.assertIsNone(note.session)
        assert note.started_at is not None and note.ended_at is not None
        self.assertEqual(note.kind, Note.Kind.FAMILY)
        self.assertEqual(note.ended_at - note.started_at, timedelta(minutes=30))
        self.assertEqual(note.started_at.astimezone(self.alvarez_zone()).hour, start.hour)

    def test_times_in_the_wrong_order_or_the_future_are_refused(self):
        self.login(self.alvarez)
        url = reverse("notes:start_for_participant", args=[self.pat.code])
        start = (timezone.now() - timedelta(hours=3)).astimezone(self.alvarez_zone())
        response = self.client.post(
            url,
            {
                "kind": "individual",
                "started_at": start.strftime("%Y-%m-%dT%H:%M"),
                "ended_at": (start - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
            },
        )
        self.assertContains(response, "The end must be after the start.", status_code=400)
        later = start + timedelta(days=2)
        response = self.client.post(
            url,
            {
                "kind": "individual",
                "started_at": later.strftime("%Y-%m-%dT%H:%M"),
                "ended_at": (later + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            },
        )
        self.assertContains(response, "in the future", status_code=400)
        self.assertFalse(Note.objects.exists())

    def test_an_intake_coordinator_reads_notes_but_does_not_write_them(self):
        self.login(self.ivy)
        url = reverse("notes:start_for_participant", args=[self.pat.code])
        self.assertEqual(self.client.get(url).status_code, 403)
        list_url = reverse("notes:participant_notes", args=[self.pat.code])
        self.assertEqual(self.client.get(list_url).status_code, 200)

    def alvarez_zone(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.alvarez.timezone)


class NoteListTestCase(BaseTestCase):
    def make_notes(self, count: int) -> None:
        start = timezone.now() - timedelta(days=count)
        Note.objects.bulk_create(
            Note(
                participant=self.pat,
                author=self.alvarez,
                kind=Note.Kind.INDIVIDUAL,
                started_at=start + timedelta(days=n),
                ended_at=start + timedelta(days=n, minutes=50),
            )
            for n in range(count)
        )

    def test_it_lists_notes_newest_first_with_their_objectives(self):
        objectives = plan_with_objectives(self, self.pat)
        old = complete_draft(self.alvarez, self.pat)
        new = complete_draft(
            self.alvarez, self.pat, started_at=timezone.now() - timedelta(minutes=55)
        )
        new.objectives.set(objectives[:1])
        self.login(self.sam)
        response = self.client.get(reverse("notes:participant_notes", args=[self.pat.code]))
        self.assertEqual(list(response.context["page"]), [new, old])
        self.assertContains(response, "Use one distress-tolerance skill daily")
        self.assertContains(response, "Draft (not signed)")
        self.assertEqual(AuditEvent.objects.filter(event_type="notes.note_list_viewed").count(), 1)

    def test_the_query_count_stays_the_same_with_500_notes(self):
        self.login(self.alvarez)
        url = reverse("notes:participant_notes", args=[self.pat.code])
        self.make_notes(3)
        self.client.get(url)
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        self.make_notes(497)
        with self.assertNumQueries(len(few.captured_queries)):
            response = self.client.get(url)
        self.assertEqual(len(response.context["page"]), 50)
        self.assertContains(response, "500 notes")
        self.assertEqual(
            self.client.get(url, {"page": 10}).context["page"].number,
            10,
        )

    def test_participants_use_their_own_pages(self):
        self.login(self.pat_user)
        url = reverse("notes:participant_notes", args=[self.pat.code])
        self.assertEqual(self.client.get(url).status_code, 404)


class ParticipantCopyTestCase(BaseTestCase):
    def test_a_participant_reads_their_own_signed_notes_and_no_drafts(self):
        signed = actions.sign_note(complete_draft(self.alvarez, self.pat), acting_user=self.alvarez)
        draft = complete_draft(self.alvarez, self.pat, sections={"subjective": "DRAFT-ONLY-WORDS"})
        self.login(self.pat_user)
        response = self.client.get(reverse("notes:my_notes"))
        self.assertEqual(list(response.context["page"]), [signed])
        response = self.client.get(reverse("notes:my_note", args=[signed.code]))
        self.assertContains(response, "Pat says the week was hard.")
        self.assertContains(response, "Signed electronically by")
        self.assertEqual(
            self.client.get(reverse("notes:my_note", args=[draft.code])).status_code, 404
        )
        self.assertEqual(
            self.client.get(reverse("notes:note", args=[signed.code])).status_code, 404
        )
        pdf = self.client.get(reverse("notes:my_note_pdf", args=[signed.code]))
        self.assertEqual(pdf["Content-Type"], "application/pdf")

    def test_another_participants_note_is_404(self):
        quinns = actions.sign_note(complete_draft(self.chen, self.quinn), acting_user=self.chen)
        self.login(self.pat_user)
        self.assertEqual(
            self.client.get(reverse("notes:my_note", args=[quinns.code])).status_code, 404
        )
        self.assertEqual(
            self.client.get(reverse("notes:my_note_pdf", args=[quinns.code])).status_code, 404
        )

    def test_the_participants_own_pages_are_404_to_staff(self):
        self.login(self.alvarez)
        self.assertEqual(self.client.get(reverse("notes:my_notes")).status_code, 404)


MARKUP = '<script>alert("x")</script><img src="file:///etc/passwd">'


class NotePageAndPdfTestCase(BaseTestCase):
    def signed_note_full_of_markup(self) -> Note:
        note = complete_draft(
            self.alvarez,
            self.pat,
            participant_location=MARKUP[:200],
            sections={key: MARKUP for key in ("subjective", "objective", "assessment", "plan")},
            risk_comment=MARKUP,
        )
        note = actions.sign_note(note, acting_user=self.alvarez)
        actions.add_addendum(note, text=MARKUP, reason=MARKUP[:200], acting_user=self.alvarez)
        return note

    def test_html_typed_into_any_field_is_inert_on_the_page(self):
        note = self.signed_note_full_of_markup()
        self.login(self.alvarez)
        response = self.client.get(reverse("notes:note", args=[note.code]))
        body = response.content.decode()
        self.assertNotIn("<script>alert", body)
        self.assertNotIn('<img src="file:', body)
        self.assertIn("&lt;script&gt;alert", body)
        self.assertEqual(AuditEvent.objects.filter(event_type="notes.note_viewed").count(), 1)

    def test_the_pdf_of_a_signed_note_is_an_audited_attachment(self):
        note = self.signed_note_full_of_markup()
        self.login(self.sam)
        response = self.client.get(reverse("notes:pdf", args=[note.code]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF-"))
        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
        self.assertNotIn("Lindqvist", response["Content-Disposition"])
        self.assertEqual(response["Cache-Control"], "no-store")
        event = AuditEvent.objects.get(event_type="notes.note_exported")
        self.assertEqual((event.actor, event.participant), (self.sam, self.pat))

    def test_a_draft_has_no_pdf(self):
        note = complete_draft(self.alvarez, self.pat)
        self.login(self.alvarez)
        self.assertEqual(self.client.get(reverse("notes:pdf", args=[note.code])).status_code, 404)
        self.assertFalse(AuditEvent.objects.filter(event_type="notes.note_exported").exists())

    def test_the_pdfs_document_escapes_markup_and_holds_only_this_participant(self):
        note = self.signed_note_full_of_markup()
        quinns = actions.sign_note(complete_draft(self.chen, self.quinn), acting_user=self.chen)
        from openiop.notes.views.progress import _note_context

        html = render_to_string(
            "notes/note_pdf.html",
            _note_context(note, zone="America/New_York", printed_at=timezone.now()),
        )
        self.assertNotIn("<script>alert", html)
        self.assertIn("&lt;script&gt;", html)
        self.assertIn("Patricia Lindqvist", html)
        self.assertNotIn("Quinn", html)
        self.assertNotIn(str(quinns.code), html)


class GoldenThreadTestCase(BaseTestCase):
    def test_the_plan_gets_each_objectives_notes_in_one_query(self):
        first, second = plan_with_objectives(self, self.pat)
        older = complete_draft(self.alvarez, self.pat)
        older.objectives.set([first, second])
        actions.sign_note(older, acting_user=self.alvarez)
        newer = complete_draft(
            self.alvarez, self.pat, started_at=timezone.now() - timedelta(minutes=55)
        )
        # The next plan version copies the objective; its lineage carries the thread.
        plan = TreatmentPlan.objects.create(participant=self.pat, number=2, created_by=self.alvarez)
        problem = PlanProblem.objects.create(plan=plan, in_own_words="x", clinical_statement="y")
        goal = Goal.objects.create(problem=problem, text="z")
        copy = Objective.objects.create(
            goal=goal, lineage=first.lineage, text=first.text, target_date=first.target_date
        )
        newer.objectives.set([copy])
        with self.assertNumQueries(1):
            found = notes_by_objective([first.lineage, second.lineage])
            authors = [n.author.display_name for notes in found.values() for n in notes]
        self.assertEqual(found[first.lineage], [newer, older])
        self.assertEqual(found[second.lineage], [older])
        self.assertTrue(all(authors))
