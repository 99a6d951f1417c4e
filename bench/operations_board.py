"""The director's operations board for a 2,000-participant program, over a month.

    .venv/bin/python bench/operations_board.py [--participants 2000] [--runs 30] [--reuse]

Loads what the board reads (what `load_demo --participants N` loads for it: the program, a
year of sessions and attendance, stays with their episodes of care and discharges, the intake
demo's referrals) into a fresh PostgreSQL database `openiop_bench_board` on DATABASE_URL's
server. Then, in-process with Django's test client (no HTTP server, so the figures are the
application's own time):

- page: the director's board page, now, rendered;
- month: `core.board.board` as it stood at noon on each of the last 30 days (the week, the
  people at risk and the make-up offers of each day), p50/p95 over the days;
- the same page with only `--small` (100) episodes of care left active in the program (the
  others moved to another program for the measurement, then back), for the query count.

Prints p50/p95 in milliseconds and query counts; exits non-zero if the count differs between
the two cohorts or between days.
"""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "openiop_bench_board"

from bench.support import percentile, setup_django_on, timed  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="Keep a previous run's database.")
    args = parser.parse_args()

    setup_django_on(DATABASE, reuse=args.reuse)
    import statistics
    from datetime import datetime, timedelta
    from datetime import time as clock

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.signin import session_key_for
    from openiop.accounts.models import User
    from openiop.core import board as operations
    from openiop.core import demo
    from openiop.intake import demo as intake_demo
    from openiop.intake.models import EpisodeOfCare
    from openiop.lib.recurrence import get_zone
    from openiop.outcomes import demo_dashboard as outcomes_demo
    from openiop.programs.models import Program
    from openiop.scheduling import demo as schedule_demo

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    if not (args.reuse and Program.objects.exists()):
        program = demo.load(participants=args.participants)
        schedule_demo.load(program)
        intake_demo.load(program)
        outcomes_demo.load(program)
    loaded = time.perf_counter() - began
    program = Program.objects.get(name=demo.DEMO_PROGRAM)
    director = User.objects.get(email=f"dana.director@{demo.DEMO_DOMAIN}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    active = EpisodeOfCare.objects.filter(program=program, status="active").count()
    print(
        f"demo: {program.participants.count()} participants, {active} admitted, "
        f"loaded in {loaded:.0f} s"
    )

    settings.DEBUG = True
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = session_key_for(director)
    url = f"/board/{program.code}/"

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    results = {"page (now)": timed(page, args.runs)}

    zone = get_zone(program.timezone)
    today = timezone.now().astimezone(zone).date()
    timings, counts = [], set()
    at_risk = []
    for back in range(30, 0, -1):
        moment = datetime.combine(today - timedelta(days=back), clock(12), tzinfo=zone)
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            shown = operations.board(program, now=moment)
            timings.append((time.perf_counter() - started) * 1000)
        counts.add(len(ctx.captured_queries))
        at_risk.append(shown.at_risk_count)
    results["board() at noon, 30 days"] = {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "queries": max(counts),
    }

    # A small cohort: the first `--small` admitted stay; the others move out for a moment.
    other = Program.objects.create(name="Parking (bench)")
    keep = list(
        EpisodeOfCare.objects.filter(program=program, status="active")
        .order_by("pk")
        .values_list("pk", flat=True)[: args.small]
    )
    moved = list(
        EpisodeOfCare.objects.filter(program=program, status="active")
        .exclude(pk__in=keep)
        .values_list("pk", flat=True)
    )
    EpisodeOfCare.objects.filter(pk__in=moved).update(program=other)
    try:
        results[f"page ({len(keep)} admitted)"] = timed(page, args.runs)
    finally:
        EpisodeOfCare.objects.filter(pk__in=moved).update(program=program)
        other.delete()

    print(
        f"\nat risk of missing the weekly minimum, noon each day of the month: "
        f"min {min(at_risk)}, median {statistics.median(at_risk):.0f}, max {max(at_risk)}"
    )
    print(f"{args.runs} runs each, in-process, PostgreSQL")
    print(f"{'what':<34}{'p50 ms':>10}{'p95 ms':>10}{'queries':>9}")
    for name, r in results.items():
        print(f"{name:<34}{r['p50_ms']:>10}{r['p95_ms']:>10}{r['queries']:>9}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "operations_board.json").write_text(json.dumps(results, indent=2))
    page_counts = {r["queries"] for k, r in results.items() if k.startswith("page")}
    if len(page_counts) != 1 or len(counts) != 1:
        print(f"FAIL: the query count changes: pages {sorted(page_counts)}, days {sorted(counts)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
