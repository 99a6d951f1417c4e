import logging
from io import StringIO

from django.test import SimpleTestCase

from openiop.lib.logredact import redact

logger = logging.getLogger("openiop.lib.tests")


def console_output(emit) -> str:
    """What the configured root console handler (settings.LOGGING) writes while `emit` runs."""
    handler = next(h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler)
    buffer = StringIO()
    previous = handler.setStream(buffer)
    try:
        emit()
    finally:
        handler.setStream(previous)
    return buffer.getvalue()


class LoggedMessagesTestCase(SimpleTestCase):
    def test_the_log_carries_no_email_address_or_phone_number(self):
        output = console_output(
            lambda: logger.warning(
                "Reminder for %s sent to %s and %s",
                "b-1f3a",
                "Pat.Doe+iop@example.org",
                "+1 (602) 555-0100",
            )
        )
        self.assertIn("Reminder for b-1f3a sent to [email] and [phone]", output)
        self.assertNotIn("example.org", output)
        self.assertNotIn("555", output)

    def test_tracebacks_are_redacted_too(self):
        def fail():
            try:
                raise ValueError("Key (email)=(pat@example.org) already exists; call 6025550100")
            except ValueError:
                logger.exception("Booking %s failed", 42)

        output = console_output(fail)
        self.assertIn("Booking 42 failed", output)
        self.assertIn("ValueError: Key (email)=([email]) already exists; call [phone]", output)
        self.assertNotIn("pat@", output)


class RedactTestCase(SimpleTestCase):
    def test_it_redacts_emails_and_phone_numbers(self):
        cases = {
            "to pat@example.org": "to [email]",
            "to ＰＡＴ@example.org": "to [email]",
            "dana.o'neil@clinic.example.co.uk wrote": "[email] wrote",
            "sms +16025550100 ok": "sms [phone] ok",
            "sms +44 20 7946 0958 ok": "sms [phone] ok",
            "call (602) 555-0100.": "call [phone].",
            "call 602.555.0100": "call [phone]",
            "tel:602-555-0100": "tel:[phone]",
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(redact(text), expected)

    def test_it_keeps_codes_dates_times_and_addresses(self):
        for text in (
            "booking 6b0e41a2-1234-5678-9012-123456789012 claimed",
            "12345678-1234-1234-1234-123456789012",
            "at 2026-11-30 04:48:10,123 UTC",
            "from 192.168.100.200 port 8188",
            "Task id=184 path=openiop.scheduling.tasks.send_reminder state=SUCCESSFUL",
            "took 1234 ms for 567 rows",
            "SMS to ***00 (key 3f2a)",
        ):
            with self.subTest(text=text):
                self.assertEqual(redact(text), text)
