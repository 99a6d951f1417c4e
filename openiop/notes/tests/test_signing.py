"""Signing locks a note; later changes are addenda; co-signature where the program needs it."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from openiop.audit.models import AuditEvent
from openiop.lib.integrity import content_hash
from openiop.notes import actions
from openiop.notes.models import Addendum, Note
from openiop.notes.tests.progress_fixtures import (
    appointment,
    complete_draft,
    plan_with_objectives,
    post_data,
)
from openiop.participants.models import Participant
from openiop.testing import BaseTestCase


class SignNoteTestCase(BaseTestCase):
    def test_signing_locks_the_note_and_hashes_what_was_signed(self):
        note = complete_draft(self.alvarez, self.pat)
        note.objectives.set(plan_with_objectives(self, self.pat)[:1])
        actions.sign_note(note, acting_user=self.alvarez)
        note.refresh_from_db()
        self.assertEqual(note.status, Note.Status.SIGNED)
        self.assertEqual(note.signed_by, self.alvarez)
        self.assertIsNotNone(note.signed_at)
        self.assertEqual(note.content_hash, content_hash(note.signed_content()))
        self.assertTrue(actions.signature_matches(note))
        self.assertFalse(note.cosign_required)
        event = AuditEvent.objects.get(event_type="notes.note_signed")
        self.assertEqual(event.details["note"], str(note.code))
        self.assertEqual(event.details["objectives"], 1)

    def test_a_note_signed_twice_says_so_and_changes_nothing(self):
        note = actions.sign_note(complete_draft(self.alvarez, self.pat), acting_user=self.alvarez)
        signed_at, digest = note.signed_at, note.content_hash
        with self.assertRaisesMessage(actions.NoteAlreadySigned, "already signed by Rosa Alvarez"):
            actions.sign_note(note, acting_user=self.alvarez)
        note.refresh_from_db()
        self.assertEqual((note.signed_at, note.content_hash), (signed_at, digest))
        self.assertEqual(AuditEvent.objects.filter(event_type="notes.note_signed").count(), 1)

    def test_signing_twice_through_the_page_shows_the_message(self):
        note = actions.sign_note(complete_draft(self.alvarez, self.pat), acting_user=self.alvarez)
        self.login(self.alvarez)
        response = self.client.post(
            reverse("notes:edit", args=[note.code]), post_data(note, action="sign")
        )
        self.assertContains(response, "This note is signed", status_code=409)

    def test_only_the_author_signs(self):
        note = complete_draft(self.alvarez, self.pat)
        with self.assertRaisesMessage(actions.NoteError, "Only the note's author"):
            actions.sign_note(note, acting_user=self.dana)
        self.login(self.dana)
        response = self.client.post(
            reverse("notes:edit", args=[note.code]), post_data(note, action="sign")
        )
        self.assertEqual(response.status_code, 403)
        note.refresh_from_db()
        self.assertFalse(note.is_signed)

    def test_a_note_missing_a_required_part_is_not_signed_and_the_text_is_kept(self):
        note = complete_draft(self.alvarez, self.pat, risk_status="", participant_location="")
        self.login(self.alvarez)
        data = post_data(note, action="sign", section_assessment="", section_plan="New plan text")
        response = self.client.post(reverse("notes:edit", args=[note.code]), data)
        self.assertContains(response, "Write the Assessment section.", status_code=400)
        self.assertContains(response, "Record the risk status.", status_code=400)
        self.assertContains(response, "Record where the participant was", status_code=400)
        self.assertContains(response, "New plan text", status_code=400)
        note.refresh_from_db()
        self.assertFalse(note.is_signed)
        # What was typed is saved, and the page carries the new version to sign again.
        self.assertEqual(note.sections["plan"], "New plan text")
        self.assertContains(
            response, f'name="edit_version" value="{note.edit_version}"', status_code=400
        )

    def test_text_left_under_another_formats_section_blocks_signing(self):
        note = complete_draft(
            self.alvarez, self.pat, form=Note.Form.DAP, sections={"data": "D", "assessment": "A"}
        )
        note.sections["plan"] = "P"
        note.sections["subjective"] = "Left from SOAP"
        note.save()
        missing = dict(actions.missing_for_signature(note))
        self.assertIn("A DAP note has no Subjective section", missing["section_subjective"])

    def test_psychiatry_notes_need_the_medications_reviewed(self):
        note = complete_draft(self.chen, self.quinn, kind=Note.Kind.PSYCHIATRY)
        missing = dict(actions.missing_for_signature(note))
        self.assertEqual(missing["medications_reviewed"], "Record the medications reviewed.")

    def test_the_signed_form_posts_signs_in_one_step(self):
        session = appointment(self, self.alvarez, self.pat)
        note, _ = actions.start_session_note(session, self.pat, acting_user=self.alvarez)
        self.login(self.alvarez)
        data = post_data(
            note,
            action="sign",
            participant_location="Brooklyn, NY",
            risk_status="low",
            **{f"section_{k}": "Text" for k in ("subjective", "objective", "assessment", "plan")},
        )
        response = self.client.post(reverse("notes:edit", args=[note.code]), data)
        self.assertRedirects(response, reverse("notes:note", args=[note.code]))
        note.refresh_from_db()
        self.assertTrue(note.is_signed)
        page = self.client.get(reverse("notes:note", args=[note.code]))
        self.assertContains(page, "Signed electronically by")
        self.assertContains(page, "the note is unchanged since it was signed")


class SignedNotesAreLockedTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.note = actions.sign_note(
            complete_draft(self.alvarez, self.pat), acting_user=self.alvarez
        )

    def test_the_edit_page_of_a_signed_note_says_it_is_locked(self):
        self.login(self.alvarez)
        response = self.client.get(reverse("notes:edit", args=[self.note.code]))
        self.assertContains(response, "Add an addendum", status_code=409)

    def test_an_edit_or_autosave_of_a_signed_note_is_refused(self):
        self.login(self.alvarez)
        data = post_data(self.note, section_plan="Changed after signing")
        response = self.client.post(reverse("notes:edit", args=[self.note.code]), data)
        self.assertEqual(response.status_code, 409)
        response = self.client.post(
            reverse("notes:autosave", args=[self.note.code]),
            data,
            HTTP_ACCEPT="application/json",
        )
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json()["error"], "signed")
        with self.assertRaises(actions.NoteLocked):
            actions.save_draft(
                self.note,
                values={"risk_comment": "x"},
                objectives=None,
                expected_version=self.note.edit_version,
                acting_user=self.alvarez,
            )
        self.note.refresh_from_db()
        self.assertNotEqual(self.note.sections["plan"], "Changed after signing")
        self.assertTrue(actions.signature_matches(self.note))


class AddendumTestCase(BaseTestCase):
    def test_an_addendum_to_an_unsigned_note_is_refused(self):
        note = complete_draft(self.alvarez, self.pat)
        with self.assertRaisesMessage(actions.NoteNotSigned, "an addendum is for a signed note"):
            actions.add_addendum(note, text="Late entry", reason="Late", acting_user=self.alvarez)
        self.login(self.alvarez)
        response = self.client.post(
            reverse("notes:addendum", args=[note.code]),
            {"reason": "Late entry", "text": "Words I typed"},
        )
        self.assertContains(response, "an addendum is for a signed note", status_code=409)
        self.assertContains(response, "Words I typed", status_code=409)
        self.assertFalse(Addendum.objects.exists())

    def test_a_chart_writer_adds_an_addendum_with_who_when_and_why(self):
        note = actions.sign_note(complete_draft(self.alvarez, self.pat), acting_user=self.alvarez)
        digest = note.content_hash
        self.login(self.dana)
        response = self.client.post(
            reverse("notes:addendum", args=[note.code]),
            {"reason": "Information received later", "text": "Pat's sister called."},
        )
        self.assertRedirects(response, reverse("notes:note", args=[note.code]))
        addendum = Addendum.objects.get()
        self.assertEqual((addendum.author, addendum.note), (self.dana, note))
        page = self.client.get(reverse("notes:note", args=[note.code]))
        self.assertContains(page, "Addendum by <bdi>Dana Director, PhD</bdi>")
        self.assertContains(page, "Information received later")
        self.assertContains(page, "Pat&#x27;s sister called.")
        note.refresh_from_db()
        self.assertEqual(note.content_hash, digest)
        event = AuditEvent.objects.get(event_type="notes.addendum_added")
        self.assertEqual(event.details, {"note": str(note.code), "addendum": str(addendum.code)})

    def test_readers_and_intake_coordinators_cannot_add_addenda(self):
        note = actions.sign_note(complete_draft(self.alvarez, self.pat), acting_user=self.alvarez)
        url = reverse("notes:addendum", args=[note.code])
        data = {"reason": "Correction", "text": "x"}
        for user in (self.sam, self.ivy):
            self.login(user)
            self.assertEqual(self.client.post(url, data).status_code, 403)
        self.assertFalse(Addendum.objects.exists())

    def test_a_discharged_chart_still_takes_addenda_but_no_new_drafts(self):
        note = actions.sign_note(complete_draft(self.alvarez, self.pat), acting_user=self.alvarez)
        draft = complete_draft(self.alvarez, self.pat)
        Participant.objects.filter(pk=self.pat.pk).update(discharged_at=timezone.now())
        self.login(self.alvarez)
        response = self.client.post(
            reverse("notes:addendum", args=[note.code]),
            {"reason": "Late entry", "text": "Seen after discharge."},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Addendum.objects.count(), 1)
        response = self.client.get(reverse("notes:edit", args=[draft.code]))
        self.assertEqual(response.status_code, 403)

    def test_an_addendum_needs_a_reason_and_keeps_its_text(self):
        note = actions.sign_note(complete_draft(self.alvarez, self.pat), acting_user=self.alvarez)
        self.login(self.alvarez)
        response = self.client.post(
            reverse("notes:addendum", args=[note.code]), {"reason": "", "text": "Kept words"}
        )
        self.assertContains(response, "Kept words", status_code=400)
        self.assertContains(response, "This field is required.", status_code=400)


class CosignTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.program.requires_cosignature = True
        cls.program.save()
        # Dr. Alvarez is supervised by Dana in this scene.
        cls.alvarez.supervisor = cls.dana
        cls.alvarez.save()

    def signed(self) -> Note:
        return actions.sign_note(complete_draft(self.alvarez, self.pat), acting_user=self.alvarez)

    def test_a_supervisees_note_awaits_the_supervisors_cosignature(self):
        note = self.signed()
        self.assertTrue(note.cosign_required)
        self.assertTrue(note.awaiting_cosignature)
        self.login(self.dana)
        page = self.client.get(reverse("notes:note", args=[note.code]))
        self.assertContains(page, "Awaiting co-signature by")
        self.assertContains(page, "Co-sign this note")
        response = self.client.post(reverse("notes:cosign", args=[note.code]))
        self.assertRedirects(response, reverse("notes:note", args=[note.code]))
        note.refresh_from_db()
        self.assertEqual(note.cosigned_by, self.dana)
        self.assertIsNotNone(note.cosigned_at)
        self.assertTrue(AuditEvent.objects.filter(event_type="notes.note_cosigned").exists())

    def test_no_one_else_cosigns_and_nobody_cosigns_twice(self):
        note = self.signed()
        with self.assertRaises(PermissionDenied):
            actions.cosign_note(note, acting_user=self.alvarez)
        self.login(self.chen)
        self.assertEqual(
            self.client.post(reverse("notes:cosign", args=[note.code])).status_code, 404
        )
        actions.cosign_note(note, acting_user=self.dana)
        with self.assertRaisesMessage(actions.NoteError, "already co-signed"):
            actions.cosign_note(note, acting_user=self.dana)

    def test_a_supervisor_off_the_care_team_reads_the_note_to_cosign_it(self):
        self.alvarez.supervisor = self.chen
        self.alvarez.save()
        note = self.signed()
        self.login(self.chen)
        self.assertEqual(self.client.get(reverse("notes:note", args=[note.code])).status_code, 200)
        self.client.post(reverse("notes:cosign", args=[note.code]))
        note.refresh_from_db()
        self.assertEqual(note.cosigned_by, self.chen)
        # Once co-signed, the chart is Dr. Chen's no more than before.
        self.assertEqual(self.client.get(reverse("notes:note", args=[note.code])).status_code, 404)

    def test_a_note_whose_content_changed_behind_the_signature_is_not_cosigned(self):
        note = self.signed()
        Note.objects.filter(pk=note.pk).update(sections={"subjective": "tampered"})
        with self.assertRaises(actions.NoteIntegrityError):
            actions.cosign_note(note, acting_user=self.dana)
        self.login(self.dana)
        page = self.client.get(reverse("notes:note", args=[note.code]))
        self.assertContains(page, "does not match its signature")

    def test_peer_specialists_need_a_cosignature_where_the_program_requires_it(self):
        note = complete_draft(self.sam, self.pat)
        actions.sign_note(note, acting_user=self.sam)
        self.assertTrue(note.cosign_required)
