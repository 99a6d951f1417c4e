from io import StringIO

from django.core.mail import EmailMessage
from django.test import SimpleTestCase

from openiop.notifications.mail import MaskedConsoleBackend


class MaskedConsoleBackendTestCase(SimpleTestCase):
    def test_it_prints_the_mail_without_the_recipients_addresses(self):
        stream = StringIO()
        message = EmailMessage(
            "Session reminder",
            "You have a session on Tue 1 Dec at 6:00 PM MST.",
            "no-reply@openiop.invalid",
            ["Pat Doe <pat.doe@example.org>", "quinn@mail.example.net"],
            cc=["alvarez@example.org"],
            reply_to=["dana@example.org"],
            headers={"X-OpenIOP-Idempotency-Key": "3f2a"},
        )
        MaskedConsoleBackend(stream=stream).send_messages([message])
        output = stream.getvalue()
        self.assertIn("To: ***@example.org, ***@mail.example.net\n", output)
        self.assertIn("Cc: ***@example.org\n", output)
        self.assertIn("Reply-To: ***@example.org\n", output)
        self.assertIn("You have a session on Tue 1 Dec at 6:00 PM MST.", output)
        self.assertIn("X-OpenIOP-Idempotency-Key: 3f2a", output)
        for private in ("pat.doe", "Pat Doe", "quinn", "alvarez", "dana"):
            self.assertNotIn(private, output)
