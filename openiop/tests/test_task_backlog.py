"""The task backlog metric counts the queue in use: the database's, or RQ's on a real Redis."""

import math

import django_rq
from django.test import override_settings

from openiop.core.metrics import task_backlog
from openiop.scheduling import tasks
from openiop.testing import BaseTestCase
from openiop.tests.redis_server import redis_url

RQ_BACKEND = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


class TaskBacklogTests(BaseTestCase):
    def test_the_database_queue_counts_its_ready_jobs(self):
        with override_settings(TASKS=DB_BACKEND):
            self.assertEqual(task_backlog(), 0)
            tasks.send_cancellation_notice.enqueue(1, "2026-03-04T23:00:00+00:00")
            tasks.send_cancellation_notice.enqueue(2, "2026-03-04T23:00:00+00:00")
            self.assertEqual(task_backlog(), 2)

    def test_rq_counts_the_jobs_waiting_in_redis(self):
        queues = {"default": {"URL": redis_url(), "DEFAULT_TIMEOUT": 600}}
        with override_settings(TASKS=RQ_BACKEND, RQ_QUEUES=queues):
            queue = django_rq.get_queue("default")
            queue.empty()
            self.addCleanup(queue.empty)
            self.assertEqual(task_backlog(), 0)
            for booking in (1, 2, 3):
                tasks.send_cancellation_notice.enqueue(booking, "2026-03-04T23:00:00+00:00")
            self.assertEqual(task_backlog(), 3)

    def test_rq_without_redis_reports_an_unknown_backlog(self):
        # Nothing listens on port 1: the count fails at once.
        queues = {"default": {"URL": "redis://127.0.0.1:1/0", "DEFAULT_TIMEOUT": 600}}
        with override_settings(TASKS=RQ_BACKEND, RQ_QUEUES=queues):
            self.assertTrue(math.isnan(task_backlog()))
