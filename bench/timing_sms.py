"""An SMS backend for bench/safety_notify.py: notes when each text reached the "provider".

Appends "<unix time> <idempotency key>" to the file named by BENCH_SMS_LOG; sends nothing.
With BENCH_SMS_DELAY (seconds) each call first waits that long, like a slow provider, so a
worker can be killed in the middle of one (bench/worker_kill.py).
"""

import os
import time

from openiop.notifications.sms import SmsMessage


class TimingBackend:
    def send(self, message: SmsMessage) -> str:
        time.sleep(float(os.environ.get("BENCH_SMS_DELAY", "0")))
        stamp = time.time()
        with open(os.environ["BENCH_SMS_LOG"], "a", encoding="utf-8") as log:
            log.write(f"{stamp:.6f} {message.idempotency_key}\n")
        return f"bench-{message.idempotency_key}"
