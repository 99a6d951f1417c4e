from django.core.management import call_command
from django.core.management.base import SystemCheckError

from openiop.lib.phone import rewrite_as_e164
from openiop.participants.models import Participant
from openiop.testing import BaseTestCase

FIELDS = ("phone", "emergency_contact_phone")


class StoredPhoneTestCase(BaseTestCase):
    """What the E.164 data migration does with numbers typed before parsing existed."""

    def store(self, **values):
        Participant.objects.filter(pk=self.pat.pk).update(**values)

    def stored(self):
        return Participant.objects.filter(pk=self.pat.pk).values_list(*FIELDS).get()

    def test_the_migration_rewrites_readable_numbers_as_e164(self):
        self.store(phone="(555) 555-0142", emergency_contact_phone="+44 20 7946 0000")
        rewrite_as_e164(Participant.objects.all(), FIELDS)
        self.assertEqual(tuple(map(str, self.stored())), ("+15555550142", "+442079460000"))

    def test_the_migration_keeps_unreadable_values_and_the_check_names_the_chart(self):
        self.store(phone="555\u200b555-0100", emergency_contact_phone="ask Ana at work")
        rewrite_as_e164(Participant.objects.all(), FIELDS)
        self.assertEqual(
            Participant.objects.filter(
                pk=self.pat.pk, phone="555\u200b555-0100", emergency_contact_phone="ask Ana at work"
            ).count(),
            1,
        )
        with self.assertRaises(SystemCheckError) as raised:
            call_command("check", "--database", "default", "--fail-level", "WARNING")
        report = str(raised.exception)
        self.assertIn(f"{self.pat.code}: phone is not a phone number in E.164 form", report)
        self.assertIn(f"{self.pat.code}: emergency_contact_phone is not", report)
        self.assertNotIn("Ana", report)
        self.assertNotIn("555\u200b555", report)

    def test_the_check_is_quiet_when_every_number_is_e164(self):
        call_command("check", "--database", "default", "--fail-level", "WARNING")
