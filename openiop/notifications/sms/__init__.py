"""Text messages through a provider chosen by the OPENIOP_SMS_BACKEND setting.

Each provider is one sibling module with a backend class; swapping providers is a setting.
Every send carries an idempotency key (the caller's claim code): providers that support one
drop a repeated send, and the locmem backend used in tests behaves the same way.
"""

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str
    idempotency_key: str


class SmsBackend(Protocol):
    def send(self, message: SmsMessage) -> str:
        """Hand the message to the provider; return the provider's message id."""
        ...


class SmsError(Exception):
    """The provider refused or could not be reached; the caller's claim stays open for retry."""


def get_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.OPENIOP_SMS_BACKEND)()
    return backend


def send_sms(to: str, body: str, *, idempotency_key: str) -> str:
    return get_backend().send(SmsMessage(to=to, body=body, idempotency_key=idempotency_key))
