from django.utils import timezone

from openiop.core import demo
from openiop.notes import group_queries
from openiop.notes.demo_group import load_group_notes_demo
from openiop.notes.group_checks import Kind
from openiop.notes.models import GroupNote, Note
from openiop.scheduling import demo as schedule_demo
from openiop.testing import BaseTestCase


class GroupNoteDemoTestCase(BaseTestCase):
    def test_it_signs_recent_group_notes_and_leaves_a_draft_to_check(self):
        program = demo.load(participants=30, weeks=8)
        schedule_demo.load(program, weeks_back=3, weeks_ahead=1)
        signed = load_group_notes_demo(program, now=timezone.now())
        self.assertGreaterEqual(signed, 4)
        self.assertEqual(GroupNote.objects.filter(status="signed").count(), signed)
        notes = Note.objects.filter(kind=Note.Kind.GROUP)
        self.assertTrue(notes.exists())
        texts = list(notes.values_list("individual_text", flat=True))
        self.assertTrue(all(texts))
        for note in notes.select_related("group_note"):
            siblings = notes.filter(group_note=note.group_note).exclude(pk=note.pk)
            self.assertNotIn(
                note.individual_text, siblings.values_list("individual_text", flat=True)
            )
        draft = GroupNote.objects.get(status="draft")
        page_bookings = group_queries.roster(draft.session)
        flags = group_queries.checks(
            draft,
            page_bookings,
            group_queries.entries_by_participant(draft),
            group_queries.plan_objectives(b.participant_id for b in page_bookings),
        )
        self.assertIn(Kind.SHARED_NAMES_MEMBER, [f.kind for f in flags])
