import io
import json
import urllib.error
from unittest import mock

from django.test import SimpleTestCase, override_settings

from openiop.notifications.sms import SmsError, SmsMessage, locmem, send_sms
from openiop.notifications.sms.console import ConsoleBackend
from openiop.notifications.sms.twilio import TwilioBackend

MESSAGE = SmsMessage(to="+15555550100", body="Reminder: you have a session.", idempotency_key="k1")
TWILIO = {
    "TWILIO_ACCOUNT_SID": "AC123",
    "TWILIO_AUTH_TOKEN": "secret",
    "TWILIO_FROM_NUMBER": "+15555550199",
}


class SmsAdapterTestCase(SimpleTestCase):
    def setUp(self):
        locmem.reset()

    def test_the_setting_picks_the_backend(self):
        send_sms("+15555550100", "hello", idempotency_key="a")
        self.assertEqual([m.body for m in locmem.outbox], ["hello"])

    def test_locmem_delivers_an_idempotency_key_once(self):
        send_sms("+15555550100", "hello", idempotency_key="a")
        send_sms("+15555550100", "hello", idempotency_key="a")
        self.assertEqual((len(locmem.calls), len(locmem.outbox)), (2, 1))

    def test_console_backend_masks_the_number(self):
        with self.assertLogs("openiop.sms", "WARNING") as logs:
            ConsoleBackend().send(MESSAGE)
        self.assertIn("***00", logs.output[0])
        self.assertNotIn("5555550100", logs.output[0])

    @override_settings(**TWILIO)
    def test_twilio_posts_the_message_and_returns_its_sid(self):
        response = io.BytesIO(json.dumps({"sid": "SM42"}).encode())
        with mock.patch("urllib.request.urlopen") as urlopen:
            urlopen.return_value.__enter__.return_value = response
            self.assertEqual(TwilioBackend().send(MESSAGE), "SM42")
        request = urlopen.call_args.args[0]
        self.assertEqual(
            request.full_url, "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json"
        )
        self.assertIn(b"To=%2B15555550100", request.data)
        self.assertTrue(request.get_header("Authorization").startswith("Basic "))

    @override_settings(**TWILIO)
    def test_twilio_failures_raise_sms_error(self):
        with (
            mock.patch("urllib.request.urlopen", side_effect=urllib.error.URLError("down")),
            self.assertRaises(SmsError),
        ):
            TwilioBackend().send(MESSAGE)

    @override_settings(TWILIO_ACCOUNT_SID="")
    def test_twilio_refuses_to_run_unconfigured(self):
        with self.assertRaisesMessage(SmsError, "not configured"):
            TwilioBackend().send(MESSAGE)
