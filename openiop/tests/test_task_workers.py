"""Real task workers in their own processes, on both queues: the database's and RQ on Redis.

Two workers of each kind (`manage.py db_worker`, `manage.py rqworker default --with-scheduler`)
run against the test database; texts go to a file (openiop.notifications.sms.filelog) and
emails to files, so every process's sends are counted in one place. The same tests run on both
queues: a session reminder and a safety notice run exactly once; a worker SIGKILLed while the
provider has the text, or before the reminder job has written its claims, loses nothing and
sends nothing twice once the sweeps have run.
"""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import ClassVar
from unittest import mock

import psycopg
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from redis import Redis
from rq.scheduler import RQScheduler

from openiop.safety import actions as safety_actions
from openiop.safety import sweep
from openiop.safety.models import EscalationNotice, SafetyAlert
from openiop.scheduling import reminders, tasks
from openiop.scheduling.models import Booking, PlannedReminder, ReminderClaim, Session
from openiop.scheduling.tests.base import ConcurrentTestCase
from openiop.tests.redis_server import redis_url

CRITICAL_ITEM = [{"id": "asq-1", "item": "1", "label": "", "reason": "answered"}]
WAIT = 90.0  # seconds: a worker's start-up on a busy 2-core machine takes up to ~15
BACKENDS = {"db": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}
KEY = re.compile(r"^X-OpenIOP-Idempotency-Key: (\S+)", re.MULTILINE)


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


def _parent(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def _descendants(pids: set[int]) -> set[int]:
    """`pids` and every process below them (RQ forks a work horse per job)."""
    found = set(pids)
    while True:
        more = set()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) not in found:
                with contextlib.suppress(OSError, ValueError, IndexError):
                    if _parent(int(entry.name)) in found:
                        more.add(int(entry.name))
        if not more:
            return found
        found |= more


