from datetime import timedelta

from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.audit.reads import READ_EVENTS
from openiop.notes.models import GroupNote, Note
from openiop.notes.tests.group_helpers import DAY, GroupNoteTestCase, book, make_group_session
from openiop.telehealth.tests.helpers import waiting_attendance


class GroupNotePageTestCase(GroupNoteTestCase):
    def url(self, name: str = "notes:group_note", session=None) -> str:
        return reverse(name, args=[(session or self.session).code])

    def post(self, data: dict, name: str = "notes:group_note", session=None):
        return self.client.post(self.url(name, session), data)

    def test_the_session_page_links_facilitators_to_the_group_note(self):
        self.login(self.alvarez)
        response = self.client.get(reverse("scheduling:session", args=[self.session.code]))
        self.assertContains(response, self.url())
        self.assertContains(response, "Attendance and group note")

    def test_the_session_page_has_no_link_for_an_intake_coordinator(self):
        self.login(self.ivy)
        response = self.client.get(reverse("scheduling:session", args=[self.session.code]))
        self.assertNotContains(response, self.url())

    def test_it_shows_the_whole_roster_in_one_form(self):
        self.login(self.alvarez)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        for participant in (self.pat, self.quinn, self.riley):
            self.assertContains(response, participant.short_name)
            self.assertContains(response, f'name="p-{self.booking(participant).code}-attendance"')
        self.assertContains(response, "Save the draft to run the checks")

    def test_it_records_one_read(self):
        self.login(self.alvarez)
        reads = AuditEvent.objects.filter(event_type__in=READ_EVENTS).order_by("seq")
        before = reads.count()
        self.client.get(self.url())
        written = list(reads.values_list("event_type", flat=True)[before:])
        self.assertEqual(written, ["notes.group_note_viewed"])

    def test_it_prefills_the_topic_from_the_curriculum(self):
        # Week 10 of a three-topic rotation that started on 5 January: Mindfulness again.
        self.login(self.alvarez)
        response = self.client.get(self.url())
        module = self.group.topic_for(DAY)
        assert module is not None
        self.assertEqual(module.title, "Mindfulness")
        self.assertEqual(response.context["form"].initial["curriculum_module"], module)
        self.assertContains(response, 'value="Mindfulness"')

    def test_it_prefills_minutes_from_the_video_room(self):
        video = waiting_attendance(self.session, self.quinn)
        video.minutes_attended, video.late = 140, True
        video.save()
        corrected = waiting_attendance(self.session, self.pat)
        corrected.minutes_attended, corrected.corrected_minutes = 100, 175
        corrected.correction_reason = "Camera froze; stayed on audio"
        corrected.save()
        self.login(self.alvarez)
        response = self.client.get(self.url())
        forms = {
            row["booking"].participant_id: row["form"] for row in response.context["attendees"]
        }
        self.assertEqual(forms[self.quinn.pk].initial, {"attendance": "late", "minutes": 140})
        self.assertEqual(forms[self.pat.pk].initial, {"attendance": "present", "minutes": 175})
        self.assertEqual(forms[self.riley.pk].initial, {})
        self.assertContains(response, "Video room: 140 min (late).")

    def test_recorded_attendance_wins_over_the_video_room(self):
        booking = self.booking(self.quinn)
        booking.attendance, booking.minutes_attended = "excused", 0
        booking.save()
        video = waiting_attendance(self.session, self.quinn)
        video.minutes_attended = 140
        video.save()
        self.login(self.alvarez)
        response = self.client.get(self.url())
        forms = {
            row["booking"].participant_id: row["form"] for row in response.context["attendees"]
        }
        self.assertEqual(forms[self.quinn.pk].initial["attendance"], "excused")

    def test_each_attendee_picks_only_from_their_own_plan(self):
        self.login(self.alvarez)
        response = self.client.get(self.url())
        forms = {
            row["booking"].participant_id: row["form"] for row in response.context["attendees"]
        }
        self.assertEqual(
            list(forms[self.quinn.pk].fields["objectives"].queryset), self.quinn_objectives
        )
        attendees = self.ready_attendees()
        attendees[self.quinn]["objectives"] = self.pat_objectives
        response = self.post(self.form_data(attendees=attendees))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Select a valid choice", status_code=400)
        self.assertFalse(GroupNote.objects.exists())

    def test_saving_records_attendance_and_the_draft(self):
        self.login(self.alvarez)
        response = self.post(self.form_data(attendees=self.ready_attendees()))
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        group_note = GroupNote.objects.get(session=self.session)
        self.assertEqual(group_note.edit_version, 1)
        self.assertEqual(group_note.author, self.alvarez)
        self.assertEqual(group_note.entries.count(), 3)
        self.assertEqual(self.booking(self.quinn).minutes_attended, 150)
        self.assertEqual(self.booking(self.riley).attendance, "absent")
        response = self.client.get(self.url())
        self.assertContains(response, "Draft saved and attendance recorded.")
        self.assertContains(response, "ALPHA-7")
        self.assertContains(response, "Nothing to address: the note is ready to sign.")

    def test_the_checks_list_names_what_to_fix(self):
        self.login(self.alvarez)
        attendees = self.ready_attendees()
        attendees[self.quinn]["individual_text"] = "Sat next to patricia."
        attendees[self.pat]["objectives"] = []
        self.post(self.form_data(attendees=attendees, shared_text="Riley Okoro arrived upset."))
        response = self.client.get(self.url())
        self.assertContains(response, "The shared narrative names a group member")
        self.assertContains(response, "“Riley Okoro”")
        self.assertContains(response, "Quinn M.&#x27;s individual part names another group member")
        self.assertContains(response, "Pat L.&#x27;s individual part cites no objective")
        self.assertContains(response, f'href="#attendee-{self.booking(self.quinn).code}"')
        self.assertContains(response, 'href="#id_shared_text"')
        self.assertContains(response, 'name="confirm_no_objective"')

    def test_signing_from_the_page_fans_out(self):
        self.login(self.alvarez)
        response = self.post({**self.form_data(attendees=self.ready_attendees()), "intent": "sign"})
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        self.assertEqual(Note.objects.filter(session=self.session).count(), 2)
        response = self.client.get(self.url())
        self.assertTemplateUsed(response, "notes/group_note_signed.html")
        self.assertContains(response, "Signed. 2 attendee notes written; 1 absent")
        self.assertContains(response, "No note (absent)")
        self.assertContains(response, "Called in sick")

    def test_signing_with_a_name_in_the_shared_part_is_refused(self):
        self.login(self.alvarez)
        data = self.form_data(
            attendees=self.ready_attendees(),
            shared_text="Quinn led the mindfulness exercise.",
            confirm_no_objective="on",
        )
        response = self.post({**data, "intent": "sign"})
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        self.assertFalse(Note.objects.exists())
        response = self.client.get(self.url())
        self.assertContains(response, "Not signed: 1 check before signing needs your attention.")
        self.assertContains(response, "Quinn led the mindfulness exercise.")

    def test_signing_twice_says_so(self):
        self.login(self.alvarez)
        data = {**self.form_data(attendees=self.ready_attendees()), "intent": "sign"}
        self.post(data)
        response = self.post(
            {**data, "edit_version": 1},
        )
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        response = self.client.get(self.url())
        self.assertContains(response, "This group note is already signed")
        self.assertEqual(Note.objects.count(), 2)

    def test_a_stale_save_keeps_the_text_and_says_why(self):
        self.login(self.alvarez)
        self.post(self.form_data(attendees=self.ready_attendees()))
        data = self.form_data(
            attendees=self.ready_attendees(), shared_text="My own words, written offline."
        )
        response = self.post(data)
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Someone else saved this group note", status_code=409)
        self.assertContains(response, "My own words, written offline.", status_code=409)
        self.assertContains(response, 'name="edit_version" value="1"', status_code=409)
        group_note = GroupNote.objects.get()
        self.assertNotIn("offline", group_note.shared_text)
        # Saving again, now from the current version, replaces it.
        self.post({**data, "edit_version": 1})
        group_note.refresh_from_db()
        self.assertEqual(group_note.shared_text, "My own words, written offline.")

    def test_a_100_kb_shared_part_is_refused_and_kept(self):
        self.login(self.alvarez)
        text = "Long narrative. " * 6400
        response = self.post(self.form_data(attendees=self.ready_attendees(), shared_text=text))
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response, "The shared narrative can be at most 20,000 characters", status_code=400
        )
        self.assertContains(response, text.strip(), status_code=400)
        self.assertFalse(GroupNote.objects.exists())

    def test_a_5000_character_individual_part_is_accepted(self):
        self.login(self.alvarez)
        attendees = self.ready_attendees()
        attendees[self.pat]["individual_text"] = "x" * 5000
        response = self.post(self.form_data(attendees=attendees))
        self.assertEqual(response.status_code, 302)

    def test_html_and_script_are_inert(self):
        self.login(self.alvarez)
        attendees = self.ready_attendees()
        attendees[self.pat]["individual_text"] = "<script>alert('pat')</script>"
        self.post(
            self.form_data(
                attendees=attendees,
                topic="<b>bold</b>",
                shared_text='<img src=x onerror="alert(1)">',
            )
        )
        response = self.client.get(self.url())
        self.assertNotContains(response, "<script>alert")
        self.assertNotContains(response, "<img src=x")
        self.assertContains(response, "&lt;script&gt;alert(&#x27;pat&#x27;)&lt;/script&gt;")
        self.assertContains(response, "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;")

    def test_the_signed_page_keeps_script_inert(self):
        self.login(self.alvarez)
        data = self.form_data(
            attendees=self.ready_attendees(), shared_text="<script>alert('x')</script>\nSecond line"
        )
        self.post({**data, "intent": "sign"})
        response = self.client.get(self.url())
        self.assertTemplateUsed(response, "notes/group_note_signed.html")
        self.assertNotContains(response, "<script>alert")
        self.assertContains(response, "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;<br>")

    def test_late_without_minutes_is_refused(self):
        self.login(self.alvarez)
        attendees = self.ready_attendees()
        attendees[self.quinn]["minutes"] = ""
        response = self.post(self.form_data(attendees=attendees))
        self.assertContains(
            response, "Enter the minutes attended for a late arrival", status_code=400
        )

    def test_a_future_session_saves_the_draft_without_attendance(self):
        later = make_group_session(self.group, DAY + timedelta(days=2))
        book(later, self.pat)
        self.login(self.alvarez)
        data = self.form_data(later, attendees={self.pat: self.ready_attendees()[self.pat]})
        response = self.post(data, session=later)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.booking(self.pat, later).attendance, "")
        response = self.client.get(self.url(session=later))
        self.assertContains(response, "Attendance is recorded once the session has started")


