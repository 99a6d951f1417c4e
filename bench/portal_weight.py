"""Weight and load time of every participant page on a weak link, in Chromium at 390×844.

Issue 12's link: 400 kbit/s down (and up), 400 ms round trip, through Chromium's own network
emulation (DevTools `Network.emulateNetworkConditions`). Each run loads every page of
openiop/tests/page_weight.py (and the pages Today links to) with a cold cache; the figures are
the bytes on the wire (document and subresources, compressed) and the time to the load event,
p50 over the runs. Static files are collected and served as in production (hashed names,
brotli, immutable caching; openiop/tests/collected_static.py).

Runs in-process against a throwaway test database on the configured PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/openiop_bench \\
        .venv/bin/python bench/portal_weight.py [--runs 3]
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The test settings: the in-memory stand-in for Janus, so the video room opens.
os.environ.setdefault("OPENIOP_TESTING", "1")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.test.runner import DiscoverRunner  # noqa: E402
from django.test.testcases import LiveServerThread  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from openiop.testing import CHROMIUM, CHROMIUM_ARGS, Personas  # noqa: E402
from openiop.tests.collected_static import (  # noqa: E402
    _no_static_handler,
    collected_root,
    collected_settings,
)
from openiop.tests.page_weight import (  # noqa: E402
    KB,
    PHONE,
    WEAK_LINK,
    portal_objects,
    signed_in_context,
    weigh_portal,
)


def main(runs: int) -> None:
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    databases = runner.setup_databases()
    server = None
    try:
        with override_settings(**collected_settings(collected_root())):
            case = Personas()
            Personas.create_personas()
            objects = portal_objects(case)
            # Whitenoise serves /static/ as in production (the handler passes it through).
            server = LiveServerThread("127.0.0.1", _no_static_handler)  # type: ignore[arg-type]
            server.daemon = True
            server.start()
            server.is_ready.wait()
            if server.error:
                raise server.error
            origin = f"http://127.0.0.1:{server.port}"
            results: dict[str, list[tuple[int, float]]] = {}
            budgets: dict[str, int] = {}
            missing: list[str] = []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                for run in range(runs):
                    context = signed_in_context(browser, origin, case.pat_user, viewport=PHONE)
                    weights, missing = weigh_portal(
                        context.new_page(), origin, objects, conditions=WEAK_LINK
                    )
                    context.close()
                    for weight in weights:
                        results.setdefault(weight.label, []).append((weight.total, weight.seconds))
                        budgets[weight.label] = weight.budget
                    print(f"run {run + 1}/{runs} done", file=sys.stderr)
                browser.close()
        report(results, budgets, missing, runs)
    finally:
        if server is not None:
            server.terminate()
        # A request thread the server abandoned at shutdown may still hold a connection to
        # the throwaway database, which PostgreSQL then refuses to drop.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        runner.teardown_databases(databases)


def report(
    results: dict[str, list[tuple[int, float]]],
    budgets: dict[str, int],
    missing: list[str],
    runs: int,
) -> None:
    print(f"Participant pages, 390x844, 400 kbit/s, 400 ms RTT, cold cache, p50 of {runs} runs")
    print(f"{'page':52} {'kB':>7} {'budget':>7} {'load s':>7}")
    for label, samples in results.items():
        size = statistics.median(s for s, _ in samples)
        seconds = statistics.median(t for _, t in samples)
        print(f"{label[:52]:52} {size / KB:7.1f} {budgets[label] / KB:7g} {seconds:7.2f}")
    if missing:
        print("Listed but not in this project (yet): " + ", ".join(missing))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    main(parser.parse_args().runs)
