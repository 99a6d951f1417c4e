import contextlib
import multiprocessing
import os
import signal
import threading
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django_tasks import default_task_backend

from openiop.notifications.sms import locmem
from openiop.scheduling import actions, reminders, tasks
from openiop.scheduling.models import Booking, ReminderClaim, Session
from openiop.scheduling.tests.base import ConcurrentTestCase, SchedulingTestCase
from openiop.scheduling.tests.test_concurrency import run_at_once

ADMITTED = datetime(2026, 3, 2, 12, tzinfo=UTC)
# Wednesday 4 March, 18:00 EST is 23:00 UTC; its 24 h reminder is due Tuesday 23:00 UTC.
SESSION_START = datetime(2026, 3, 4, 23, tzinfo=UTC)
DAY_BEFORE = SESSION_START - timedelta(hours=24)


class WorkerKilled(BaseException):
    """Stands in for a worker process dying: not an Exception, so nothing catches it."""


class ReminderSetup(SchedulingTestCase):
    """Pat seated from Monday 2 March; `run_job` replays Wednesday's 24 h reminder job."""

    def setUp(self):
        super().setUp()
        locmem.reset()
        default_task_backend.clear()  # type: ignore[attr-defined]
        with time_machine.travel(ADMITTED, tick=False), self.captureOnCommitCallbacks(execute=True):
            actions.admit(self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)
        self.booking = Booking.objects.get(participant=self.pat, session__starts_at=SESSION_START)

    def run_job(self, kind="day_before", at=DAY_BEFORE, starts_at=SESSION_START):
        with time_machine.travel(at, tick=False):
            return tasks.send_reminder.call(self.booking.pk, kind, starts_at.isoformat())


class ReminderTestCase(ReminderSetup):
    def test_admission_queues_both_reminders_for_each_session(self):
        jobs = [
            r
            for r in default_task_backend.results  # type: ignore[attr-defined]
            if r.task.name == "send_reminder" and r.args[0] == self.booking.pk
        ]
        self.assertEqual(
            sorted((r.args[1], r.task.run_after) for r in jobs),
            [
                ("day_before", DAY_BEFORE),
                ("hour_before", SESSION_START - timedelta(hours=1)),
            ],
        )

    def test_a_job_run_twice_sends_exactly_one_message_per_channel(self):
        self.assertEqual(self.run_job(), 2)
        self.assertEqual(self.run_job(), 0)
        self.assertEqual(len(locmem.outbox), 1)
        self.assertEqual(len(locmem.calls), 1)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(set(ReminderClaim.objects.values_list("status", flat=True)), {"sent"})

    def test_a_worker_killed_after_claiming_is_retried_exactly_once(self):
        with (
            mock.patch("openiop.scheduling.reminders.send_sms", side_effect=WorkerKilled),
            self.assertRaises(WorkerKilled),
        ):
            self.run_job()
        claim = ReminderClaim.objects.get(channel="sms")
        self.assertEqual(claim.status, ReminderClaim.Status.CLAIMED)
        self.assertEqual(locmem.outbox, [])

        self.run_job()
        self.run_job()
        self.assertEqual(len(locmem.outbox), 1)
        self.assertEqual(locmem.outbox[0].idempotency_key, str(claim.code))

    def test_a_retry_after_the_provider_accepted_is_dropped_by_the_idempotency_key(self):
        original = reminders.send_sms

        def send_then_die(*args, **kwargs):
            original(*args, **kwargs)
            raise WorkerKilled

        with (
            mock.patch("openiop.scheduling.reminders.send_sms", side_effect=send_then_die),
            self.assertRaises(WorkerKilled),
        ):
            self.run_job()
        self.run_job()
        self.assertEqual(len(locmem.calls), 2)
        self.assertEqual(len(locmem.outbox), 1)

    def test_a_cancelled_session_sends_no_reminder_but_one_notice(self):
        session = self.booking.session
        with (
            time_machine.travel(ADMITTED, tick=False),
            self.captureOnCommitCallbacks(execute=True),
        ):
            actions.cancel_session(session, reason="other", acting_user=self.dana)
        self.assertEqual(self.run_job(), 0)
        self.assertEqual(self.run_job("hour_before", SESSION_START - timedelta(hours=1)), 0)
        notices = [
            r
            for r in default_task_backend.results  # type: ignore[attr-defined]
            if r.task.name == "send_cancellation_notice"
        ]
        self.assertEqual(len(notices), 1)
        for _ in range(2):
            with time_machine.travel(ADMITTED, tick=False):
                tasks.send_cancellation_notice.call(*notices[0].args)
        self.assertEqual([m.body[:17] for m in locmem.outbox], ["Your session on W"])
        self.assertEqual(len(mail.outbox), 1)

    def test_a_moved_session_ignores_jobs_made_for_its_old_time(self):
        Session.objects.filter(pk=self.booking.session_id).update(
            starts_at=SESSION_START + timedelta(hours=1), ends_at=SESSION_START + timedelta(hours=4)
        )
        self.assertEqual(self.run_job(), 0)
        self.assertEqual(ReminderClaim.objects.count(), 0)

    def test_a_released_booking_gets_no_reminder(self):
        Booking.objects.filter(pk=self.booking.pk).update(status=Booking.Status.RELEASED)
        self.assertEqual(self.run_job(), 0)

    def test_a_job_started_early_sends_nothing(self):
        self.assertEqual(self.run_job(at=DAY_BEFORE - timedelta(hours=2)), 0)
        self.assertEqual(self.run_job(at=SESSION_START + timedelta(minutes=1)), 0)

    def test_participants_can_opt_out_per_channel(self):
        actions.set_reminder_preference(self.pat, sms=False, email=True, acting_user=self.pat_user)
        self.assertEqual(self.run_job(), 1)
        self.assertEqual(locmem.outbox, [])
        self.assertEqual(len(mail.outbox), 1)

    def test_texts_say_only_that_there_is_a_session_and_when(self):
        self.run_job()
        text = locmem.outbox[0].body
        email = mail.outbox[0]
        self.assertEqual(
            text, "Reminder: you have a session on Wed 4 Mar, 6:00 PM EST. Sign in to join."
        )
        for secret in (
            "Adult Mental Health",
            "IOP",
            "DBT",
            "Evening",
            "Patricia",
            "Pat ",
            "Lindqvist",
        ):
            self.assertNotIn(secret, text)
            self.assertNotIn(secret, email.body)
            self.assertNotIn(secret, email.subject)

    def test_reminders_use_the_participants_timezone(self):
        self.pat.timezone = "America/Phoenix"
        self.pat.save()
        self.run_job()
        self.assertIn("on Wed 4 Mar, 4:00 PM MST.", locmem.outbox[0].body)


