"""Psychotherapy notes: the author's alone, encrypted, and never the record (CLINICAL.md §6.2)."""

from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.lib.crypto import key_id_of
from openiop.notes.models import PsychotherapyNote
from openiop.notes.psychotherapy import actions
from openiop.notes.tests.helpers import group_session
from openiop.testing import BaseTestCase, make_user

TEXT = "Pat spoke about her father for the first time; note the shift in affect."


class PsychotherapyTestCase(BaseTestCase):
    def write(self, text: str = TEXT, **kwargs) -> PsychotherapyNote:
        return actions.write_note(self.pat, text=text, acting_user=self.alvarez, **kwargs)

    def raw_ciphertext(self, note: PsychotherapyNote) -> str:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT ciphertext FROM notes_psychotherapynote WHERE id = %s", [note.pk]
            )
            return cursor.fetchone()[0]


class WritingTest(PsychotherapyTestCase):
    def test_it_stores_the_text_encrypted_under_the_current_key(self):
        note = self.write()
        stored = self.raw_ciphertext(note)
        self.assertEqual(key_id_of(stored), "test")
        self.assertNotIn("father", stored)
        self.assertEqual(actions.decrypt(note), TEXT)

    def test_the_database_refuses_clear_text(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            PsychotherapyNote.objects.create(
                author=self.alvarez, participant=self.pat, ciphertext=TEXT
            )

    def test_the_author_writes_from_the_form_and_reads_it_back(self):
        self.login(self.alvarez)
        response = self.client.post(
            reverse("notes:psychotherapy_new", args=[self.pat.code]), {"text": TEXT, "session": ""}
        )
        note = PsychotherapyNote.objects.get()
        self.assertRedirects(response, reverse("notes:psychotherapy_note", args=[note.code]))
        self.assertEqual(note.author, self.alvarez)
        page = self.client.get(reverse("notes:psychotherapy_note", args=[note.code]))
        self.assertContains(page, "first time; note the shift")
        self.assertContains(page, "Kept apart from the record; not part of the participant")
        self.assertIn("no-store", page["Cache-Control"])

    def test_a_note_from_the_session_page_is_tied_to_that_session(self):
        session = group_session(self, participants=[self.pat, self.quinn])
        self.login(self.alvarez)
        page = self.client.get(reverse("scheduling:session", args=[session.code]))
        link = reverse("notes:psychotherapy_new", args=[self.pat.code]) + f"?session={session.code}"
        self.assertContains(page, link)
        form = self.client.get(link)
        self.assertContains(form, f'<option value="{session.code}" selected>')
        self.client.post(link, {"text": TEXT, "session": str(session.code)})
        self.assertEqual(PsychotherapyNote.objects.get().session, session)

    def test_a_session_the_author_did_not_run_is_refused(self):
        session = group_session(self, participants=[self.quinn])
        self.login(self.alvarez)
        response = self.client.post(
            reverse("notes:psychotherapy_new", args=[self.pat.code]),
            {"text": TEXT, "session": str(session.code)},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, TEXT, status_code=400)
        self.assertFalse(PsychotherapyNote.objects.exists())

    def test_a_made_up_session_code_is_refused_not_an_error(self):
        self.login(self.alvarez)
        url = reverse("notes:psychotherapy_new", args=[self.pat.code])
        self.assertEqual(self.client.get(url + "?session=not-a-code").status_code, 200)
        response = self.client.post(url, {"text": TEXT, "session": "not-a-code"})
        self.assertContains(response, TEXT, status_code=400)

    def test_an_empty_note_is_refused_with_a_message(self):
        self.login(self.alvarez)
        response = self.client.post(
            reverse("notes:psychotherapy_new", args=[self.pat.code]), {"text": "   "}
        )
        self.assertContains(response, "Write the note", status_code=400)

    def test_a_100_kb_note_is_kept_whole(self):
        text = ("Long session. " * 7500)[:100_000]
        self.login(self.alvarez)
        self.client.post(reverse("notes:psychotherapy_new", args=[self.pat.code]), {"text": text})
        self.assertEqual(actions.decrypt(PsychotherapyNote.objects.get()), text)

    def test_an_over_long_note_is_refused_and_kept_in_the_form(self):
        text = "x" * (actions.MAX_TEXT_LENGTH + 1)
        self.login(self.alvarez)
        response = self.client.post(
            reverse("notes:psychotherapy_new", args=[self.pat.code]), {"text": text}
        )
        self.assertContains(response, "The note is too long", status_code=400)
        self.assertContains(response, text, status_code=400)

    def test_markup_typed_in_a_note_stays_text(self):
        note = self.write('<script>alert("x")</script><img src=x onerror=alert(1)>')
        self.login(self.alvarez)
        page = self.client.get(reverse("notes:psychotherapy_note", args=[note.code]))
        self.assertNotContains(page, "<script>alert")
        self.assertContains(page, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")

    def test_audit_events_carry_no_text(self):
        note = self.write()
        self.login(self.alvarez)
        self.client.get(reverse("notes:psychotherapy_note", args=[note.code]))
        self.client.post(
            reverse("notes:psychotherapy_edit", args=[note.code]),
            {"text": TEXT + " Second thought.", "version": 1},
        )
        events = AuditEvent.objects.filter(event_type__startswith="notes.psychotherapy")
        self.assertEqual(
            list(events.values_list("event_type", flat=True)),
            [
                "notes.psychotherapy_note_written",
                "notes.psychotherapy_note_viewed",
                "notes.psychotherapy_note_updated",
            ],
        )
        for event in events:
            self.assertEqual(event.target_id, str(note.code))
            self.assertNotIn("father", str(event.details))


class EditingTest(PsychotherapyTestCase):
    def test_the_author_edits_with_the_version_she_opened(self):
        note = self.write()
        self.login(self.alvarez)
        form = self.client.get(reverse("notes:psychotherapy_edit", args=[note.code]))
        self.assertContains(form, 'name="version" value="1"')
        response = self.client.post(
            reverse("notes:psychotherapy_edit", args=[note.code]),
            {"text": "Revised.", "version": 1},
        )
        self.assertRedirects(response, reverse("notes:psychotherapy_note", args=[note.code]))
        note.refresh_from_db()
        self.assertEqual((actions.decrypt(note), note.edit_version), ("Revised.", 2))

    def test_a_second_save_from_the_same_version_is_a_conflict_that_keeps_its_text(self):
        note = self.write()
        self.login(self.alvarez)
        url = reverse("notes:psychotherapy_edit", args=[note.code])
        self.client.post(url, {"text": "Saved in the first tab.", "version": 1})
        response = self.client.post(url, {"text": "Typed in the second tab.", "version": 1})
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Typed in the second tab.", status_code=409)
        self.assertContains(response, "Saved in the first tab.", status_code=409)
        self.assertContains(response, 'name="version" value="2"', status_code=409)
        note.refresh_from_db()
        self.assertEqual(actions.decrypt(note), "Saved in the first tab.")

    def test_the_action_refuses_a_stale_version(self):
        note = self.write()
        actions.update_note(note, text="One.", expected_version=1, acting_user=self.alvarez)
        with self.assertRaises(actions.StaleNote):
            actions.update_note(note, text="Two.", expected_version=1, acting_user=self.alvarez)


class OnlyTheAuthorTest(PsychotherapyTestCase):
    def test_everyone_but_the_author_gets_404(self):
        session = group_session(self, participants=[self.pat])
        note = self.write(session=session)
        # Sam co-facilitated the session; Dana directs the program and is a psychologist.
        for user in (self.sam, self.dana, self.chen, self.ivy, self.admin, self.pat_user):
            self.login(user)
            for name in ("notes:psychotherapy_note", "notes:psychotherapy_edit"):
                with self.subTest(user=user.email, url=name):
                    self.assertEqual(
                        self.client.get(reverse(name, args=[note.code])).status_code, 404
                    )
            response = self.client.post(
                reverse("notes:psychotherapy_edit", args=[note.code]),
                {"text": "Overwritten.", "version": 1},
            )
            self.assertEqual(response.status_code, 404)
        note.refresh_from_db()
        self.assertEqual(actions.decrypt(note), TEXT)

    def test_the_list_shows_only_the_viewers_own_notes(self):
        mine = self.write()
        theirs = actions.write_note(self.pat, text="Dana's.", acting_user=self.dana)
        self.login(self.dana)
        page = self.client.get(reverse("notes:psychotherapy_list", args=[self.pat.code]))
        self.assertContains(page, str(theirs.code))
        self.assertNotContains(page, str(mine.code))

    def test_the_author_who_leaves_the_care_team_loses_the_notes_too(self):
        note = self.write()
        self.pat.care_team.filter(clinician=self.alvarez).delete()
        self.login(self.alvarez)
        response = self.client.get(reverse("notes:psychotherapy_note", args=[note.code]))
        self.assertEqual(response.status_code, 404)


class WhoMayKeepNotesTest(PsychotherapyTestCase):
    def test_mental_health_disciplines_may_and_others_may_not(self):
        for discipline, expected in (
            (User.Discipline.PSYCHIATRIST, True),
            (User.Discipline.PSYCHOLOGIST, True),
            (User.Discipline.SOCIAL_WORKER, True),
            (User.Discipline.COUNSELOR, True),
            (User.Discipline.NURSE, True),
            (User.Discipline.PEER_SPECIALIST, False),
            (User.Discipline.CASE_MANAGER, False),
            ("", False),
        ):
            user = make_user(f"{discipline or 'none'}@example.org", "A", "B", User.Role.CLINICIAN)
            user.discipline = discipline
            with self.subTest(discipline=discipline):
                self.assertEqual(user.is_mental_health_professional, expected)
        self.assertFalse(self.ivy.is_mental_health_professional)
        self.assertFalse(self.pat_user.is_mental_health_professional)

    def test_the_chart_links_to_private_notes_only_for_those_who_may_keep_them(self):
        link = reverse("notes:psychotherapy_list", args=[self.pat.code])
        for user, shown in ((self.alvarez, True), (self.sam, False), (self.pat_user, False)):
            self.login(user)
            page = self.client.get(reverse("participants:chart", args=[self.pat.code]))
            with self.subTest(user=user.email):
                if shown:
                    self.assertContains(page, link)
                else:
                    self.assertNotContains(page, link)

    def test_the_co_facilitator_is_offered_no_private_note_on_the_session_page(self):
        session = group_session(self, participants=[self.pat])
        self.login(self.sam)
        page = self.client.get(reverse("scheduling:session", args=[session.code]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "psychotherapy")


class KeptOutOfTheAdminTest(PsychotherapyTestCase):
    def test_the_admin_site_has_no_page_for_psychotherapy_notes(self):
        from django.contrib import admin

        self.assertNotIn(PsychotherapyNote, admin.site._registry)


class ErrorReportsTest(PsychotherapyTestCase):
    def test_an_error_report_of_a_note_page_hides_the_text(self):
        from django.test import RequestFactory
        from django.views.debug import SafeExceptionReporterFilter

        from openiop.notes.psychotherapy import views

        url = reverse("notes:psychotherapy_new", args=[self.pat.code])
        request = RequestFactory().post(url, {"text": TEXT, "session": "not-a-session"})
        request.user = self.alvarez
        response = views.new_note(request, str(self.pat.code))  # type: ignore[arg-type]
        self.assertEqual(response.status_code, 400)
        cleansed = SafeExceptionReporterFilter().get_post_parameters(request)
        self.assertNotIn("father", str(cleansed))
        self.assertNotEqual(cleansed["text"], TEXT)
