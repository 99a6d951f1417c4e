"""The program outcomes dashboard on a million questionnaire responses.

    .venv/bin/python bench/dashboard.py [--participants 2000] [--responses 1000000] [--runs 30]
                                        [--no-indexes]

Loads the demo's parts the dashboard reads (what `load_demo --participants N --responses M`
loads: the program, a year of sessions, stays with weekly scores and discharges, then M more
submitted PHQ-9/GAD-7 responses written with COPY) into a fresh
PostgreSQL database `openiop_bench_dashboard` on DATABASE_URL's server. Then, in-process with
Django's test client (no HTTP server, so the figures are the application's own time):

- query: `outcomes.dashboard.dashboard` and `choices` alone (the figures and three
  breakdowns), default period;
- page: the director's dashboard page, default period (last 90 days), rendered;
- the page for the last 365 and 14 days;
- csv: the CSV export, default period;
- per family: each of the four aggregate queries once, for the whole program.

Prints p50/p95 in milliseconds and query counts; exits non-zero if the query count differs
between a two-week period (a handful of participants) and a year (most of the demo).
`--no-indexes` drops the dashboard's indexes first, to show what they buy.
"""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "openiop_bench_dashboard"

from bench.support import setup_django_on, timed  # noqa: E402

# The index the dashboard asked for (assessments.Assignment, participant + instrument +
# completed_at); --no-indexes drops it to show what it buys.
INDEXES = ("assignment_series",)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-indexes", action="store_true")
    parser.add_argument(
        "--reuse", action="store_true", help="Keep the database a previous run loaded."
    )
    args = parser.parse_args()

    setup_django_on(DATABASE, reuse=args.reuse)
    from datetime import timedelta

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from bench.signin import session_key_for
    from openiop.accounts.models import User
    from openiop.assessments.models import Response
    from openiop.core import demo
    from openiop.discharge.models import DischargeSummary
    from openiop.lib.recurrence import get_zone
    from openiop.outcomes import dashboard as figures
    from openiop.outcomes import demo_dashboard as outcomes_demo
    from openiop.programs.models import Program
    from openiop.scheduling import demo as schedule_demo

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    # What `load_demo --participants N --responses M` loads for the dashboard (the program, a
    # year of sessions, stays, weekly scores, discharges, then M responses by COPY), without
    # the notes, plans and other records the dashboard never reads.
    if not (args.reuse and Program.objects.exists()):
        program = demo.load(participants=args.participants)
        schedule_demo.load(program)
        outcomes_demo.load(program)
        outcomes_demo.load_responses(program, total=args.responses)
    loaded = time.perf_counter() - began
    responses = Response.objects.count()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    print(
        f"demo: {args.participants} participants, {responses:,} responses, "
        f"{DischargeSummary.objects.count():,} discharges, loaded in {loaded:.0f} s"
    )
    with connection.cursor() as cursor:
        for name in INDEXES:
            if args.no_indexes:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
        cursor.execute("ANALYZE")
    if args.no_indexes:
        print("dashboard index dropped: " + ", ".join(INDEXES))

    settings.DEBUG = True  # every query is counted, as in a test run
    program = Program.objects.get()
    director = User.objects.get(email="dana.director@demo.openiop.invalid")
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = session_key_for(director)
    now = timezone.now()
    today = now.astimezone(get_zone(program.timezone)).date()
    page = f"/outcomes/dashboard/{program.code}/"

    def get(url: str, **params: str) -> None:
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)

    def query(start_days: int) -> None:
        filters = figures.Filters(today - timedelta(days=start_days - 1), today)
        figures.dashboard(program, filters, now=now, options=figures.choices(program))

    year = {"start": (today - timedelta(days=364)).isoformat(), "end": today.isoformat()}
    # Two weeks always hold one whole Monday-to-Sunday week, so the hours query runs too.
    fortnight = {"start": (today - timedelta(days=13)).isoformat(), "end": today.isoformat()}
    results = {
        "query (90 days)": timed(lambda: query(90), args.runs),
        "page (90 days)": timed(lambda: get(page), args.runs),
        "page (365 days)": timed(lambda: get(page, **year), args.runs),
        "page (14 days)": timed(lambda: get(page, **fortnight), args.runs),
        "csv (90 days)": timed(lambda: get(page + "export.csv"), args.runs),
    }
    filters = figures.Filters(*figures.default_period(today))
    rules = {k: v for k, v in figures.active_rules().items()}
    by_key = {key: rules.get((key, "total")) for key, _ in figures.MEASURES}
    versions = figures.measure_instruments()
    families = {
        "stays": lambda: figures._stays(program, filters, None),
        "discharges": lambda: figures._discharges(program, filters, None, by_key, versions),
        "attendance": lambda: figures._attendance(program, filters, None, now),
        "weeks": lambda: figures._weeks(program, filters, None, now),
        "discharges by clinician": lambda: figures._discharges(
            program, filters, "clinician", by_key, versions
        ),
    }
    for name, call in families.items():

        def fenced(call=call) -> None:
            # As `dashboard` runs them: in one transaction, JIT off.
            with transaction.atomic():
                figures._without_jit()
                call()

        results[f"  {name}"] = timed(fenced, max(5, args.runs // 3))

    total = figures.dashboard(program, filters, now=now, options=figures.choices(program)).total
    phq = total.outcomes["phq-9"]
    print(
        f"90 days: {total.admissions} admissions, census {total.census}, "
        f"{total.discharges} discharges, LOS {total.los_days or 0:.1f} d, attendance "
        f"{total.attendance.shown}, {total.hours_per_week or 0:.1f} h/week, PHQ-9 improved "
        f"{phq.improved.numerator if phq.improved else '-'} of {phq.judged}"
    )
    print(f"\n{args.runs} runs each (families: fewer), in-process, PostgreSQL")
    print(f"{'what':<30}{'p50 ms':>10}{'p95 ms':>10}{'queries':>9}")
    for name, r in results.items():
        print(f"{name:<30}{r['p50_ms']:>10}{r['p95_ms']:>10}{r['queries']:>9}")

    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "dashboard.json").write_text(
        json.dumps({"responses": responses, "indexes": not args.no_indexes, **results}, indent=2)
    )
    counts = {
        results[k]["queries"] for k in ("page (90 days)", "page (365 days)", "page (14 days)")
    }
    if len(counts) != 1:
        print(f"FAIL: the page's query count changes with the cohort: {sorted(counts)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
