"""Kill a task worker in the middle of escalation texts: none lost, none sent twice.

    .venv/bin/python bench/worker_kill.py [alerts, default 60]

Two real `manage.py db_worker` processes on a throwaway test database of the configured
PostgreSQL; a provider that takes 0.3 s a text (bench/timing_sms.py) logs each idempotency key
handed to it. N critical answers are saved at once, each raising an alert whose owner is texted
by the ladder's `notify` job. After 3 s one worker is killed with SIGKILL (its job dies
mid-call) and a new worker is started; when the queue is quiet, the sweep runs as it would two
minutes later (`escalate_overdue`, which re-delivers claims a dead worker left behind).

Counts: notices claimed, notices sent, keys handed to the provider, keys handed twice (the same
key: a provider that honours idempotency keys drops the second, as Twilio does), notices never
handed over (lost), and notices with two different keys (true duplicates, which the unique
claim row forbids). Exits non-zero if any was lost or truly duplicated.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["OPENIOP_SMS_BACKEND"] = "bench.timing_sms.TimingBackend"
os.environ["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
os.environ["BENCH_SMS_DELAY"] = "0.3"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.runner import DiscoverRunner  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.safety_notify import ITEM, _database_url  # noqa: E402
from openiop.accounts.models import User  # noqa: E402
from openiop.safety import actions, sweep  # noqa: E402
from openiop.safety.models import EscalationNotice  # noqa: E402
from openiop.testing import Personas  # noqa: E402


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload",
         "--interval", "0.2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


def main(count: int) -> int:
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    runner.setup_databases()
    workers: list[subprocess.Popen] = []
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
                for n in range(count)
            ]
            env = os.environ | {"DATABASE_URL": _database_url(), "OPENIOP_TESTING": "0"}
            workers = [start_worker(env), start_worker(env)]
            time.sleep(2)  # both polling
            for person in people:
                assert person.user is not None
                actions.raise_critical_item_alert(
                    person, response=None, critical_items=ITEM, submitted=True,
                    acting_user=person.user,
                )  # fmt: skip
            time.sleep(3)
            os.killpg(workers[0].pid, signal.SIGKILL)
            killed_after = len(log.read_text().splitlines()) if log.exists() else 0
            workers.append(start_worker(env))
            texts = EscalationNotice.objects.filter(channel=EscalationNotice.Channel.SMS)
            quiet_since, last = time.monotonic(), -1
            while time.monotonic() - quiet_since < 5:  # wait until nothing moves for 5 s
                now = texts.filter(status=EscalationNotice.Status.SENT).count()
                if now != last:
                    quiet_since, last = time.monotonic(), now
                time.sleep(0.5)
            unsent_before_sweep = texts.exclude(status=EscalationNotice.Status.SENT).count()
            swept = sweep.run(now=timezone.now() + timedelta(minutes=3))
            connection.close()
            handed = Counter(line.split()[1] for line in log.read_text().splitlines())
            keys = {str(code) for code in texts.values_list("code", flat=True)}
            report = {
                "alerts": count,
                "text_notices_claimed": len(keys),
                "text_notices_sent": texts.filter(status=EscalationNotice.Status.SENT).count(),
                "texts_handed_before_the_kill": killed_after,
                "left_unsent_by_the_dead_worker": unsent_before_sweep,
                "redelivered_by_the_sweep": swept["redelivered"],
                "keys_handed_twice_provider_drops": sum(1 for n in handed.values() if n > 1),
                "lost": len(keys - set(handed)),
                "unknown_keys_handed": len(set(handed) - keys),
            }
        finally:
            for worker in workers:
                if worker.poll() is None:
                    os.killpg(worker.pid, signal.SIGTERM)
                    worker.wait(timeout=30)
    import json

    print(json.dumps(report, indent=2))
    return 0 if report["lost"] == 0 and report["unknown_keys_handed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 60))
