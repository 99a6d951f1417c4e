from openiop.notifications.sms import SmsMessage

# Messages delivered, and every call made, like django.core.mail.outbox.
outbox: list[SmsMessage] = []
calls: list[SmsMessage] = []


class LocmemBackend:
    """Keeps texts in memory for tests and, like an idempotent provider, delivers a key once."""

    def send(self, message: SmsMessage) -> str:
        calls.append(message)
        if not any(sent.idempotency_key == message.idempotency_key for sent in outbox):
            outbox.append(message)
        return f"locmem-{message.idempotency_key}"


def reset() -> None:
    outbox.clear()
    calls.clear()
