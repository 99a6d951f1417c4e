"""Scheduling at demo scale: one participant's 12-week schedule, the week grid, the ledger.

    .venv/bin/python bench/scheduling.py [--participants 2000] [--small 200] [--runs 30]

Loads the demo (a year of sessions: 52 weeks back, 12 ahead) into a fresh PostgreSQL
database `openiop_bench_sched` on DATABASE_URL's server, twice: at --small participants, then
at --participants. At each size it measures, in-process with Django's test client (no HTTP
server, so the figures are the application's own time):

- admit: `actions.admit` of a new participant into a group with room, building a 12-week
  schedule (sessions, bookings, reminder jobs) and committing;
- grid: the director's week grid page for the current week;
- ledger: a participant's hours-ledger page for the current week.

Prints p50/p95 in milliseconds and the query count of each at both sizes; exits non-zero if a
query count grows with the program.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "openiop_bench_sched"

from bench.support import percentile, recreate_database  # noqa: E402


def measure(participants: int, runs: int) -> dict[str, dict[str, float]]:
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection, connections, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.signin import session_key_for
    from openiop.accounts.models import User
    from openiop.core import demo
    from openiop.lib.recurrence import get_zone
    from openiop.participants.models import Participant
    from openiop.programs.models import Group
    from openiop.scheduling import actions
    from openiop.scheduling import demo as schedule_demo
    from openiop.scheduling.models import Enrollment

    connections.close_all()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    program = demo.load(participants=participants, weeks=8)
    schedule_demo.load(program)
    print(f"  demo: {participants} participants in {time.perf_counter() - started:.1f} s")

    director = User.objects.get(role=User.Role.PROGRAM_DIRECTOR)
    today = timezone.now().astimezone(get_zone(program.timezone)).date()
    # A Monday always has an Evening DBT session left in its week.
    next_monday = today + timedelta(days=7 - today.weekday())
    group = Group.objects.filter(track__program=program).order_by("pk").first()
    assert group is not None
    Group.objects.filter(pk=group.pk).update(capacity=200, hard_cap=200)
    group.refresh_from_db()
    seated = Enrollment.objects.filter(group=group, status="seated").select_related("participant")
    member = seated.first()
    assert member is not None

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = session_key_for(director)

    newcomers = list(
        Participant.objects.filter(program=program)
        .exclude(enrollments__status__in=["seated", "waitlisted"])
        .order_by("pk")[: runs + 1]
    )
    results: dict[str, dict[str, float]] = {}

    def admit(person: Participant) -> None:
        actions.admit(
            person,
            group,
            starts_on=next_monday,
            expected_end_on=next_monday + timedelta(weeks=12),
            acting_user=director,
        )

    def timed(name: str, call, items) -> None:
        timings = []
        queries = 0
        for index, item in enumerate(items):
            # The query log holds 9,000 entries; a full log would make every count zero.
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                began = time.perf_counter()
                call(item)
                timings.append((time.perf_counter() - began) * 1000)
            if index == 1:
                queries = len(ctx.captured_queries)
        results[name] = {
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(percentile(timings, 0.95), 1),
            "queries": queries,
        }

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    timed("admit", admit, newcomers)
    grid = f"/schedule/programs/{program.code}/week/"
    timed("grid", lambda _: get(grid), range(runs))
    ledger = f"/schedule/participants/{member.participant.code}/ledger/"
    timed("ledger", lambda _: get(ledger), range(runs))
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    os.environ["DATABASE_URL"] = recreate_database(base, DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    import django

    django.setup()
    from django.conf import settings

    # Every query is counted, as in a test run.
    settings.DEBUG = True
    report = {}
    for size in (args.small, args.participants):
        print(f"{size} participants:")
        recreate_database(base, DATABASE)
        report[size] = measure(size, args.runs)
        for name, figures in report[size].items():
            print(
                f"  {name:<7} p50 {figures['p50_ms']:>7} ms   p95 {figures['p95_ms']:>7} ms"
                f"   {figures['queries']} queries"
            )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "scheduling.json").write_text(json.dumps(report, indent=2))
    grown = [
        name
        for name in report[args.small]
        if report[args.participants][name]["queries"] != report[args.small][name]["queries"]
    ]
    if grown:
        print(f"Query counts grew with the program: {', '.join(grown)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
