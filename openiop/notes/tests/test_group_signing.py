import json
from datetime import time, timedelta
from typing import Any

from openiop.audit.models import AuditEvent
from openiop.lib.integrity import content_hash
from openiop.notes import actions
from openiop.notes.actions import AttendeePart, SharedPart
from openiop.notes.group_checks import Kind
from openiop.notes.models import GroupNote, Note
from openiop.notes.tests.group_helpers import DAY, GroupNoteTestCase, book, make_group_session
from openiop.participants.models import Participant
from openiop.scheduling.models import Booking, Session


class GroupSigningTestCase(GroupNoteTestCase):
    def draft(
        self,
        session: Session | None = None,
        *,
        shared_text: str = "The group practised paced breathing.",
        lines: dict[Participant, dict[str, Any]] | None = None,
        version: int = 0,
        acting_user: Any = None,
    ) -> GroupNote:
        session = session or self.session
        lines = self.ready_attendees() if lines is None else lines
        saved = actions.save_group_note(
            session,
            shared=SharedPart(
                topic="Distress tolerance",
                curriculum_module=self.group.topics.get(position=1),
                interventions="Taught TIPP; paired practice.",
                shared_text=shared_text,
            ),
            attendees=[
                AttendeePart(booking=self.booking(p, session), **line) for p, line in lines.items()
            ],
            version=version,
            acting_user=acting_user or self.alvarez,
        )
        return saved.group_note

    def sign(self, group_note: GroupNote, **kwargs: Any) -> actions.Signed:
        kwargs.setdefault("acting_user", self.alvarez)
        return actions.sign_group_note(group_note, **kwargs)

    def test_it_writes_one_signed_note_per_attendee_who_came(self):
        signed = self.sign(self.draft())
        self.assertEqual(len(signed.notes), 2)
        self.assertEqual(signed.absent, 1)
        notes = {n.participant_id: n for n in Note.objects.filter(session=self.session)}
        self.assertEqual(set(notes), {self.pat.pk, self.quinn.pk})
        for note in notes.values():
            self.assertEqual(note.kind, Note.Kind.GROUP)
            self.assertEqual(note.status, Note.Status.SIGNED)
            self.assertEqual((note.author, note.signed_by), (self.alvarez, self.alvarez))
            self.assertEqual(note.group_note, signed.group_note)
            self.assertEqual(note.content_hash, content_hash(note.signed_content()))
        self.assertFalse(Note.objects.filter(participant=self.riley).exists())

    def test_each_note_holds_the_shared_part_and_only_its_own_individual_part(self):
        self.sign(self.draft())
        pat_note = Note.objects.get(participant=self.pat)
        quinn_note = Note.objects.get(participant=self.quinn)
        self.assertIn("ALPHA-7", pat_note.individual_text)
        self.assertIn("BRAVO-9", quinn_note.individual_text)
        pat_everything = json.dumps(pat_note.signed_content())
        quinn_everything = json.dumps(quinn_note.signed_content())
        self.assertNotIn("BRAVO-9", pat_everything)
        self.assertNotIn("ALPHA-7", quinn_everything)
        self.assertNotIn(str(self.quinn.code), pat_everything)
        self.assertNotIn(str(self.pat.code), quinn_everything)
        self.assertEqual(pat_note.shared_text, quinn_note.shared_text)
        for expected in (
            "Topic: Distress tolerance",
            "Curriculum module: Distress tolerance",
            "Facilitators: Rosa Alvarez, PsyD (lead facilitator); Sam Rivera, CPS (peer",
            "Interventions: Taught TIPP",
            "paced breathing",
        ):
            self.assertIn(expected, pat_note.shared_text)
        self.assertEqual(list(pat_note.objectives.all()), self.pat_objectives[:1])
        self.assertEqual(list(quinn_note.objectives.all()), self.quinn_objectives)

    def test_times_follow_the_session_and_the_minutes(self):
        self.sign(self.draft())
        pat_note = Note.objects.get(participant=self.pat)
        quinn_note = Note.objects.get(participant=self.quinn)
        s = self.session
        self.assertEqual((pat_note.started_at, pat_note.ended_at), (s.starts_at, s.ends_at))
        # Quinn came 30 minutes late: the 150 minutes end with the session.
        self.assertEqual(quinn_note.started_at, s.ends_at - timedelta(minutes=150))
        self.assertEqual(quinn_note.ended_at, s.ends_at)

    def test_left_early_minutes_start_with_the_session(self):
        lines = self.ready_attendees()
        lines[self.pat].update(attendance="left_early", minutes=100)
        self.sign(self.draft(lines=lines))
        note = Note.objects.get(participant=self.pat)
        self.assertEqual(note.started_at, self.session.starts_at)
        self.assertEqual(note.ended_at, self.session.starts_at + timedelta(minutes=100))

    def test_attendance_reaches_the_hours_ledger(self):
        self.draft()
        pat, quinn, riley = (self.booking(p) for p in (self.pat, self.quinn, self.riley))
        self.assertEqual((pat.attendance, pat.minutes_attended), ("present", 180))
        self.assertEqual((quinn.attendance, quinn.minutes_attended), ("late", 150))
        self.assertEqual((riley.attendance, riley.minutes_attended), ("absent", 0))
        self.assertEqual(riley.recorded_by, self.alvarez)

    def test_signing_locks_the_group_note(self):
        group_note = self.sign(self.draft()).group_note
        group_note.refresh_from_db()
        self.assertEqual(group_note.status, GroupNote.Status.SIGNED)
        self.assertEqual(group_note.signed_by, self.alvarez)
        with self.assertRaises(actions.GroupNoteSigned):
            self.draft(version=group_note.edit_version)

    def test_signing_twice_says_it_was_signed(self):
        group_note = self.draft()
        self.sign(group_note)
        with self.assertRaises(actions.GroupNoteSigned) as caught:
            self.sign(group_note, acting_user=self.sam)
        self.assertIn("already signed", str(caught.exception))
        self.assertEqual(Note.objects.filter(session=self.session).count(), 2)

    def test_a_shared_part_naming_a_member_cannot_be_signed(self):
        group_note = self.draft(shared_text="Quinn Marlowe shared her diary card.")
        with self.assertRaises(actions.GroupNoteNotReady) as caught:
            self.sign(group_note, confirm_no_objective=True)
        self.assertEqual([f.kind for f in caught.exception.flags], [Kind.SHARED_NAMES_MEMBER])
        self.assertFalse(Note.objects.exists())
        group_note.refresh_from_db()
        self.assertEqual(group_note.status, GroupNote.Status.DRAFT)

    def test_an_individual_part_naming_another_member_cannot_be_signed(self):
        lines = self.ready_attendees()
        lines[self.quinn]["individual_text"] = "Sat beside Riley and copied the worksheet."
        with self.assertRaises(actions.GroupNoteNotReady) as caught:
            self.sign(self.draft(lines=lines))
        self.assertEqual(caught.exception.flags[0].kind, Kind.INDIVIDUAL_NAMES_OTHER)

    def test_cloned_individual_parts_cannot_be_signed(self):
        lines = self.ready_attendees()
        lines[self.quinn]["individual_text"] = lines[self.pat]["individual_text"].upper()
        with self.assertRaises(actions.GroupNoteNotReady) as caught:
            self.sign(self.draft(lines=lines), confirm_no_objective=True)
        self.assertEqual(caught.exception.flags[0].kind, Kind.IDENTICAL)

    def test_a_part_citing_no_objective_needs_a_confirmation(self):
        lines = self.ready_attendees()
        lines[self.quinn]["objectives"] = []
        group_note = self.draft(lines=lines)
        with self.assertRaises(actions.GroupNoteNotReady) as caught:
            self.sign(group_note)
        self.assertEqual([f.kind for f in caught.exception.flags], [Kind.NO_OBJECTIVE])
        signed = self.sign(group_note, confirm_no_objective=True)
        self.assertEqual(len(signed.notes), 2)
        event = AuditEvent.objects.get(event_type="notes.group_note_signed")
        self.assertEqual(event.details["flags"], 1)

    def test_an_unmarked_attendee_stops_signing(self):
        lines = self.ready_attendees()
        del lines[self.riley]
        with self.assertRaises(actions.GroupNoteNotReady) as caught:
            self.sign(self.draft(lines=lines))
        self.assertEqual(caught.exception.flags[0].kind, Kind.ATTENDANCE_MISSING)

    def test_a_session_still_ahead_cannot_be_signed(self):
        later = make_group_session(self.group, DAY + timedelta(days=2))
        book(later, self.pat)
        group_note = self.draft(later, lines={self.pat: self.ready_attendees()[self.pat]})
        self.assertEqual(self.booking(self.pat, later).attendance, "")
        with self.assertRaises(actions.GroupNoteError):
            self.sign(group_note)

    def test_a_stale_version_saves_nothing(self):
        group_note = self.draft()
        with self.assertRaises(actions.GroupNoteConflict) as caught:
            self.draft(shared_text="Second writer", version=group_note.edit_version - 1)
        self.assertEqual(caught.exception.current_version, group_note.edit_version)
        group_note.refresh_from_db()
        self.assertNotEqual(group_note.shared_text, "Second writer")

    def test_a_participant_may_have_two_group_notes_the_same_day(self):
        s = self.session
        noon = make_group_session(self.group, DAY, start=time(12))
        book(noon, self.pat, self.quinn)
        lines = {
            self.pat: {
                "attendance": "present",
                "individual_text": "Noon group: practised opposite action.",
                "objectives": self.pat_objectives[1:],
            },
            self.quinn: {
                "attendance": "present",
                "individual_text": "Noon group: shared a sleep log.",
                "objectives": self.quinn_objectives,
            },
        }
        self.sign(self.draft(noon, lines=lines))
        self.sign(self.draft())
        pat_notes = Note.objects.filter(participant=self.pat).order_by("started_at")
        self.assertEqual([n.session for n in pat_notes], [noon, self.session])
        spans = [(n.started_at, n.ended_at) for n in pat_notes]
        self.assertEqual(spans, [(noon.starts_at, noon.ends_at), (s.starts_at, s.ends_at)])
        self.assertEqual({noon.local_date, self.session.local_date}, {DAY})

    def test_a_peer_specialist_note_awaits_cosignature_where_required(self):
        self.program.requires_cosignature = True
        self.program.save()
        signed = self.sign(self.draft(acting_user=self.sam), acting_user=self.sam)
        self.assertTrue(all(n.cosign_required for n in signed.notes))
        self.assertTrue(all(n.awaiting_cosignature for n in signed.notes))

    def test_a_psychologist_note_needs_no_cosignature(self):
        self.program.requires_cosignature = True
        self.program.save()
        signed = self.sign(self.draft())
        self.assertFalse(any(n.cosign_required for n in signed.notes))

    def test_each_chart_gets_its_own_audited_signature(self):
        self.sign(self.draft())
        events = AuditEvent.objects.filter(event_type="notes.note_signed")
        self.assertEqual({e.participant_id for e in events}, {self.pat.pk, self.quinn.pk})
        group_event = AuditEvent.objects.get(event_type="notes.group_note_signed")
        self.assertEqual(group_event.details["attendees"], 3)
        self.assertEqual(group_event.details["notes"], 2)
        for event in AuditEvent.objects.filter(event_type__startswith="notes."):
            self.assertNotIn("ALPHA-7", json.dumps(event.details))

    def test_a_released_booking_is_left_out(self):
        group_note = self.draft()
        Booking.objects.filter(pk=self.booking(self.quinn).pk).update(
            status=Booking.Status.RELEASED
        )
        signed = self.sign(group_note)
        self.assertEqual([n.participant for n in signed.notes], [self.pat])
