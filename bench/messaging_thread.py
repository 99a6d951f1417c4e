"""The thread page with 1,000 messages, against one with 10.

    .venv/bin/python bench/messaging_thread.py [--messages 1000] [--runs 30]

Builds a program, a clinician on one participant's care team and two threads (10 messages and
`--messages` messages, every text encrypted as the action stores it) in a fresh PostgreSQL
database `openiop_bench_messaging` on DATABASE_URL's server. Then, in-process through the test
client:

- the newest page of each thread as the clinician (50 messages, newest last, read mark moved);
- the oldest page of the long thread;
- the long thread as the participant;
- the poll with nothing new (204).

Prints p50/p95 in milliseconds and query counts; exits non-zero if the long thread's page runs
more queries than the short one's.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "openiop_bench_messaging"

from bench.support import recreate_database, timed  # noqa: E402


def build(size: int):
    """The program, people and threads (synthetic)."""
    from datetime import date

    from django.utils import timezone

    from openiop.accounts.models import User
    from openiop.messaging import threads_actions as actions
    from openiop.messaging.models import Message, Thread
    from openiop.participants.models import CareTeamMember, Participant
    from openiop.programs.models import Program, ProgramMembership

    program = Program.objects.create(name="Bench IOP")
    clinician = User.objects.create_user(
        "clinician@bench.invalid",
        "bench-password",
        given_name="Bench",
        family_name="Clinician",
        role=User.Role.CLINICIAN,
        discipline=User.Discipline.PSYCHOLOGIST,
    )
    ProgramMembership.objects.create(program=program, user=clinician)
    person = User.objects.create_user(
        "participant@bench.invalid",
        "bench-password",
        given_name="Bench",
        family_name="Participant",
        role=User.Role.PARTICIPANT,
    )
    participant = Participant.objects.create(
        user=person,
        program=program,
        given_name="Bench",
        family_name="Participant",
        date_of_birth=date(1990, 1, 1),
        home_state="NY",
        timezone="America/New_York",
    )
    CareTeamMember.objects.create(
        participant=participant, clinician=clinician, role=CareTeamMember.Role.PRIMARY_CLINICIAN
    )
    now = timezone.now()
    threads = {}
    for count in (10, size):
        thread = Thread.objects.create(
            participant=participant,
            subject_ciphertext=actions.encrypt(f"Thread of {count}"),
            started_by=person,
            created_at=now,
            last_message_at=now,
        )
        Message.objects.bulk_create(
            (
                Message(
                    thread=thread,
                    kind=Message.Kind.STAFF if n % 2 else Message.Kind.PARTICIPANT,
                    author=clinician if n % 2 else person,
                    ciphertext=actions.encrypt(f"Synthetic message number {n} of the bench."),
                    sent_at=now,
                )
                for n in range(count)
            ),
            batch_size=1000,
        )
        threads[count] = thread
    return clinician, person, threads


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    os.environ["DATABASE_URL"] = recreate_database(base, DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("OPENIOP_MODE", "development")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.signin import session_key_for

    call_command("migrate", verbosity=0)
    clinician, person, threads = build(args.messages)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    settings.DEBUG = True
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]

    staff = Client(HTTP_HOST="127.0.0.1")
    staff.cookies["sessionid"] = session_key_for(clinician)
    participant = Client(HTTP_HOST="127.0.0.1")
    participant.cookies["sessionid"] = session_key_for(person)
    long, short = threads[args.messages], threads[10]
    newest = long.messages.order_by("-id").values_list("id", flat=True).first()

    def get(client, path: str, status: int = 200, **params):
        def call() -> None:
            response = client.get(path, params)
            assert response.status_code == status, response.status_code

        return call

    thread = "/messages/thread/{}/"
    results = {
        "thread of 10 (newest page)": timed(get(staff, thread.format(short.code)), args.runs),
        f"thread of {args.messages} (newest page)": timed(
            get(staff, thread.format(long.code)), args.runs
        ),
        f"thread of {args.messages} (oldest page)": timed(
            get(staff, thread.format(long.code), page="1"), args.runs
        ),
        f"thread of {args.messages} (participant)": timed(
            get(participant, thread.format(long.code)), args.runs
        ),
        "poll, nothing new (204)": timed(
            get(
                staff,
                f"/messages/thread/{long.code}/updates/",
                204,
                after=str(newest),
                view="bench",
            ),
            args.runs,
        ),
    }
    width = max(len(name) for name in results)
    print(f"{'':{width}}  {'p50 ms':>8}  {'p95 ms':>8}  queries")
    for name, figures in results.items():
        print(
            f"{name:{width}}  {figures['p50_ms']:>8}  {figures['p95_ms']:>8}  {figures['queries']}"
        )
    names = list(results)
    same = results[names[0]]["queries"] == results[names[1]]["queries"]
    print("query count constant in thread length:", "yes" if same else "NO")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
