import time_machine

from openiop.notes import actions
from openiop.notes.actions import AttendeePart, SharedPart
from openiop.notes.models import GroupNote, Note
from openiop.notes.tests.group_helpers import AFTER, DAY, book, make_group_session
from openiop.scheduling.tests.base import ConcurrentTestCase
from openiop.scheduling.tests.test_concurrency import run_at_once


@time_machine.travel(AFTER, tick=False)
class ConcurrentGroupNoteTestCase(ConcurrentTestCase):
    """Dr. Alvarez and Sam both work on the group note of the same session at once."""

    def setUp(self):
        super().setUp()
        self.session = make_group_session(self.group, DAY)
        (self.booking,) = book(self.session, self.pat)

    def save(self, text: str, version: int, user) -> GroupNote:
        part = AttendeePart(
            booking=self.booking, attendance="present", individual_text=f"{text}: practised TIPP."
        )
        return actions.save_group_note(
            self.session,
            shared=SharedPart(shared_text=text),
            attendees=[part],
            version=version,
            acting_user=user,
        ).group_note

    def test_two_first_saves_of_one_draft_keep_one_and_refuse_the_other(self):
        errors = run_at_once(
            [
                lambda: self.save("Alvarez's draft", 0, self.alvarez),
                lambda: self.save("Sam's draft", 0, self.sam),
            ]
        )
        self.assertEqual(len(errors), 1)
        self.assertIsInstance(errors[0], actions.GroupNoteConflict)
        group_note = GroupNote.objects.get()
        self.assertEqual(group_note.edit_version, 1)
        self.assertIn(group_note.shared_text, ("Alvarez's draft", "Sam's draft"))

    def test_two_signers_at_once_write_each_note_once(self):
        self.save("The group practised paced breathing.", 0, self.alvarez)
        group_note = GroupNote.objects.get()
        errors = run_at_once(
            [
                lambda: actions.sign_group_note(
                    group_note, acting_user=self.alvarez, confirm_no_objective=True
                ),
                lambda: actions.sign_group_note(
                    group_note, acting_user=self.sam, confirm_no_objective=True
                ),
            ]
        )
        self.assertEqual(len(errors), 1)
        self.assertIsInstance(errors[0], actions.GroupNoteSigned)
        self.assertEqual(Note.objects.filter(participant=self.pat).count(), 1)
