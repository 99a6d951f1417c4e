"""Kill a task worker in the middle of escalation texts: none lost, none sent twice.

    .venv/bin/python bench/worker_kill.py [alerts, default 60] [--backend db|rq]

Two real workers on a throwaway test database of the configured PostgreSQL: `manage.py
db_worker` (--backend db, the default) or `manage.py rqworker default --with-scheduler`
(--backend rq, on the Redis of OPENIOP_TEST_REDIS_URL, else 127.0.0.1:6379/15, else a private
redis-server; its database is emptied). A provider that takes 0.3 s a text
(openiop/notifications/sms/filelog.py) logs each idempotency key when handed it and again when
it accepted it. N critical answers are saved at once, each raising an alert whose owner is
texted by the ladder's `notify` job. Once 10 texts went through, the first worker is killed
with SIGKILL while the provider has one of its texts (with RQ: the worker, its scheduler and
the work horse running the job) and a new worker of the same kind is started; when the queue
is quiet, the sweep runs as it would two minutes later (`escalate_overdue`, which re-delivers
claims a dead worker left behind).

Counts: notices claimed, notices sent, jobs the queue still holds as running or failed (it
runs none again), keys handed to the provider twice (the dead worker's call, then the
sweep's), keys the provider accepted twice (the same key: a provider that honours idempotency
keys drops the second, as Twilio does), notices never accepted (lost), and keys no claim holds
(true duplicates, which the unique claim row forbids). Exits non-zero if any was lost or truly
duplicated.
"""

import argparse
import contextlib
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
SMS_BACKEND = "openiop.notifications.sms.filelog.FileLogBackend"
os.environ["OPENIOP_SMS_BACKEND"] = SMS_BACKEND
os.environ["OPENIOP_SMS_DELAY"] = "0.3"
ARGS = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ARGS.add_argument("alerts", nargs="?", type=int, default=60)
ARGS.add_argument("--backend", choices=["db", "rq"], default="db")
OPTIONS = ARGS.parse_args()
os.environ["TASKS_BACKEND"] = OPTIONS.backend
if OPTIONS.backend == "rq":
    from openiop.tests.redis_server import redis_url

    os.environ["TASKS_REDIS_URL"] = redis_url()

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
    if OPTIONS.backend == "rq":
        command = ["rqworker", "default", "--with-scheduler"]
    else:
        command = ["db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.2"]
    return subprocess.Popen(
        [sys.executable, "manage.py", *command],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (RQ's work horse runs in a session of its own)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def kill(worker: subprocess.Popen) -> None:
    """SIGKILL the worker, everything in its process group, and any work horse it forked."""
    horses = children(worker.pid)
    os.killpg(worker.pid, signal.SIGKILL)
    for pid in horses:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    worker.wait(timeout=30)


def _lines(log: Path) -> list[list[str]]:
    return [line.split() for line in log.read_text().splitlines()] if log.exists() else []


def wait_mid_call(worker: subprocess.Popen, log: Path) -> None:
    """Return once 10 texts went through and `worker` has one in the provider's hands."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        lines = _lines(log)
        done = {key for event, _, key, _ in lines if event == "sent"}
        busy = {int(pid) for event, _, key, pid in lines if event == "begin" and key not in done}
        if len(done) >= 10 and busy & {worker.pid, *children(worker.pid)}:
            return
        time.sleep(0.01)
    handed = sorted({int(line[3]) for line in _lines(log)})
    raise RuntimeError(
        f"The first worker (pid {worker.pid}) never held a text; "
        f"{len(done)} accepted, handed by pids {handed}"
    )


def jobs_left_by_the_dead_worker() -> int:
    """Jobs the queue holds as running or abandoned: neither queue runs them again."""
    if OPTIONS.backend == "rq":
        import django_rq
        from rq.registry import FailedJobRegistry, StartedJobRegistry

        queue = django_rq.get_queue("default")
        return len(StartedJobRegistry(queue=queue)) + len(FailedJobRegistry(queue=queue))
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status="RUNNING").count()


def main(count: int) -> int:
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)  # a leftover test database goes
    runner.setup_databases()
    workers: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "sms.log"
        os.environ["OPENIOP_SMS_LOG"] = str(log)
        try:
            Personas.create_personas()
            User.objects.filter(pk__in=[Personas.alvarez.pk, Personas.chen.pk]).update(
                mobile_phone="+15555550111"
            )
            people = [
                Personas.make_participant(f"bench{n}@example.org", "Bench", f"Person{n}", "")
                for n in range(count)
            ]
            env = os.environ | {
                "DATABASE_URL": _database_url(),
                "OPENIOP_TESTING": "0",
                # bench.safety_notify, imported for ITEM, names its own backend on import.
                "OPENIOP_SMS_BACKEND": SMS_BACKEND,
            }
            workers = [start_worker(env), start_worker(env)]
            time.sleep(2)  # both polling
            for person in people:
                assert person.user is not None
                actions.raise_critical_item_alert(
                    person, response=None, critical_items=ITEM, submitted=True,
                    acting_user=person.user,
                )  # fmt: skip
            wait_mid_call(workers[0], log)
            kill(workers[0])
            killed_after = sum(1 for line in _lines(log) if line[0] == "sent")
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
            handed = Counter(line[2] for line in _lines(log) if line[0] == "begin")
            accepted = Counter(line[2] for line in _lines(log) if line[0] == "sent")
            keys = {str(code) for code in texts.values_list("code", flat=True)}
            report = {
                "backend": OPTIONS.backend,
                "alerts": count,
                "text_notices_claimed": len(keys),
                "text_notices_sent": texts.filter(status=EscalationNotice.Status.SENT).count(),
                "texts_accepted_before_the_kill": killed_after,
                "left_unsent_by_the_dead_worker": unsent_before_sweep,
                "redelivered_by_the_sweep": swept["redelivered"],
                "jobs_the_queue_holds_running_or_failed": jobs_left_by_the_dead_worker(),
                "keys_handed_twice_same_key": sum(1 for n in handed.values() if n > 1),
                "keys_accepted_twice_provider_drops": sum(1 for n in accepted.values() if n > 1),
                "lost": len(keys - set(accepted)),
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
    sys.exit(main(OPTIONS.alerts))
