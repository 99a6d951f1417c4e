"""What every benchmark here shares: a database of its own, timing with query counts."""

import statistics
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse


def recreate_database(base: str, name: str) -> str:
    """Drop and create database `name` on `base`'s server; returns its URL."""
    import psycopg

    parsed = urlparse(base)
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return parsed._replace(path=f"/{name}").geturl()


def setup_django_on(name: str, *, reuse: bool) -> None:
    """Point Django at bench database `name` on DATABASE_URL's server (fresh unless `reuse`)."""
    import os

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if reuse:
        os.environ["DATABASE_URL"] = urlparse(base)._replace(path=f"/{name}").geturl()
    else:
        os.environ["DATABASE_URL"] = recreate_database(base, name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    os.environ.setdefault("OPENIOP_MODE", "development")
    import django

    django.setup()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(call: Callable[[], Any], runs: int) -> dict[str, float]:
    """p50/p95 milliseconds of `call` over `runs` runs after one warm-up, and its queries."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    call()  # warm-up
    timings = []
    counts = []
    for _ in range(runs):
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            began = time.perf_counter()
            call()
            timings.append((time.perf_counter() - began) * 1000)
        counts.append(len(ctx.captured_queries))
    # The fewest: now and then the session middleware writes the session as well.
    return {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "queries": min(counts),
    }
