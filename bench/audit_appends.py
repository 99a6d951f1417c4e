"""Cost of keyed audit appends on PostgreSQL: appends/s and latency, single writer and several
writers at once, with and without checkpoints, and how fast `audit_verify` walks the trail.

Each append is its own transaction (as a page view's read event is), so the figures include
the chain's advisory lock, the head lookup, the HMAC and the commit. Runs in-process against a
throwaway test database on the configured PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/openiop_bench \\
        .venv/bin/python bench/audit_appends.py [appends per run, default 2000]
"""

import hashlib
import hmac
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from io import StringIO
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test.runner import DiscoverRunner  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402

from openiop.accounts.models import User  # noqa: E402
from openiop.audit.actions import record  # noqa: E402
from openiop.audit.models import AuditEvent  # noqa: E402


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))]


def appends(count: int, threads: int, user: User) -> tuple[float, list[float]]:
    """(appends per second, per-append latencies in ms) for `count` appends over `threads`."""
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        mine = []
        try:
            for _ in range(n):
                start = time.perf_counter()
                record("auth.login", acting_user=user, details={"type": "totp"})
                mine.append((time.perf_counter() - start) * 1000)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()
            with lock:
                latencies.extend(mine)

    workers = [threading.Thread(target=writer, args=(count // threads,)) for _ in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return len(latencies) / elapsed, latencies


def report(label: str, rate: float, latencies: list[float]) -> None:
    print(
        f"{label:<44} {rate:8,.0f} appends/s   p50 {statistics.median(latencies):5.2f} ms   "
        f"p95 {p95(latencies):5.2f} ms"
    )


def hash_cost(count: int = 100_000) -> None:
    """The hash alone: HMAC-SHA256 against the unkeyed SHA-256 it replaced."""
    payload = json.dumps({"seq": 1, "event_type": "auth.login", "details": {}} | {"x": "y" * 300})
    data = payload.encode()
    key = b"k" * 43
    start = time.perf_counter()
    for _ in range(count):
        hashlib.sha256(data).hexdigest()
    sha = (time.perf_counter() - start) / count * 1e6
    start = time.perf_counter()
    for _ in range(count):
        hmac.new(key, data, hashlib.sha256).hexdigest()
    mac = (time.perf_counter() - start) / count * 1e6
    print(f"hash of one row: SHA-256 {sha:.2f} µs, HMAC-SHA256 {mac:.2f} µs")


def main(count: int) -> None:
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    databases = runner.setup_databases()
    try:
        user = User.objects.create_user(
            email="bench@example.org", password=None, given_name="B", family_name="Ench"
        )
        hash_cost()
        record("auth.login", acting_user=user)  # warm the connection and the head
        with tempfile.TemporaryDirectory() as directory:
            checkpoint_file = str(Path(directory) / "audit-checkpoints.log")
            runs: list[tuple[str, int, dict[str, Any]]] = [
                ("1 writer, no checkpoints", 1, {"OPENIOP_AUDIT_CHECKPOINT_SINKS": []}),
                ("4 writers, no checkpoints", 4, {"OPENIOP_AUDIT_CHECKPOINT_SINKS": []}),
                (
                    "1 writer, file checkpoints (5 s / 100 rows)",
                    1,
                    {"OPENIOP_AUDIT_CHECKPOINT_SINKS": ["file"]},
                ),
                (
                    "4 writers, file checkpoints (5 s / 100 rows)",
                    4,
                    {"OPENIOP_AUDIT_CHECKPOINT_SINKS": ["file"]},
                ),
                (
                    "1 writer, file checkpoint after every append",
                    1,
                    {
                        "OPENIOP_AUDIT_CHECKPOINT_SINKS": ["file"],
                        "OPENIOP_AUDIT_CHECKPOINT_SECONDS": 0,
                        "OPENIOP_AUDIT_CHECKPOINT_ROWS": 1,
                    },
                ),
            ]
            for label, threads, overrides in runs:
                with override_settings(OPENIOP_AUDIT_CHECKPOINT_FILE=checkpoint_file, **overrides):
                    rate, latencies = appends(count, threads, user)
                report(label, rate, latencies)
            lines = len(Path(checkpoint_file).read_text().splitlines())
            rows = AuditEvent.objects.count()
            with override_settings(
                OPENIOP_AUDIT_CHECKPOINT_FILE=checkpoint_file,
                OPENIOP_AUDIT_CHECKPOINT_SINKS=["file"],
            ):
                start = time.perf_counter()
                call_command("audit_verify", stdout=StringIO(), stderr=StringIO())
                elapsed = time.perf_counter() - start
        print(
            f"audit_verify: {rows} rows and {lines} checkpoints in {elapsed:.2f} s "
            f"= {rows / elapsed:,.0f} rows/s"
        )
    finally:
        connections.close_all()
        runner.teardown_databases(databases)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
