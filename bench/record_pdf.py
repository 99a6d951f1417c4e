"""Time and memory of the full-record PDF (notes:record_pdf) for a record of 20+ pages.

Runs in-process against a throwaway test database on the configured PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/openiop_bench \\
        .venv/bin/python bench/record_pdf.py [--notes 60] [--runs 5]

Pat's record gets a diagnosis, a medication, an allergy, two plan versions, and `--notes`
signed notes of realistic length (SOAP sections of 40-80 words each, every fifth a group note,
every seventh with an addendum), then the PDF is made as the view makes it (the same query and
render functions). Prints the page count, the seconds per PDF (min / median / max over
`--runs`, after one warm-up), tracemalloc's peak of Python allocations during one render, and
the process's resident memory before the renders and its peak during them. Exits non-zero if
the PDF is under `--min-pages` pages.
"""

import argparse
import os
import re
import resource
import statistics
import sys
import time
import tracemalloc
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.test.runner import DiscoverRunner  # noqa: E402

from openiop.notes import record  # noqa: E402
from openiop.notes.models import Note  # noqa: E402
from openiop.notes.tests.helpers import (  # noqa: E402
    addendum,
    group_session,
    signed_note,
    summary_and_plans,
)
from openiop.testing import Personas  # noqa: E402

SENTENCES = [
    "Participant reports sleeping five to six hours most nights with one early waking.",
    "Mood described as low in the mornings and somewhat better after the evening group.",
    "Practised paced breathing and the TIPP skill twice this week, with partial relief.",
    "Affect constricted early in the session, brighter when discussing her sister's visit.",
    "No suicidal ideation, intent or plan reported; protective factors reviewed and stable.",
    "Completed the chain analysis worksheet for Tuesday's argument at work.",
    "Identified the prompting event, vulnerability factors and two alternative responses.",
    "Clinician reviewed the sleep diary and introduced stimulus control in plain language.",
    "Homework: continue the diary, one pleasant activity daily, opposite action once.",
    "Next session in one week; will review PHQ-9 trend against the plan's objective.",
]


def paragraph(seed: int, words: int) -> str:
    out: list[str] = []
    n = seed
    while sum(len(s.split()) for s in out) < words:
        out.append(SENTENCES[n % len(SENTENCES)])
        n += 3
    return " ".join(out)


def populate(notes: int) -> None:
    case = Personas
    summary_and_plans(case, case.pat)
    plan = case.pat.treatment_plans.get(status="active")
    objective = plan.problems.get().goals.get().objectives.get()
    start = datetime(2026, 1, 5, 23, 0, tzinfo=UTC)
    for n in range(notes):
        started_at = start + timedelta(days=n * 2)
        if n % 5 == 4:
            session = group_session(case, participants=[case.pat], start=started_at)
            note = signed_note(
                case.pat,
                case.alvarez,
                started_at=started_at,
                kind=Note.Kind.GROUP,
                session=session,
                shared_text=paragraph(n, 60),
                individual_text=paragraph(n + 1, 50),
                objectives=[objective],
            )
        else:
            note = signed_note(
                case.pat,
                case.alvarez,
                started_at=started_at,
                sections={
                    "subjective": paragraph(n, 70),
                    "objective": paragraph(n + 1, 50),
                    "assessment": paragraph(n + 2, 60),
                    "plan": paragraph(n + 3, 40),
                },
                objectives=[objective],
            )
        if n % 7 == 6:
            addendum(note, case.alvarez, paragraph(n + 4, 40))


def page_count(pdf: bytes) -> int:
    """The /Count of the PDF's page tree (object streams are deflated first)."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    counts = [
        int(count)
        for chunk in chunks
        for count in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", chunk)
        + re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", chunk)
    ]
    if counts:
        return max(counts)
    return sum(len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", chunk)) for chunk in chunks)


def render_once() -> bytes:
    designated = record.designated_record(Personas.pat)
    return record.render_record_pdf(
        designated, zone="America/New_York", prepared_for=Personas.alvarez
    )


def reset_peak_rss() -> bool:
    """Linux (4.0+) lets a process reset its own peak RSS, so the migrations that built the
    test database do not hide what the renders use. False where it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mib() -> float:
    try:
        status = Path("/proc/self/status").read_text()
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
        if match:
            return int(match.group(1)) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def current_rss_mib() -> float:
    try:
        match = re.search(r"^VmRSS:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    except OSError:
        return float("nan")
    return int(match.group(1)) / 1024 if match else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--min-pages", type=int, default=20)
    args = parser.parse_args()

    runner = DiscoverRunner(verbosity=0)
    runner.setup_test_environment()
    databases = runner.setup_databases()
    try:
        Personas.create_personas()
        populate(args.notes)
        rss_before = current_rss_mib()
        reset = reset_peak_rss()
        pdf = render_once()  # warm-up: templates, fonts
        pages = page_count(pdf)
        seconds = []
        for _ in range(args.runs):
            started = time.perf_counter()
            pdf = render_once()
            seconds.append(time.perf_counter() - started)
        rss_peak = peak_rss_mib()
        tracemalloc.start()
        render_once()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"full-record PDF: {args.notes} signed notes, 2 plan versions, "
            f"{pages} pages, {len(pdf) / 1024:.0f} KiB"
        )
        print(
            f"seconds per PDF over {args.runs} runs: min {min(seconds):.2f}, "
            f"median {statistics.median(seconds):.2f}, max {max(seconds):.2f}"
        )
        print(f"tracemalloc peak during one render: {peak / 2**20:.1f} MiB")
        print(
            f"process RSS: {rss_before:.0f} MiB before the renders, peak {rss_peak:.0f} MiB "
            f"during them (+{rss_peak - rss_before:.0f} MiB)"
            + ("" if reset else "; peak since start, could not reset")
        )
    finally:
        runner.teardown_databases(databases)
        runner.teardown_test_environment()
    if pages < args.min_pages:
        print(f"FAIL: {pages} pages, fewer than {args.min_pages}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