class GroupNoteAutosaveTestCase(GroupNoteTestCase):
    def autosave(self, data: dict):
        return self.client.post(
            reverse("notes:group_note_autosave", args=[self.session.code]), data
        )

    def test_it_saves_the_draft_and_returns_the_new_version(self):
        self.login(self.alvarez)
        response = self.autosave(self.form_data(attendees=self.ready_attendees()))
        self.assertEqual(response.json()["edit_version"], 1)
        self.assertEqual(response.json()["saved_at"], "9:30 PM EDT")
        response = self.autosave(self.form_data(version=1, shared_text="More."))
        self.assertEqual(response.json()["edit_version"], 2)
        group_note = GroupNote.objects.get()
        self.assertEqual(group_note.shared_text, "More.")
        self.assertIsNotNone(group_note.autosaved_at)
        # An autosave keeps the draft only; the ledger waits for Save.
        self.assertEqual(self.booking(self.pat).attendance, "")

    def test_a_stale_version_is_a_conflict(self):
        self.login(self.alvarez)
        self.autosave(self.form_data(attendees=self.ready_attendees()))
        self.login(self.sam)
        response = self.autosave(self.form_data(shared_text="Sam's version"))
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json()["edit_version"], 1)
        self.assertEqual(response.json()["error"], "conflict")
        self.assertIn("Someone else saved this group note", response.json()["message"])
        self.assertNotEqual(GroupNote.objects.get().shared_text, "Sam's version")

    def test_oversized_text_is_refused_with_a_message(self):
        self.login(self.alvarez)
        response = self.autosave(self.form_data(shared_text="x" * 102_400))
        self.assertEqual(response.status_code, 400)
        self.assertIn("at most 20,000 characters", response.json()["message"])

    def test_a_signed_note_takes_no_autosave(self):
        self.login(self.alvarez)
        self.client.post(
            reverse("notes:group_note", args=[self.session.code]),
            {**self.form_data(attendees=self.ready_attendees()), "intent": "sign"},
        )
        response = self.autosave(self.form_data(version=1))
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json()["error"], "signed")

    def test_a_signed_out_writer_is_told_so_in_json(self):
        response = self.autosave(self.form_data())
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["error"], "signed_out")
        self.assertFalse(GroupNote.objects.exists())


