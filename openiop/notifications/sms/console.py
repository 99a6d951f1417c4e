import logging

from openiop.notifications.sms import SmsMessage

logger = logging.getLogger("openiop.sms")


class ConsoleBackend:
    """Writes texts to the log instead of sending them: the default, for the demo."""

    def send(self, message: SmsMessage) -> str:
        # The number is masked: logs carry no PHI.
        logger.warning(
            "SMS to ***%s (key %s): %s", message.to[-2:], message.idempotency_key, message.body
        )
        return f"console-{message.idempotency_key}"
