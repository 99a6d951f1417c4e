"""Reminders are written in the language the participant reads OpenIOP in (docs/i18n.md)."""

from django.core import mail
from django.utils import translation

from openiop.notifications.sms import locmem
from openiop.scheduling.tests.test_reminders import ReminderSetup


class ReminderLanguageTestCase(ReminderSetup):
    def test_a_spanish_reader_gets_the_reminder_in_spanish(self):
        self.pat_user.language = "es"
        self.pat_user.save()
        self.run_job()
        self.assertEqual(
            locmem.outbox[0].body,
            "Recordatorio: tiene una sesión el mié 4 mar, 6:00 PM EST. Inicie sesión para entrar.",
        )
        self.assertEqual(mail.outbox[0].subject, "Recordatorio de sesión")
        # The worker's own language is left as it was.
        self.assertEqual(translation.get_language(), "en")

    def test_an_english_reader_gets_it_in_english_whatever_the_worker_language(self):
        with translation.override("es"):
            self.run_job()
        self.assertTrue(locmem.outbox[0].body.startswith("Reminder: you have a session on Wed"))
        self.assertEqual(mail.outbox[0].subject, "Session reminder")
