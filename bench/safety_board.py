"""The program safety board with 1,000 open alerts: queries per view (constant) and p50/p95.

Dana directs the personas' program; `--alerts` synthetic open alerts (mixed acuity, a tenth
past their deadline, three kinds per synthetic participant) are added in bulk, with 10 first
to compare query counts. Runs in-process (Django's test client) against a throwaway test
database on the configured PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/openiop_bench \\
        .venv/bin/python bench/safety_board.py [--alerts 1000] [--requests 50]

Exits non-zero if the query count grows with the number of alerts.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.runner import DiscoverRunner  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.signin import session_key_for  # noqa: E402
from openiop.safety.tests.board_fixtures import many_open_alerts  # noqa: E402
from openiop.testing import Personas  # noqa: E402


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()

    runner = DiscoverRunner(verbosity=0)
    runner.setup_test_environment()
    databases = runner.setup_databases()
    try:
        Personas.create_personas()
        program, dana, alvarez = Personas.program, Personas.dana, Personas.alvarez
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies["sessionid"] = session_key_for(dana)
        url = reverse("safety:board", args=[program.code])
        now = timezone.now()
        many_open_alerts(program, 10, now=now, raised_by=alvarez, owner=alvarez)
        client.get(url)  # warm-up: templates, caches
        few = queries_for(client, url)
        many_open_alerts(program, args.alerts - 10, now=now, raised_by=alvarez, owner=alvarez)
        many = queries_for(client, url)
        latencies = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(url)
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        latencies.sort()
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        print(f"safety board, {args.alerts} open alerts, {args.requests} requests")
        print(f"queries: {few} with 10 alerts, {many} with {args.alerts}")
        print(
            f"latency: p50 {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms, "
            f"max {latencies[-1]:.1f} ms"
        )
        if few != many:
            print("query count grew with the number of alerts", file=sys.stderr)
            return 1
    finally:
        runner.teardown_databases(databases)
        runner.teardown_test_environment()
    return 0


if __name__ == "__main__":
    sys.exit(main())
