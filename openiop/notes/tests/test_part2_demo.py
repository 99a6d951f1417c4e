from io import StringIO

from django.core.management import call_command

from openiop.consent.models import Consent, ConsentKind, Disclosure
from openiop.notes.models import Note
from openiop.testing import BaseTestCase


class Part2DemoTestCase(BaseTestCase):
    def test_the_demo_labels_notes_signs_a_release_and_accounts_for_one_disclosure(self):
        call_command("load_demo", "--quiet", stdout=StringIO())
        labelled = Note.objects.filter(part2=True)
        self.assertEqual(labelled.count(), 2)
        owners = {n.participant_id for n in labelled}
        self.assertEqual(len(owners), 1)
        release = Consent.objects.get(kind=ConsentKind.RELEASE)
        self.assertTrue(release.includes_part2 and release.is_in_force())
        disclosure = Disclosure.objects.get()
        self.assertEqual(disclosure.consent, release)
        self.assertTrue(disclosure.included_part2 and disclosure.notice_attached)
        self.assertEqual({disclosure.participant_id}, owners)
