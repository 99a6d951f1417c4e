"""What the readiness and metrics endpoints check and say (docs/observability.md)."""

from __future__ import annotations

import hmac
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from openiop.core.metrics import OpenIOPCollector

_own = CollectorRegistry(auto_describe=False)
_own.register(OpenIOPCollector())


def run() -> dict[str, str]:
    return {"database": _database(), "cache": _cache()}


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means not ready; only its class is shown
        return f"failed: {type(exc).__name__}"
    return "ok"


def _cache() -> str:
    # A key of its own per check: two nodes checking at once never read each other's value.
    key, value = f"openiop:ready:{uuid.uuid4().hex}", "1"
    try:
        cache.set(key, value, timeout=5)
        seen = cache.get(key)
        cache.delete(key)
    except Exception as exc:  # as above
        return f"failed: {type(exc).__name__}"
    return "ok" if seen == value else "failed: value not kept"


def metrics_token_ok(authorization: str) -> bool:
    token = settings.OPENIOP_METRICS_TOKEN
    if not token:
        return False
    scheme, _, given = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())


def exposition() -> tuple[bytes, str]:
    """The process's request metrics (django-prometheus) followed by OpenIOP's own."""
    return generate_latest(REGISTRY) + generate_latest(_own), CONTENT_TYPE_LATEST
