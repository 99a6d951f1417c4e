"""Time and memory of the participant's record download (PDF and FHIR Bundle) for a year of
data.

Runs in-process against a throwaway test database on the configured PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/openiop_bench \\
        .venv/bin/python bench/record_download.py [--weeks 52] [--runs 3]

Pat's record gets a year of an IOP: every week three group notes and one individual note
(SOAP sections of 40-80 words, group notes with a shared and an individual part), an addendum
on every seventh note, four plan versions (initial and quarterly reviews), three diagnoses, four
medications and an allergy. Then, as the download views do (the same functions):
1. `designated_record` alone (the queries);
2. `designated_record` + `render_record_pdf`;
3. `designated_record` + `record_bundle` + JSON encoding.
Prints seconds (min / median / max over `--runs`, after one warm-up), tracemalloc's peak of
Python allocations during one run of 2 and 3, the process's peak resident memory during each
(reset between, Linux), the query count, the PDF's pages and both sizes.
"""

import argparse
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.db import connection
from django.template.loader import render_to_string
from django.test.runner import DiscoverRunner
from django.test.utils import CaptureQueriesContext

from bench.record_pdf import (
    current_rss_mib,
    page_count,
    paragraph,
    peak_rss_mib,
    reset_peak_rss,
)
from openiop.careplans.models import (
    Diagnosis,
    Goal,
    Medication,
    Objective,
    PlanProblem,
    TreatmentPlan,
)
from openiop.notes import record
from openiop.notes.models import Note
from openiop.notes.record_fhir import record_bundle
from openiop.notes.tests.helpers import (
    addendum,
    group_session,
    signed_note,
    summary_and_plans,
)
from openiop.testing import Personas

ZONE = "America/New_York"


def more_plans(case: Any) -> Objective:
    """Versions 3 and 4 after quarterly reviews; version 4 in effect. Its objective."""
    previous = case.pat.treatment_plans.get(status="active")
    diagnosis = Diagnosis.objects.filter(participant=case.pat).first()
    objective = None
    for number in (3, 4):
        previous.status = TreatmentPlan.Status.SUPERSEDED
        previous.save(update_fields=["status"])
        plan = TreatmentPlan.objects.create(
            participant=case.pat,
            number=number,
            lineage=previous.lineage,
            previous=previous,
            reason="scheduled_review",
            status="active",
            level_of_care="IOP",
            strengths=paragraph(number, 40),
            discharge_criteria="PHQ-9 below 10 for two weeks.",
            effective_at=datetime(2026, 1, 5, 15, tzinfo=UTC) + timedelta(weeks=13 * (number - 1)),
            created_by=case.alvarez,
        )
        for position in range(3):
            problem = PlanProblem.objects.create(
                plan=plan,
                position=position,
                in_own_words=paragraph(position, 15),
                clinical_statement=paragraph(position + 1, 30),
            )
            if diagnosis:
                problem.diagnoses.add(diagnosis)
            goal = Goal.objects.create(problem=problem, text=paragraph(position + 2, 12))
            for index in range(2):
                objective = Objective.objects.create(
                    goal=goal,
                    position=index,
                    text=paragraph(position + index, 15),
                    target_date=date(2026, 12, 1),
                    measure="phq9",
                    measure_comparator="lte",
                    measure_target=9,
                )
        previous = plan
    assert objective is not None
    return objective


def populate(weeks: int) -> int:
    case = Personas
    summary_and_plans(case, case.pat)
    for code, text in (("F41.1", "Generalized anxiety disorder"), ("F10.20", "Alcohol use")):
        Diagnosis.objects.create(
            participant=case.pat, icd10_code=code, description=text, updated_by=case.alvarez
        )
    for name in ("Bupropion", "Naltrexone", "Hydroxyzine"):
        Medication.objects.create(
            participant=case.pat, name=name, dose="as prescribed", updated_by=case.alvarez
        )
    objective = more_plans(case)
    start = datetime(2026, 1, 5, 23, 0, tzinfo=UTC)
    n = 0
    for week in range(weeks):
        monday = start + timedelta(weeks=week)
        for day in (0, 2, 3):
            session = group_session(case, participants=[case.pat], start=monday + timedelta(day))
            note = signed_note(
                case.pat,
                case.alvarez,
                started_at=session.starts_at,
                kind=Note.Kind.GROUP,
                session=session,
                shared_text=paragraph(n, 60),
                individual_text=paragraph(n + 1, 50),
                objectives=[objective],
            )
            n += 1
            if n % 7 == 0:
                addendum(note, case.alvarez, paragraph(n + 4, 40))
        note = signed_note(
            case.pat,
            case.alvarez,
            started_at=monday + timedelta(days=1, hours=-5),
            sections={
                "subjective": paragraph(n, 70),
                "objective": paragraph(n + 1, 50),
                "assessment": paragraph(n + 2, 60),
                "plan": paragraph(n + 3, 40),
            },
            objectives=[objective],
        )
        n += 1
        if n % 7 == 0:
            addendum(note, case.alvarez, paragraph(n + 4, 40))
    return n


