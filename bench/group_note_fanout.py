"""Group note fan-out: signing the note of a group of 15 attendees.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/openiop_bench \\
        .venv/bin/python bench/group_note_fanout.py [runs, default 30] [attendees, default 15]

Runs in-process against a throwaway test database on the configured PostgreSQL. Each run is
a past session of one group with every attendee booked, a saved draft (attendance recorded,
distinct individual parts, each citing an objective of the attendee's own plan; one attendee
late, one absent), then `sign_group_note` timed on its own, commit included: the checks,
one signed note per attendee who came with its objectives and content hash, the lock of the
group note, and an audit event per note. Prints p50/p95 in milliseconds and the queries of
one fan-out.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection, connections, transaction  # noqa: E402
from django.test.runner import DiscoverRunner  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from openiop.notes import actions  # noqa: E402
from openiop.notes.actions import AttendeePart, SharedPart  # noqa: E402
from openiop.notes.models import Note  # noqa: E402
from openiop.notes.tests.group_helpers import book, make_group_session, make_plan  # noqa: E402
from openiop.programs.models import Group, GroupFacilitator, Track  # noqa: E402
from openiop.scheduling.models import Session  # noqa: E402
from openiop.testing import Personas  # noqa: E402


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Bench(Personas):
    pass


def build_group(size: int) -> tuple[Group, list]:
    Bench.create_personas()
    track = Track.objects.create(
        program=Bench.program, name="Bench track", starts_on=timezone.localdate()
    )
    group = Group.objects.create(
        track=track,
        name="Bench group",
        capacity=size,
        hard_cap=size,
        curriculum_starts_on=timezone.localdate(),
    )
    GroupFacilitator.objects.create(group=group, clinician=Bench.alvarez, role="lead")
    GroupFacilitator.objects.create(group=group, clinician=Bench.sam, role="peer")
    given = ["Avery", "Blair", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan"]
    family = ["Abbott", "Baker", "Castro", "Dunn", "Ellis", "Fox", "Gray", "Hale"]
    people = []
    for n in range(size):
        participant = Bench.make_participant(
            f"bench{n}@example.org", given[n % 8], f"{family[n // 8 % 8]}{n}", ""
        )
        objectives = make_plan(participant, Bench.alvarez, f"Objective {n}a", f"Objective {n}b")
        people.append((participant, objectives))
    return group, people


def draft(session: Session, people: list) -> actions.Saved:
    parts = []
    bookings = {b.participant_id: b for b in session.bookings.all()}
    for n, (participant, objectives) in enumerate(people):
        booking = bookings[participant.pk]
        attendance = "absent" if n == 0 else "late" if n == 1 else "present"
        parts.append(
            AttendeePart(
                booking=booking,
                attendance=attendance,
                absence_reason="Unwell" if attendance == "absent" else "",
                minutes=150 if attendance == "late" else None,
                individual_text=f"Attendee {n} practised the skill and rated distress {n % 10}.",
                objectives=objectives[:1],
            )
        )
    return actions.save_group_note(
        session,
        shared=SharedPart(
            topic="Distress tolerance",
            interventions="TIPP skills; paired practice.",
            shared_text="The group practised paced breathing and reviewed diary cards. " * 20,
        ),
        attendees=parts,
        version=0,
        acting_user=Bench.alvarez,
    )


def main(runs: int, size: int) -> None:
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    databases = runner.setup_databases()
    try:
        group, people = build_group(size)
        start_day = timezone.localdate() - timedelta(days=runs + 2)
        timings: list[float] = []
        queries: list[int] = []
        for run in range(runs + 1):
            session = make_group_session(group, start_day + timedelta(days=run))
            book(session, *(p for p, _ in people))
            saved = draft(session, people)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                with transaction.atomic():
                    signed = actions.sign_group_note(saved.group_note, acting_user=Bench.alvarez)
                elapsed = (time.perf_counter() - started) * 1000
            assert len(signed.notes) == size - 1
            if run:  # the first run warms caches and connections
                timings.append(elapsed)
                queries.append(len(captured))
        notes = Note.objects.count()
        print(f"group note fan-out: {size} attendees ({size - 1} notes, 1 absent), {runs} runs")
        print(
            f"  sign_group_note  p50 {statistics.median(timings):7.1f} ms   "
            f"p95 {percentile(timings, 0.95):7.1f} ms   "
            f"queries {min(queries)}-{max(queries)} per fan-out "
            f"({max(queries) / (size - 1):.1f} per note written)"
        )
        print(f"  {notes} signed notes written in all")
    finally:
        connections.close_all()
        runner.teardown_databases(databases)


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 30,
        int(sys.argv[2]) if len(sys.argv) > 2 else 15,
    )
