"""Reports and dashboards read from a PostgreSQL streaming replica; everything else, the primary.

Only code that asks for it reads from the replica: a view wrapped in `reads_from_replica`
(the outcomes dashboard and its CSV, the operations board). Writes always go to the primary,
and so do reads inside such a view when:

- no replica is configured (`DATABASE_REPLICA_URL` unset: one database, nothing changes);
- the person just wrote something (read-your-writes): for `REPLICA_STICKY_SECONDS` after a
  successful POST their reads stay on the primary, on whichever web node serves them (the mark
  is in the shared cache; no cache, no replica);
- the replica is behind by more than `REPLICA_MAX_LAG_SECONDS`, or does not answer: checked at
  most every 2 s per process, and a replica that failed is left alone for 10 s.

A dashboard therefore never shows less than the person just saved, and at worst shows what
everyone else saved a few seconds ago (docs/deploy.md, "A replica for reports").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections

REPLICA = "replica"
CHECK_EVERY = 2.0
BACKOFF_AFTER_FAILURE = 10.0
logger = logging.getLogger(__name__)

_wants_replica: ContextVar[bool] = ContextVar("wants_replica", default=False)
_primary_only: ContextVar[bool] = ContextVar("primary_only", default=False)
_health: dict[str, float] = {"checked_at": float("-inf"), "ok": 0.0, "retry_at": 0.0}


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    token = _wants_replica.set(True)
    try:
        yield
    finally:
        _wants_replica.reset(token)


def reads_from_replica(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapped


@contextmanager
def primary_only() -> Iterator[None]:
    token = _primary_only.set(True)
    try:
        yield
    finally:
        _primary_only.reset(token)


def wrote_key(user_pk: Any) -> str:
    return f"openiop:wrote:{user_pk}"


def note_write(user_pk: Any) -> None:
    cache.set(wrote_key(user_pk), 1, settings.REPLICA_STICKY_SECONDS)


def wrote_recently(user_pk: Any) -> bool:
    return cache.get(wrote_key(user_pk)) is not None


def replica_lag_seconds() -> float:
    """How far the replica is behind: 0 when it has replayed all it received."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), "
            "pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(), "
            "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
        )
        in_recovery, caught_up, behind = cursor.fetchone()
    if not in_recovery or caught_up:
        return 0.0  # a mirror (tests), or a standby with nothing left to replay
    return float(behind or 0.0)


def replica_healthy(now: float | None = None) -> bool:
    now = time.monotonic() if now is None else now
    if now < _health["retry_at"]:
        return False
    if now - _health["checked_at"] < CHECK_EVERY:
        return bool(_health["ok"])
    _health["checked_at"] = now
    try:
        lag = replica_lag_seconds()
    except DatabaseError as exc:
        logger.warning("Replica unavailable (%s): reading from the primary", type(exc).__name__)
        _health.update(ok=0.0, retry_at=now + BACKOFF_AFTER_FAILURE)
        return False
    ok = lag <= settings.REPLICA_MAX_LAG_SECONDS
    if not ok:
        logger.warning("Replica %.1f s behind: reading from the primary", lag)
    _health["ok"] = 1.0 if ok else 0.0
    return ok


def forget_replica_health() -> None:
    _health.update(checked_at=float("-inf"), ok=0.0, retry_at=0.0)


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if (
            _wants_replica.get()
            and not _primary_only.get()
            and replica_configured()
            and replica_healthy()
        ):
            return REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the same rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA
