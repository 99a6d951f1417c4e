"""The chart page's query count and p50/p95 latency, per kind of viewer.

Runs in-process (Django's test client, no network) against a throwaway test database on the
configured PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/openiop_bench \\
        .venv/bin/python bench/chart.py [--requests 300] [--others 500]

Pat's chart is opened by Dr. Alvarez (care team, may write), Sam (care team, read only), Dana
(the program's director) and Dr. Chen (facilitates a group Pat is seated in: the facilitation
path). Around Pat sit `--others` more participants, each with a care team and a seat in one of
several groups, so the access checks run against tables that are not empty. Prints one line per
viewer; exits non-zero if any request fails.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
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
from openiop.participants.models import CareTeamMember, Participant  # noqa: E402
from openiop.programs.models import Group, GroupFacilitator, Track  # noqa: E402
from openiop.scheduling.models import Enrollment  # noqa: E402
from openiop.testing import Personas  # noqa: E402


def populate(others: int) -> None:
    """Pat in Dr. Chen's group, and `others` participants spread over ten groups."""
    program = Personas.program
    track = Track.objects.create(program=program, name="Bench track", starts_on=date(2026, 1, 5))
    groups = [
        Group.objects.create(
            track=track,
            name=f"Bench group {n}",
            capacity=12,
            hard_cap=12,
            curriculum_starts_on=date(2026, 1, 5),
        )
        for n in range(10)
    ]
    for group in groups:
        GroupFacilitator.objects.create(group=group, clinician=Personas.chen, role="lead")
    now = timezone.now()
    people = [Personas.pat] + [
        Participant.objects.create(
            program=program,
            given_name=f"Bench{n}",
            family_name="Person",
            date_of_birth=date(1990, 1, 1),
            home_state="NY",
            timezone="America/New_York",
        )
        for n in range(others)
    ]
    CareTeamMember.objects.bulk_create(
        CareTeamMember(participant=p, clinician=Personas.chen, role="therapist") for p in people[1:]
    )
    seats = 12 * len(groups)
    Enrollment.objects.bulk_create(
        Enrollment(
            participant=p,
            group=groups[n % len(groups)],
            status=Enrollment.Status.SEATED if n < seats else Enrollment.Status.WAITLISTED,
            starts_on=date(2026, 1, 5),
            expected_end_on=date(2026, 1, 5) + timedelta(weeks=8),
            requested_at=now,
            seated_at=now if n < seats else None,
            created_by=Personas.dana,
        )
        for n, p in enumerate(people)
    )


def measure(viewer_key: str, url: str, requests: int) -> dict[str, float]:
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = viewer_key
    assert client.get(url).status_code == 200  # warm-up: templates, caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    # Counted now: each later request clears the connection's query log.
    queries = len(ctx.captured_queries)
    latencies = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    latencies.sort()
    return {
        "queries": queries,
        "p50": statistics.median(latencies),
        "p95": latencies[int(0.95 * (len(latencies) - 1))],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--others", type=int, default=500)
    args = parser.parse_args()

    runner = DiscoverRunner(verbosity=0)
    # As under the test suite: DEBUG off, a cheap password hasher, mail kept in memory.
    runner.setup_test_environment()
    databases = runner.setup_databases()
    try:
        Personas.create_personas()
        populate(args.others)
        url = reverse("participants:chart", args=[Personas.pat.code])
        viewers = {
            "care team (writes)": Personas.alvarez,
            "care team (reads)": Personas.sam,
            "director": Personas.dana,
            "facilitator": Personas.chen,
        }
        print(f"chart page, {args.requests} requests per viewer, {args.others + 1} participants")
        print(f"{'viewer':<22}{'queries':>9}{'p50 ms':>9}{'p95 ms':>9}")
        for name, user in viewers.items():
            result = measure(session_key_for(user), url, args.requests)
            print(f"{name:<22}{result['queries']:>9}{result['p50']:>9.1f}{result['p95']:>9.1f}")
    finally:
        runner.teardown_databases(databases)
        runner.teardown_test_environment()
    return 0


if __name__ == "__main__":
    sys.exit(main())
