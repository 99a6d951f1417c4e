"""One id per request, on the response and on every log line written while serving it.

The id comes from the proxy in front (HAProxy's `unique-id`, sent as X-Request-ID) when it
looks like one, so a request can be followed from the proxy's log to the application's; any
other value is replaced, so nothing a client sends reaches the logs through this header.
`JsonFormatter` writes one JSON object a line (LOG_FORMAT=json) for a log collector; the
contact-detail filter (logredact) still runs first, and code logs ids and codes only.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

HEADER = "X-Request-ID"
current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def request_id_from(incoming: str | None) -> str:
    if incoming and _ACCEPTABLE.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def forget_request_id(**kwargs: object) -> None:
    """After a response is sent: what this thread logs next belongs to no request."""
    current_request_id.set("-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current_request_id.get()),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)
