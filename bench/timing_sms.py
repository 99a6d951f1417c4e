"""An SMS backend for bench/safety_notify.py: notes when each text reached the "provider".

Appends "<unix time> <idempotency key>" to the file named by BENCH_SMS_LOG; sends nothing.
"""

import os
import time

from openiop.notifications.sms import SmsMessage


class TimingBackend:
    def send(self, message: SmsMessage) -> str:
        stamp = time.time()
        with open(os.environ["BENCH_SMS_LOG"], "a", encoding="utf-8") as log:
            log.write(f"{stamp:.6f} {message.idempotency_key}\n")
        return f"bench-{message.idempotency_key}"
