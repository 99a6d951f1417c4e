"""Twilio Programmable Messaging over its REST API (no SDK: one form POST).

Twilio's Messages API takes no idempotency key, so a worker that dies after Twilio accepted a
text but before its claim was marked sent would send it again on retry; that window is the
length of one HTTP response. Providers with idempotency keys close it.
"""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings

from openiop.notifications.sms import SmsError, SmsMessage

API = "https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json"
TIMEOUT_SECONDS = 10


class TwilioBackend:
    def send(self, message: SmsMessage) -> str:
        sid = settings.TWILIO_ACCOUNT_SID
        token = settings.TWILIO_AUTH_TOKEN
        if not (sid and token and settings.TWILIO_FROM_NUMBER):
            raise SmsError("Twilio is not configured")
        body = urllib.parse.urlencode(
            {"To": message.to, "From": settings.TWILIO_FROM_NUMBER, "Body": message.body}
        ).encode()
        request = urllib.request.Request(API.format(sid=sid), data=body, method="POST")  # noqa: S310
        credentials = base64.b64encode(f"{sid}:{token}".encode()).decode()
        request.add_header("Authorization", f"Basic {credentials}")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                payload = json.load(response)
        except (urllib.error.URLError, TimeoutError, ValueError) as error:
            raise SmsError(f"Twilio send failed: {type(error).__name__}") from error
        return str(payload["sid"])
