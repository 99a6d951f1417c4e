"""p50/p95 latency of submitting a PHQ-9 through the web page with safety alerts on.

Every submission answers item 9 = 1, so each one scores, freezes the response and raises (or
joins) a safety alert in the same transaction. Runs in-process against a throwaway test
database on the configured PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/openiop_bench \\
        .venv/bin/python bench/submit_latency.py 300
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.test import Client  # noqa: E402
from django.test.runner import DiscoverRunner  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from openiop.assessments.actions import assign_instrument, shipped_instrument  # noqa: E402
from openiop.testing import Personas  # noqa: E402


def main(count: int) -> None:
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    databases = runner.setup_databases()
    try:
        Personas.create_personas()
        pat = Personas.pat
        client = Client()
        assert pat.user is not None
        client.force_login(pat.user)
        phq9 = shipped_instrument("phq-9")
        data = {f"q-{n}": "LA6568-5" for n in range(1, 9)} | {
            "q-9": "LA6569-3",
            "action": "submit",
        }
        latencies = []
        for _ in range(count):
            assignment = assign_instrument(pat, phq9, acting_user=Personas.alvarez)
            url = reverse("assessments:respond", args=[assignment.code])
            start = time.perf_counter()
            response = client.post(url, data)
            latencies.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 302, response.status_code
        latencies.sort()
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        print(
            f"PHQ-9 submit with alert, {count} requests: "
            f"p50 {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms, "
            f"max {latencies[-1]:.1f} ms"
        )
    finally:
        runner.teardown_databases(databases)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
