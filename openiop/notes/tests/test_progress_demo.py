from io import StringIO

from django.core.management import call_command

from openiop.notes import actions
from openiop.notes.models import Addendum, Note
from openiop.testing import BaseTestCase


class NotesDemoTestCase(BaseTestCase):
    def test_the_demo_has_signed_and_draft_progress_notes(self):
        # load_demo runs load_notes_demo with the rest of the clinical record.
        call_command("load_demo", "--quiet", stdout=StringIO())
        notes = list(Note.objects.exclude(kind=Note.Kind.GROUP).select_related("session"))
        signed = [n for n in notes if n.is_signed]
        drafts = [n for n in notes if not n.is_signed]
        self.assertGreaterEqual(len(signed), 8)
        self.assertGreaterEqual(len(drafts), 4)
        self.assertTrue(all(actions.signature_matches(n) for n in signed))
        self.assertTrue(Note.objects.filter(kind=Note.Kind.PSYCHIATRY, status="signed").exists())
        self.assertEqual(Addendum.objects.count(), 1)
        # Each draft's author may open it and sign it once it is complete.
        self.assertTrue(all(n.session and n.session.clinician == n.author for n in drafts))
