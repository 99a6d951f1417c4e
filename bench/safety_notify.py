"""p50/p95 time from a critical answer being saved to the first escalation text handed to the
SMS provider, with the real task worker (`manage.py db_worker`) running in its own process.

Each of N participants saves a critical answer (raise_critical_item_alert, committed); the
ladder claims the owner's notices and queues the `notify` job after commit; the worker picks
it up and hands the text to the provider (bench/timing_sms.py notes the moment). One alert at
a time, at a random moment of the worker's polling cycle, so the figure is the pipeline's
latency (about half the poll interval plus the work), not a queue backlog. Runs against a throwaway
test database on the configured PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/openiop_bench \\
        .venv/bin/python bench/safety_notify.py 200 [worker poll interval in s, default 1]
"""

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["OPENIOP_SMS_BACKEND"] = "bench.timing_sms.TimingBackend"
os.environ["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.runner import DiscoverRunner  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from openiop.accounts.models import User  # noqa: E402
from openiop.safety import actions  # noqa: E402
from openiop.testing import Personas  # noqa: E402

ITEM = [{"id": "asq-1", "item": "1", "label": "", "reason": "answered"}]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def _wait_for_line(log: Path, seen: int, timeout: float = 30.0) -> tuple[float, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        if len(lines) > seen:
            return float(lines[seen].split()[0]), len(lines)
        time.sleep(0.002)
    raise TimeoutError("the worker handed no text to the provider within 30 s")


def main(count: int, interval: str) -> None:
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    databases = runner.setup_databases()
    worker = None
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "sms.log"
        os.environ["BENCH_SMS_LOG"] = str(log)
        try:
            Personas.create_personas()
            User.objects.filter(pk__in=[Personas.alvarez.pk, Personas.chen.pk]).update(
                mobile_phone="+15555550111"
            )
            people = [
                Personas.make_participant(f"bench{n}@example.org", "Bench", f"Person{n}", "")
                for n in range(count + 1)
            ]
            env = os.environ | {"DATABASE_URL": _database_url(), "OPENIOP_TESTING": "0"}
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "db_worker",
                    "--no-startup-delay",
                    "--no-reload",
                    "--interval",
                    interval,
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            seen = 0
            latencies: list[float] = []
            saves: list[float] = []
            rng = random.Random(10)
            for index, person in enumerate(people):
                # Alerts arrive at random moments of the worker's polling cycle.
                time.sleep(rng.uniform(0, float(interval)))
                assert person.user is not None
                start = time.time()
                actions.raise_critical_item_alert(
                    person,
                    response=None,
                    critical_items=ITEM,
                    submitted=True,
                    acting_user=person.user,
                )
                saved = time.time()
                handed, seen = _wait_for_line(log, seen)
                if index:  # the first one warms the worker up
                    latencies.append((handed - start) * 1000)
                    saves.append((saved - start) * 1000)
            latencies.sort()
            p95 = latencies[int(0.95 * (len(latencies) - 1))]
            print(
                f"Critical answer saved -> first escalation text handed to the provider, "
                f"{count} alerts, db_worker polling every {interval} s: "
                f"p50 {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms, "
                f"max {latencies[-1]:.0f} ms (of which the save itself: p50 "
                f"{statistics.median(saves):.0f} ms)"
            )
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=30)
            connection.close()
            runner.teardown_databases(databases)


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 200,
        sys.argv[2] if len(sys.argv) > 2 else "1",
    )
