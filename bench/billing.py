"""Per-diem charges and the 837I claim file for a month of a 2,000-participant demo.

    .venv/bin/python bench/billing.py [--participants 2000] [--runs 20] [--reuse]

Loads the demo's parts billing reads (the program and participants, the schedule with its
attendance, and billing/demo.py's payers, coverage and authorizations) into a fresh PostgreSQL
database `openiop_bench_billing` on DATABASE_URL's server. Then, in-process:

- generate: `actions.generate_charges` for last month (rolled back after each run);
- export 837I: `claims.export_batch` + `claims.batch_text` for the institutional payer and last
  month (rolled back after each run, so every run exports the same charges);
- export 837P: the same for the professional payer (about half as many people);
- page: the director's charges page for last month, rendered.

Prints p50/p95 in milliseconds and query counts; exits non-zero if the 837I and 837P exports
(different numbers of participants and claims) run a different number of queries.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "openiop_bench_billing"

from bench.support import setup_django_on, timed  # noqa: E402


class Rollback(Exception):
    pass


def notes_and_diagnoses(program) -> None:
    """What the full demo's clinical record would give every claim: a signed note for each
    attended session and an active diagnosis (bulk, synthetic; the bench loads no notes app
    demo)."""
    from openiop.accounts.models import User
    from openiop.careplans.models import Diagnosis
    from openiop.notes.models import Note
    from openiop.participants.models import Participant
    from openiop.scheduling.models import Booking

    author = User.objects.filter(role=User.Role.CLINICIAN).first()
    notes = [
        Note(
            participant_id=b.participant_id,
            author=author,
            kind=Note.Kind.GROUP,
            session_id=b.session_id,
            status=Note.Status.SIGNED,
            signed_by=author,
            signed_at=b.session.ends_at,
            content_hash="0" * 64,
        )
        for b in Booking.objects.filter(
            session__program=program, minutes_attended__gt=0
        ).select_related("session")
    ]
    Note.objects.bulk_create(notes, batch_size=5000)
    Diagnosis.objects.bulk_create(
        [
            Diagnosis(
                participant=p,
                icd10_code="F33.1",
                description="Major depressive disorder, recurrent, moderate",
                rank=Diagnosis.Rank.PRIMARY,
                updated_by=author,
            )
            for p in Participant.objects.filter(program=program)
        ],
        batch_size=5000,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true")
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
    from openiop.billing import actions, claims
    from openiop.billing import demo as billing_demo
    from openiop.billing.models import Charge, Payer
    from openiop.core import demo
    from openiop.programs.models import Program
    from openiop.scheduling import demo as schedule_demo

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    if not (args.reuse and Program.objects.exists()):
        program = demo.load(participants=args.participants)
        schedule_demo.load(program, weeks_back=10, weeks_ahead=1)
        notes_and_diagnoses(program)
        billing_demo.load(program, now=timezone.now())
    loaded = time.perf_counter() - began
    program = Program.objects.get()
    today = actions.program_today(program)
    last = today.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    month = Charge.objects.filter(service_date__gte=first, service_date__lte=last)
    print(
        f"demo: {args.participants} participants, {month.count():,} charges in {first:%B %Y} "
        f"({month.filter(status='ready').count():,} ready), loaded in {loaded:.0f} s"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    settings.DEBUG = True
    director = User.objects.get(email="dana.director@demo.openiop.invalid")

    def rolled_back(call) -> None:
        try:
            with transaction.atomic():
                call()
                raise Rollback
        except Rollback:
            pass

    def generate() -> None:
        actions.generate_charges(program=program, first=first, last=last, acting_user=director)

    sizes: dict[str, int] = {}

    def export(payer: Payer) -> None:
        def run() -> None:
            batch = claims.export_batch(
                program=program, payer=payer, first=first, last=last, acting_user=director
            )
            text = claims.batch_text(batch, acting_user=director)
            sizes[payer.claim_format] = text.count("\nCLM*")

        rolled_back(run)

    institutional = Payer.objects.get(program=program, claim_format="837i")
    professional = Payer.objects.get(program=program, claim_format="837p")
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = session_key_for(director)
    page = f"/billing/programs/{program.code}/charges/"

    def get_page() -> None:
        response = client.get(page, {"month": first.strftime("%Y-%m")})
        assert response.status_code == 200, response.status_code

    results = {
        "generate (month)": timed(lambda: rolled_back(generate), args.runs),
        "export 837I (month)": timed(lambda: export(institutional), args.runs),
        "export 837P (month)": timed(lambda: export(professional), args.runs),
        "charges page (month)": timed(get_page, args.runs),
    }
    print(f"claims in the 837I: {sizes.get('837i', 0)}, in the 837P: {sizes.get('837p', 0)}")
    width = max(len(name) for name in results)
    print(f"{'':{width}}  {'p50 ms':>8}  {'p95 ms':>8}  queries")
    for name, figures in results.items():
        print(
            f"{name:{width}}  {figures['p50_ms']:>8}  {figures['p95_ms']:>8}  {figures['queries']}"
        )
    same = results["export 837I (month)"]["queries"] == results["export 837P (month)"]["queries"]
    print("query count constant in participants:", "yes" if same else "NO")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
