"""Texts written to a file, for tests and benches whose workers run in other processes.

Sends nothing. Each call appends "begin <unix time> <key> <pid>" to the file named by
OPENIOP_SMS_LOG, then "sent <unix time> <key> <pid>" once the "provider" accepted it. Between
the two it waits OPENIOP_SMS_DELAY seconds, and for as long as the file named by
OPENIOP_SMS_HOLD exists (at most a minute): a slow provider, so a worker can be killed in the
middle of a call. Read from the environment at each call, so every process shares one log.
"""

import os
import time
from pathlib import Path

from openiop.notifications.sms import SmsMessage

LONGEST_HOLD = 60.0


def _write(event: str, key: str) -> None:
    with open(os.environ["OPENIOP_SMS_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{event} {time.time():.6f} {key} {os.getpid()}\n")


class FileLogBackend:
    def send(self, message: SmsMessage) -> str:
        _write("begin", message.idempotency_key)
        time.sleep(float(os.environ.get("OPENIOP_SMS_DELAY", "0")))
        hold = os.environ.get("OPENIOP_SMS_HOLD")
        deadline = time.monotonic() + LONGEST_HOLD
        while hold and Path(hold).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        _write("sent", message.idempotency_key)
        return f"filelog-{message.idempotency_key}"