def record_only() -> record.DesignatedRecord:
    return record.designated_record(Personas.pat)


def pdf_once() -> bytes:
    reader = Personas.pat.user
    assert reader is not None
    return record.render_record_pdf(record_only(), zone=ZONE, prepared_for=reader)


def bundle_once() -> bytes:
    return json.dumps(record_bundle(record_only(), zone=ZONE), ensure_ascii=False).encode()


def html_once() -> str:
    """The PDF's HTML alone: how much of the PDF's time is the template's."""
    designated = record_only()
    return render_to_string(
        record.TEMPLATE,
        {
            "record": designated,
            "participant": designated.participant,
            "zone": ZONE,
            "prepared_for": Personas.pat.user,
            "generated_at": datetime.now(UTC),
        },
    )


def timed(fn: Callable[[], Any], runs: int) -> tuple[list[tuple[float, float]], Any]:
    """(wall, CPU) seconds per run, after a warm-up (templates, fonts, models). CPU time is
    the fairer figure on a shared machine."""
    result = fn()
    seconds = []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        seconds.append((time.perf_counter() - wall, time.process_time() - cpu))
    return seconds, result


def figures(seconds: list[tuple[float, float]]) -> str:
    wall = [w for w, _ in seconds]
    cpu = [c for _, c in seconds]
    return (
        f"wall min {min(wall):.2f}, median {statistics.median(wall):.2f}, "
        f"max {max(wall):.2f} s; CPU median {statistics.median(cpu):.2f} s"
    )


def traced_peak(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    runner = DiscoverRunner(verbosity=0)
    runner.setup_test_environment()
    databases = runner.setup_databases()
    try:
        Personas.create_personas()
        started = time.perf_counter()
        notes = populate(args.weeks)
        print(
            f"record download: {notes} signed notes over {args.weeks} weeks, 4 plan versions, "
            f"3 diagnoses, 4 medications (built in {time.perf_counter() - started:.0f} s)"
        )
        with CaptureQueriesContext(connection) as queries:
            record_only()
        rss_before = current_rss_mib()

        reset = reset_peak_rss()
        seconds, _ = timed(record_only, args.runs)
        print(f"designated_record: {figures(seconds)}; {len(queries)} queries")

        # The Bundle first: where the peak RSS cannot be reset, the smaller one stays honest.
        reset_peak_rss()
        seconds, body = timed(bundle_once, args.runs)
        bundle_rss = peak_rss_mib()
        print(
            f"record + FHIR Bundle (validated, JSON): {figures(seconds)}; "
            f"{len(body) / 2**20:.1f} MiB"
        )

        seconds, _ = timed(html_once, args.runs)
        print(f"record + the PDF's HTML only: {figures(seconds)}")

        reset_peak_rss()
        seconds, pdf = timed(pdf_once, args.runs)
        pdf_rss = peak_rss_mib()
        print(
            f"record + PDF: {figures(seconds)}; {page_count(pdf)} pages, {len(pdf) / 2**20:.1f} MiB"
        )

        print(
            f"tracemalloc peak: PDF {traced_peak(pdf_once):.0f} MiB, "
            f"Bundle {traced_peak(bundle_once):.0f} MiB"
        )
        print(
            f"process RSS {rss_before:.0f} MiB before; peak during Bundle runs "
            f"{bundle_rss:.0f} MiB (+{bundle_rss - rss_before:.0f}), during PDF runs "
            f"{pdf_rss:.0f} MiB (+{pdf_rss - rss_before:.0f})"
            + ("" if reset else "; peaks since start, could not reset")
        )
    finally:
        runner.teardown_databases(databases)
        runner.teardown_test_environment()
    return 0


if __name__ == "__main__":
    sys.exit(main())
