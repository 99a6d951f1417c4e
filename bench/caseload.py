"""Caseload page vs a framework "hello" page, served by gunicorn with 2 workers.

    .venv/bin/python bench/caseload.py [--participants 2000] [--seconds 10] [--concurrency 4]

Loads the demo at --participants into a fresh PostgreSQL database (DATABASE_URL's server, or
the one scripts/postgres.sh finds or starts), puts 1,000 of them on one clinician's caseload,
checks that the caseload page's query count is the same for 10 and 1,000 participants, then
serves the site with gunicorn (2 workers) and measures requests/second and p50/p95 latency of
the signed-in caseload page and of /health/ side by side. Prints the figures; exits non-zero
if the query count changes.
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORT = 8765


def database_url() -> str:
    base = (
        os.environ.get("DATABASE_URL")
        or subprocess.run(
            [str(ROOT / "scripts/postgres.sh"), "start"], capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    parsed = urlparse(base)
    return parsed._replace(path="/openiop_bench").geturl()


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS openiop_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE openiop_bench")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def prepare(participants: int) -> tuple[str, dict[int, int]]:
    """Load the demo and return a signed-in session key and query counts by caseload size."""
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.signin import session_key_for
    from openiop.accounts.models import User
    from openiop.core import demo
    from openiop.participants.models import CareTeamMember, Participant

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    demo.load(participants=participants, weeks=52)
    print(f"demo loaded: {participants} participants in {time.perf_counter() - started:.1f} s")

    clinician = User.objects.create_user(
        "bench.clinician@demo.openiop.invalid",
        demo.DEMO_PASSWORD,
        given_name="Bench",
        family_name="Clinician",
        role=User.Role.CLINICIAN,
        discipline=User.Discipline.COUNSELOR,
    )
    pool = list(Participant.objects.order_by("id")[:1000])

    counts = {}
    client = Client(HTTP_HOST="127.0.0.1")
    for size in (10, 1000):
        CareTeamMember.objects.filter(clinician=clinician).delete()
        CareTeamMember.objects.bulk_create(
            CareTeamMember(participant=p, clinician=clinician, role="therapist")
            for p in pool[:size]
        )
        client.cookies["sessionid"] = session_key_for(clinician)
        client.get("/participants/")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/participants/")
        assert response.status_code == 200, response.status_code
        counts[size] = len(ctx.captured_queries)
    return session_key_for(clinician), counts


def hammer(path: str, cookie: str, seconds: float, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        nonlocal errors
        local: list[float] = []
        local_errors = 0
        while time.perf_counter() < deadline:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    local_errors += 1
            except OSError:
                local_errors += 1
            finally:
                conn.close()
            local.append(time.perf_counter() - started)
        with lock:
            latencies.extend(local)
            errors += local_errors

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    url = database_url()
    recreate_database(url)
    setup_django(url)
    session_key, counts = prepare(args.participants)
    print(f"caseload queries: {counts[10]} with 10 participants, {counts[1000]} with 1,000")

    env = {**os.environ, "DATABASE_URL": url, "OPENIOP_MODE": "development", "LOG_LEVEL": "ERROR"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{PORT}",
         "--workers", "2", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/health/")
                break
            except OSError:
                time.sleep(0.1)
        cookie = f"sessionid={session_key}"
        hammer("/participants/", cookie, 2, args.concurrency)  # warm-up
        results = {
            "hello (/health/)": hammer("/health/", "", args.seconds, args.concurrency),
            "caseload (signed in)": hammer(
                "/participants/", cookie, args.seconds, args.concurrency
            ),
        }
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(
        f"\ngunicorn, 2 sync workers; {args.concurrency} client threads; {args.seconds:.0f} s each"
    )
    print(f"{'page':<24}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'errors':>8}")
    for name, r in results.items():
        print(
            f"{name:<24}{r['rps']:>10.1f}{r['p50_ms']:>10.1f}{r['p95_ms']:>10.1f}{r['errors']:>8}"
        )
    hello, caseload = results["hello (/health/)"], results["caseload (signed in)"]
    print(f"caseload/hello throughput ratio: {caseload['rps'] / hello['rps']:.2f}")
    if counts[10] != counts[1000]:
        print("FAIL: the caseload query count grows with the caseload")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
