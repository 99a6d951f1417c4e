"""Where the current request came from, for audit events recorded deep inside actions."""

import ipaddress
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestOrigin:
    ip_address: str | None = None
    user_agent: str = ""


current_origin: ContextVar[RequestOrigin] = ContextVar(
    "current_origin",
    default=RequestOrigin(),  # noqa: B039 (frozen, so shared safely)
)


def origin_from_meta(meta: dict) -> RequestOrigin:
    # REMOTE_ADDR only: X-Forwarded-For is set by clients and would let them forge the trail.
    # Behind a proxy, the proxy must set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips).
    raw_ip = meta.get("REMOTE_ADDR") or None
    ip = None
    if raw_ip:
        try:
            ip = str(ipaddress.ip_address(raw_ip))
        except ValueError:
            ip = None
    agent = str(meta.get("HTTP_USER_AGENT", ""))[:200]
    return RequestOrigin(ip_address=ip, user_agent=agent)
