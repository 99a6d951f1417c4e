"""Where one signed-in page spends its time: its queries, then cProfile over in-process requests.

    .venv/bin/python bench/profile_page.py --database openiop_speed_bench --reuse \
        --email rosa.alvarez@demo.openiop.invalid --path /participants/ [--runs 20] [--sql]

Signs the person in as a full sign-in would (MFA verified) and requests each page once to warm
caches. Then, per page: its queries and their time (`--sql` prints each), the median wall time
and the CPU time this process spent over `--runs` requests (steadier than the wall clock on a
busy machine), and the functions that took the most time over `--runs` more under cProfile.
The demo is loaded first unless `--reuse` finds it (`load_demo`, `--participants`, 52 weeks).
Run with DJANGO_SETTINGS_MODULE=bench.floor_settings to profile bench/floor_urls.py's pages.
"""

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import setup_django_on


class QueryTimer:
    """A connection.execute_wrapper that keeps each query's SQL and milliseconds."""

    def __init__(self) -> None:
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(((time.perf_counter() - began) * 1000, sql))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="openiop_profile_page")
    parser.add_argument("--reuse", action="store_true", help="keep a demo already loaded")
    parser.add_argument("--participants", type=int, default=60)
    parser.add_argument("--email", required=True, help="who asks for the page")
    parser.add_argument("--path", action="append", required=True, help="may repeat")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--sql", action="store_true", help="print each query and its time")
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()

    setup_django_on(args.database, reuse=args.reuse)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.signin import session_key_for
    from openiop.accounts.models import User

    call_command("migrate", verbosity=0)
    if not User.objects.filter(email=args.email).exists():
        call_command("load_demo", participants=args.participants, weeks=52, quiet=True)
    user = User.objects.get(email=args.email)
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key_for(user)
    for path in args.path:
        response = client.get(path)
        if response.status_code != 200:
            print(f"{path}: {response.status_code}", file=sys.stderr)
            return 1
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            client.get(path)
        timings, cpu = [], []
        for _ in range(args.runs):  # unprofiled
            began, began_cpu = time.perf_counter(), time.process_time()
            client.get(path)
            timings.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
        print(
            f"\n== {path}: median {statistics.median(timings):.1f} ms "
            f"(CPU in Django {statistics.median(cpu):.1f} ms), {len(timer.queries)} queries "
            f"({sum(ms for ms, _ in timer.queries):.1f} ms), {args.runs} runs"
        )
        if args.sql:
            for ms, sql in timer.queries:
                print(f"{ms:8.2f} ms  {sql[:160]}")
        if args.top:
            profile = cProfile.Profile()
            for _ in range(args.runs):
                profile.enable()
                client.get(path)
                profile.disable()
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.top)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
