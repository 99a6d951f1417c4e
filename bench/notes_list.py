"""The chart's note list with 500 notes: queries per page (constant) and p50/p95 latency.

Pat has `--notes` notes by Dr. Alvarez, each citing two objectives of her plan, half of them
signed. Runs in-process (Django's test client) against a throwaway test database on the
configured PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/openiop_bench \\
        .venv/bin/python bench/notes_list.py [--notes 500] [--requests 200]
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
from openiop.careplans.models import Goal, Objective, PlanProblem, TreatmentPlan  # noqa: E402
from openiop.notes.models import Note  # noqa: E402
from openiop.testing import Personas  # noqa: E402


def plan_objectives() -> list[Objective]:
    pat, alvarez = Personas.pat, Personas.alvarez
    plan = TreatmentPlan.objects.create(participant=pat, status="active", created_by=alvarez)
    problem = PlanProblem.objects.create(plan=plan, in_own_words="x", clinical_statement="y")
    goal = Goal.objects.create(problem=problem, text="z")
    objectives = [
        Objective.objects.create(
            goal=goal, position=n, text=f"Objective {n}", target_date=date(2027, 3, 1)
        )
        for n in range(4)
    ]
    return objectives


def populate(count: int, objectives: list[Objective]) -> None:
    pat, alvarez = Personas.pat, Personas.alvarez
    now = timezone.now()
    notes = Note.objects.bulk_create(
        Note(
            participant=pat,
            author=alvarez,
            kind=Note.Kind.INDIVIDUAL,
            started_at=now - timedelta(days=n),
            ended_at=now - timedelta(days=n) + timedelta(minutes=50),
            status="signed" if n % 2 else "draft",
            signed_by=alvarez if n % 2 else None,
            signed_at=now - timedelta(days=n) + timedelta(hours=1) if n % 2 else None,
            sections={"subjective": "Synthetic.", "plan": "Synthetic."},
        )
        for n in range(count)
    )
    through = Note.objectives.through
    through.objects.bulk_create(
        through(note_id=note.pk, objective_id=objectives[(n + k) % 4].pk)
        for n, note in enumerate(notes)
        for k in range(2)
    )


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    runner = DiscoverRunner(verbosity=0)
    runner.setup_test_environment()
    databases = runner.setup_databases()
    try:
        Personas.create_personas()
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies["sessionid"] = session_key_for(Personas.alvarez)
        url = reverse("notes:participant_notes", args=[Personas.pat.code])
        objectives = plan_objectives()
        populate(5, objectives)
        client.get(url)  # warm-up: templates, caches
        few = queries_for(client, url)
        populate(args.notes - 5, objectives)
        many = queries_for(client, url)
        last_page = queries_for(client, url + "?page=last")
        latencies = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(url)
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        latencies.sort()
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        print(f"chart note list, {args.notes} notes (50 a page), {args.requests} requests")
        print(
            f"queries: {few} with 5 notes, {many} with {args.notes}, {last_page} on the last page"
        )
        print(
            f"latency: p50 {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms, "
            f"max {latencies[-1]:.1f} ms"
        )
        if few != many:
            print("query count grew with the number of notes", file=sys.stderr)
            return 1
    finally:
        runner.teardown_databases(databases)
        runner.teardown_test_environment()
    return 0


if __name__ == "__main__":
    sys.exit(main())