class ConcurrentReminderTestCase(ConcurrentTestCase):
    def setUp(self):
        super().setUp()
        locmem.reset()
        with time_machine.travel(ADMITTED, tick=False):
            actions.admit(self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)
        self.booking = Booking.objects.get(participant=self.pat, session__starts_at=SESSION_START)

    def job(self):
        with time_machine.travel(DAY_BEFORE, tick=False):
            tasks.send_reminder.call(self.booking.pk, "day_before", SESSION_START.isoformat())

    def test_the_same_job_run_twice_at_once_sends_one_message(self):
        errors = run_at_once([self.job, self.job, self.job])
        self.assertEqual(errors, [])
        self.assertEqual(len(locmem.calls), 1)
        self.assertEqual(len(mail.outbox), 1)

    def test_a_killed_worker_process_leaves_a_claim_the_retry_sends_once(self):
        """A real worker process takes the claim's lock, is SIGKILLed, and the retry sends."""
        claimed = multiprocessing.get_context("fork").Event()
        connection.close()

        def hang_after_claim(*args, **kwargs):
            claimed.set()
            threading.Event().wait(60)

        def worker():
            with mock.patch("openiop.scheduling.reminders.send_sms", side_effect=hang_after_claim):
                self.job()

        process = multiprocessing.get_context("fork").Process(target=worker)
        process.start()
        self.assertTrue(claimed.wait(30))
        assert process.pid is not None
        os.kill(process.pid, signal.SIGKILL)
        process.join()

        self.assertEqual(
            ReminderClaim.objects.get(channel="sms").status, ReminderClaim.Status.CLAIMED
        )
        self.job()
        self.job()
        self.assertEqual(len(locmem.outbox), 1)
        self.assertEqual(ReminderClaim.objects.get(channel="sms").status, ReminderClaim.Status.SENT)


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
class DatabaseWorkerTestCase(ConcurrentTestCase):
    """The real queue: jobs stored in the database, run by `manage.py db_worker` (which closes
    connections between jobs, so this needs real transactions)."""

    def work(self, at):
        with time_machine.travel(at, tick=False):
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    def test_the_worker_sends_each_reminder_when_due_and_once(self):
        locmem.reset()
        with time_machine.travel(ADMITTED, tick=False):
            actions.admit(self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)
        self.work(ADMITTED)
        self.assertEqual(locmem.outbox, [])

        self.work(DAY_BEFORE + timedelta(minutes=1))
        self.work(DAY_BEFORE + timedelta(minutes=2))
        self.assertEqual(
            [m.body for m in locmem.outbox],
            ["Reminder: you have a session on Wed 4 Mar, 6:00 PM EST. Sign in to join."],
        )


class RandomisedFaultTestCase(ReminderSetup):
    """SECURITY.md R9: no duplicate and no lost text in 1,000 randomised fault runs.

    Each run replays the same reminder job one to four times, each attempt dying before the
    provider call, dying after the provider accepted, or finishing; the last attempt finishes.
    Emails die only before sending: SMTP takes no idempotency key, so a worker that dies
    after the server accepted an email would send it again (the window is one SMTP reply).
    """

    def test_no_duplicates_in_1000_randomised_fault_runs(self):
        import random

        rng = random.Random(9)
        original = reminders.send_sms
        duplicates = lost = 0
        for _ in range(1000):
            locmem.reset()
            mail.outbox.clear()
            ReminderClaim.objects.all().delete()
            attempts = rng.randint(1, 4)
            for attempt in range(attempts):
                fault = "none" if attempt == attempts - 1 else rng.choice(["before", "after"])

                def sms(*args, fault=fault, **kwargs):
                    if fault == "before":
                        raise WorkerKilled
                    result = original(*args, **kwargs)
                    if fault == "after":
                        raise WorkerKilled
                    return result

                with (
                    mock.patch("openiop.scheduling.reminders.send_sms", side_effect=sms),
                    contextlib.suppress(WorkerKilled),
                ):
                    self.run_job()
            duplicates += max(0, len(locmem.outbox) - 1) + max(0, len(mail.outbox) - 1)
            lost += (len(locmem.outbox) == 0) + (len(mail.outbox) == 0)
        self.assertEqual((duplicates, lost), (0, 0))