class GroupNoteAccessTestCase(GroupNoteTestCase):
    def test_a_co_facilitating_peer_specialist_may_write_it(self):
        self.login(self.sam)
        self.assertEqual(
            self.client.get(reverse("notes:group_note", args=[self.session.code])).status_code, 200
        )

    def test_the_director_may_write_it(self):
        self.login(self.dana)
        self.assertEqual(
            self.client.get(reverse("notes:group_note", args=[self.session.code])).status_code, 200
        )

    def test_a_clinician_who_does_not_facilitate_gets_404(self):
        self.login(self.chen)
        url = reverse("notes:group_note", args=[self.session.code])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url, self.form_data()).status_code, 404)
        autosave = reverse("notes:group_note_autosave", args=[self.session.code])
        response = self.client.post(autosave, self.form_data())
        self.assertEqual((response.status_code, response.json()["error"]), (404, "not_found"))

    def test_participants_get_404(self):
        self.client.force_login(self.pat_user)
        url = reverse("notes:group_note", args=[self.session.code])
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_someone_who_only_reads_the_session_gets_403(self):
        self.login(self.ivy)
        url = reverse("notes:group_note", args=[self.session.code])
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(url, self.form_data()).status_code, 403)
        self.assertFalse(GroupNote.objects.exists())

    def test_wrong_methods_get_405(self):
        self.login(self.alvarez)
        url = reverse("notes:group_note", args=[self.session.code])
        self.assertEqual(self.client.delete(url).status_code, 405)
        self.assertEqual(self.client.put(url).status_code, 405)
        autosave = reverse("notes:group_note_autosave", args=[self.session.code])
        self.assertEqual(self.client.get(autosave).status_code, 405)

    def test_an_appointment_has_no_group_note(self):
        from openiop.telehealth.tests.helpers import make_appointment

        appointment = make_appointment(self, self.alvarez, self.pat)
        self.login(self.alvarez)
        url = reverse("notes:group_note", args=[appointment.code])
        self.assertEqual(self.client.get(url).status_code, 404)