def _wait(condition, what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for {what}")
        time.sleep(0.1)


class WorkerTests(ConcurrentTestCase):
    """Run once per queue by the subclasses below; `kind` is "db" or "rq"."""

    __test__ = False

    kind: ClassVar[str]
    folder: ClassVar[Path]
    workers: ClassVar[list[subprocess.Popen]]
    redis: ClassVar[str]

    # -- set-up ---------------------------------------------------------------------------

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.folder = Path(tempfile.mkdtemp(prefix=f"openiop-workers-{cls.kind}-"))
        (cls.folder / "mail").mkdir()
        cls.redis = redis_url()
        cls.workers = [cls.start_worker(n) for n in (1, 2)]

    @classmethod
    def tearDownClass(cls) -> None:
        for worker in cls.workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in cls.workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
        shutil.rmtree(cls.folder, ignore_errors=True)
        super().tearDownClass()

    @classmethod
    def env(cls) -> dict[str, str]:
        return {
            "OPENIOP_SMS_BACKEND": "openiop.notifications.sms.filelog.FileLogBackend",
            "OPENIOP_SMS_LOG": str(cls.folder / "sms.log"),
            "OPENIOP_SMS_HOLD": str(cls.folder / "hold"),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(cls.folder / "mail"),
        }

    @classmethod
    def start_worker(cls, number: int) -> subprocess.Popen:
        if cls.kind == "rq":
            command = ["rqworker", "default", "--with-scheduler", "--name", f"test-{number}"]
        else:
            command = ["db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.2"]
        env = {
            **os.environ,
            **cls.env(),
            "DATABASE_URL": _database_url(),
            "OPENIOP_TESTING": "0",
            "TASKS_BACKEND": cls.kind,
            "TASKS_REDIS_URL": cls.redis,
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        log = open(cls.folder / f"worker-{number}.log", "ab")  # noqa: SIM115 (the child's)
        try:
            return subprocess.Popen(
                [sys.executable, "manage.py", *command],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()

    def setUp(self) -> None:
        super().setUp()
        # Two workers for every test: replace any a test killed.
        if self.kind == "rq" and any(worker.poll() is not None for worker in self.workers):
            # A killed worker's scheduler lock outlives it by a minute, and with it RQ's
            # scheduled jobs would wait: the replacements take the lock at once.
            Redis.from_url(self.redis).delete(RQScheduler.get_locking_key("default"))
        type(self).workers = [
            worker if worker.poll() is None else self.start_worker(10 + n)
            for n, worker in enumerate(self.workers)
        ]
        for name in ("sms.log", "hold"):
            (self.folder / name).unlink(missing_ok=True)
        for sent in (self.folder / "mail").iterdir():
            sent.unlink()
        backend = {"default": {"BACKEND": BACKENDS[self.kind], "QUEUES": ["default"]}}
        queues = {"default": {"URL": self.redis, "DEFAULT_TIMEOUT": 600}}
        overrides = override_settings(
            TASKS=backend,
            RQ_QUEUES=queues,
            OPENIOP_SMS_BACKEND=self.env()["OPENIOP_SMS_BACKEND"],
            EMAIL_BACKEND=self.env()["EMAIL_BACKEND"],
            EMAIL_FILE_PATH=self.env()["EMAIL_FILE_PATH"],
        )
        overrides.enable()
        self.addCleanup(overrides.disable)
        environment = mock.patch.dict(os.environ, self.env())
        environment.start()
        self.addCleanup(environment.stop)

    # -- the scenario ---------------------------------------------------------------------

    def queue_a_reminder_and_an_alert(self) -> None:
        """Pat's session starts in 30 minutes: its 1-hour reminder is due, queued to run in a
        second (RQ's scheduler, the database queue's run_after); Pat's critical answer raises
        an alert whose ladder queues the `notify` job for Dr. Alvarez, by text and email."""
        self.alvarez.mobile_phone = "+15555550111"
        self.alvarez.save(update_fields=["mobile_phone"])
        booking = self.book_pat_in_30_minutes()
        self.queue_reminder(booking, booking.session.starts_at)
        alert = safety_actions.raise_critical_item_alert(
            self.pat,
            response=None,
            critical_items=CRITICAL_ITEM,
            submitted=True,
            acting_user=self.pat_user,
        )
        assert alert is not None and alert.status == SafetyAlert.Status.OPEN

    def book_pat_in_30_minutes(self) -> Booking:
        # The real clock, not a frozen one: the workers are other processes, on real time.
        # Every local field derives from this one moment, so the session is consistent at
        # any hour (at 23:45 UTC it starts on the next day, and says so).
        starts_at = (timezone.now() + timedelta(minutes=30)).replace(microsecond=0)
        session = Session.objects.create(
            program=self.program,
            group=self.group,
            kind=Session.Kind.GROUP,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3),
            local_date=starts_at.date(),
            local_starts_at=starts_at.time(),
            local_ends_at=(starts_at + timedelta(hours=3)).time(),
            timezone="UTC",
        )
        return Booking.objects.create(
            session=session, participant=self.pat, source=Booking.Source.MAKEUP
        )

    def queue_reminder(self, booking: Booking, starts_at) -> None:
        """The 1-hour reminder, planned as booking does and queued to run in a second."""
        kind = ReminderClaim.Kind.HOUR_BEFORE
        PlannedReminder.objects.create(
            booking=booking,
            kind=kind,
            session_starts_at=starts_at,
            due_at=starts_at - timedelta(hours=1),
        )
        tasks.send_reminder.using(run_after=timezone.now() + timedelta(seconds=1)).enqueue(
            booking.pk, kind, starts_at.isoformat()
        )

    def claims(self) -> dict[str, str]:
        """Every claim's key (its code) and status, reminders and notices alike."""
        rows = [
            *ReminderClaim.objects.values_list("code", "status"),
            *EscalationNotice.objects.values_list("code", "status"),
        ]
        return {str(code): status for code, status in rows}

    def texts(self, event: str) -> Counter:
        log = self.folder / "sms.log"
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        return Counter(line.split()[2] for line in lines if line.split()[0] == event)

    def emails(self) -> Counter:
        keys: Counter = Counter()
        for sent in (self.folder / "mail").iterdir():
            keys.update(KEY.findall(sent.read_text(encoding="utf-8")))
        return keys

    def assert_each_claim_sent_exactly_once(self) -> None:
        claims = self.claims()
        # Two reminder claims (text, email), two notice claims (text, email).
        self.assertEqual(len(claims), 4, claims)
        self.assertEqual(set(claims.values()), {"sent"})
        text_keys = {
            str(code)
            for code in [
                *ReminderClaim.objects.filter(channel="sms").values_list("code", flat=True),
                *EscalationNotice.objects.filter(channel="sms").values_list("code", flat=True),
            ]
        }
        sent_texts, sent_emails = self.texts("sent"), self.emails()
        self.assertEqual(sent_texts, Counter(text_keys))
        self.assertEqual(sent_emails, Counter(set(claims) - text_keys))

    # -- the tests ------------------------------------------------------------------------

    def test_a_reminder_and_a_safety_notice_run_once_on_two_real_workers(self):
        self.queue_a_reminder_and_an_alert()
        _wait(
            lambda: len(self.claims()) == 4 and set(self.claims().values()) == {"sent"},
            "the workers to send the reminder and the notice",
        )
        time.sleep(0.5)  # a second run of either job would show now
        self.assert_each_claim_sent_exactly_once()

    def test_a_worker_killed_mid_text_loses_and_duplicates_nothing_after_the_sweeps(self):
        (self.folder / "hold").touch()  # the provider holds each text until we let go
        self.queue_a_reminder_and_an_alert()
        _wait(lambda: len(self.texts("begin")) == 2, "both texts to reach the provider")
        # Kill whichever worker has each text, all of it: the db_worker process, or RQ's
        # worker with its scheduler and the work horse it forked for the job (in a session of
        # its own). Mid-call: the claims are open, the provider has not answered.
        log = (self.folder / "sms.log").read_text(encoding="utf-8").splitlines()
        busy = {int(line.split()[3]) for line in log}
        killed = [w for w in self.workers if w.pid in busy or w.pid in map(_parent, busy)]
        self.assertEqual(len(killed), 2)
        for worker in killed:
            os.killpg(worker.pid, signal.SIGKILL)
        for pid in busy:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for worker in killed:
            worker.wait(timeout=30)
        (self.folder / "hold").unlink()
        time.sleep(0.5)  # anything that would resend on its own has its chance
        self.assertEqual(self.texts("sent"), Counter())
        self.assertEqual(set(self.claims().values()), {"claimed"})

        # The sweeps, as they run two minutes later (every minute in production).
        later = timezone.now() + timedelta(minutes=3)
        self.assertEqual(sweep.run(now=later), {"escalated": 0, "redelivered": 2})
        self.assertEqual(reminders.redeliver_stale(now=later), 2)
        self.assertEqual(sweep.run(now=later)["redelivered"], 0)
        self.assertEqual(reminders.redeliver_stale(now=later), 0)

        self.assert_each_claim_sent_exactly_once()
        # The provider was handed each text twice with the same key (it drops the repeat).
        self.assertEqual(set(self.texts("begin").values()), {2})

    def test_a_worker_killed_before_the_reminder_claimed_loses_nothing_after_the_sweep(self):
        """The gap between taking a job and committing its claims, held open: another
        transaction holds an uncommitted claim with the same key, so the worker's own claim
        waits on it. Both workers are killed there, the holder rolls back: no claim is left,
        and the job is gone from the queue (running forever, or abandoned)."""
        booking = self.book_pat_in_30_minutes()
        starts_at = booking.session.starts_at
        holder = psycopg.connect(_database_url())  # a transaction, left open
        self.addCleanup(holder.close)
        holder.execute(
            "INSERT INTO scheduling_reminderclaim (code, booking_id, kind, channel,"
            " session_starts_at, status, claimed_at, provider_message_id)"
            " VALUES (%s, %s, 'hour_before', 'sms', %s, 'claimed', now(), '')",
            (uuid.uuid4(), booking.pk, starts_at),
        )
        self.queue_reminder(booking, starts_at)

        def waiting_claims() -> int:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND query LIKE 'INSERT INTO \"scheduling_reminderclaim\"%%'"
                )
                return cursor.fetchone()[0]

        _wait(lambda: waiting_claims() == 1, "a worker's claim to wait on the held one")
        doomed = _descendants({w.pid for w in self.workers})
        for pid in doomed:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for worker in self.workers:
            worker.wait(timeout=30)
        holder.rollback()
        _wait(lambda: waiting_claims() == 0, "the dead worker's claim to be rolled back")
        time.sleep(0.5)
        self.assertEqual(self.claims(), {})
        self.assertEqual(self.texts("begin"), Counter())

        later = timezone.now() + timedelta(minutes=3)
        self.assertEqual(reminders.redeliver_stale(now=later), 0)  # nothing was claimed
        self.assertEqual(reminders.send_overdue(now=later), 2)
        self.assertEqual(reminders.sweep(now=later), 0)
        claims = dict(ReminderClaim.objects.values_list("channel", "code"))
        self.assertEqual(set(self.claims().values()), {"sent"})
        self.assertEqual(self.texts("sent"), Counter({str(claims["sms"]): 1}))
        self.assertEqual(self.emails(), Counter({str(claims["email"]): 1}))


class DatabaseQueueWorkerTestCase(WorkerTests):
    __test__ = True
    kind = "db"


class RQWorkerTestCase(WorkerTests):
    __test__ = True
    kind = "rq"
