"""p50/p95 round-trip of a progress note's autosave, as the page's script posts it.

Each save changes the Subjective section (a paragraph more each time, up to a few KB), so every
request validates the form, locks the note, checks its version, writes it and appends an audit
event. Runs in-process (Django's test client, no network) against a throwaway test database on
the configured PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/openiop_bench \\
        .venv/bin/python bench/notes_autosave.py [--saves 200]
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.test import Client  # noqa: E402
from django.test.runner import DiscoverRunner  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.signin import session_key_for  # noqa: E402
from openiop.notes.models import Note  # noqa: E402
from openiop.testing import Personas  # noqa: E402

PARAGRAPH = "Pat described the week, the skills she tried and what got in the way. " * 3


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=200)
    args = parser.parse_args()

    runner = DiscoverRunner(verbosity=0)
    runner.setup_test_environment()
    databases = runner.setup_databases()
    try:
        Personas.create_personas()
        alvarez, pat = Personas.alvarez, Personas.pat
        started = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
        note = Note.objects.create(
            participant=pat,
            author=alvarez,
            kind=Note.Kind.INDIVIDUAL,
            started_at=started,
            ended_at=started + timedelta(minutes=50),
        )
        zone = ZoneInfo(alvarez.timezone)
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies["sessionid"] = session_key_for(alvarez)
        url = reverse("notes:autosave", args=[note.code])
        data = {
            "form": "soap",
            "started_at": started.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
            "ended_at": (started + timedelta(minutes=50))
            .astimezone(zone)
            .strftime("%Y-%m-%dT%H:%M"),
            "telehealth_mode": "video",
            "participant_location": "Brooklyn, NY",
            "section_objective": "Alert and engaged.",
            "risk_status": "no_concern",
        }
        version = 1
        latencies = []
        for n in range(args.saves):
            data["edit_version"] = str(version)
            data["section_subjective"] = PARAGRAPH * (1 + n % 20)
            started_request = time.perf_counter()
            response = client.post(url, data, HTTP_ACCEPT="application/json")
            latencies.append((time.perf_counter() - started_request) * 1000)
            assert response.status_code == 200, (response.status_code, response.content[:200])
            version = response.json()["edit_version"]
        latencies.sort()
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        print(
            f"note autosave, {args.saves} saves: p50 {statistics.median(latencies):.1f} ms, "
            f"p95 {p95:.1f} ms, max {latencies[-1]:.1f} ms (final version {version})"
        )
    finally:
        runner.teardown_databases(databases)
        runner.teardown_test_environment()
    return 0


if __name__ == "__main__":
    sys.exit(main())
