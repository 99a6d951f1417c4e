"""TASKS_BACKEND=rq without a Redis is refused at start-up, with what to set."""

import os
import subprocess
import sys

from django.conf import settings
from django.test import SimpleTestCase, override_settings

from openiop.core.checks import RQ_BACKEND, check_task_queue


class TaskQueueCheckTestCase(SimpleTestCase):
    @override_settings(TASKS_BACKEND=RQ_BACKEND, TASKS_REDIS_URL="")
    def test_rq_without_redis_is_an_error(self):
        [error] = check_task_queue(None)
        self.assertEqual(error.id, "openiop.E030")
        self.assertIn("REDIS_URL", error.hint or "")

    @override_settings(TASKS_BACKEND=RQ_BACKEND, TASKS_REDIS_URL="redis://10.0.0.5:6379/0")
    def test_rq_with_redis_passes(self):
        self.assertEqual(check_task_queue(None), [])

    @override_settings(TASKS_BACKEND="django_tasks_db.DatabaseBackend", TASKS_REDIS_URL="")
    def test_the_database_queue_needs_no_redis(self):
        self.assertEqual(check_task_queue(None), [])

    def test_an_rq_worker_will_not_start_without_redis(self):
        env = {**os.environ, "TASKS_BACKEND": "rq", "OPENIOP_TESTING": "0"}
        for name in ("REDIS_URL", "TASKS_REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
            env.pop(name, None)
        result = subprocess.run(
            [sys.executable, "manage.py", "rqworker", "default", "--burst"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("openiop.E030", result.stderr)
        self.assertIn("no Redis is configured", result.stderr)
