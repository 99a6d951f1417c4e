"""The demo's SQLite database under the web server and the task worker writing at once.

The suite itself runs on PostgreSQL, so these tests start separate processes on a
temporary SQLite file, each configured by config.settings as `make demo` configures them.
"""

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

WRITERS = 2
TRANSACTIONS_EACH = 40
START_TIMEOUT_SECONDS = 60
RUN_TIMEOUT_SECONDS = 60


def run_writers(folder: Path, *, stock: bool = False) -> list[subprocess.CompletedProcess]:
    """Start WRITERS processes, let them all connect, then release them together."""
    database = folder / "demo.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE booking (id INTEGER PRIMARY KEY, writer TEXT, seq INTEGER)")
    go_file = folder / "go"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "OPENIOP_VAR_DIR": str(folder),
        "SECRET_KEY": "sqlite-demo-test-" + "x" * 40,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    processes = []
    for number in range(WRITERS):
        command = [
            sys.executable,
            "-m",
            "openiop.core.tests.sqlite_writer",
            f"writer-{number}",
            str(TRANSACTIONS_EACH),
            str(folder / f"ready-{number}"),
            str(go_file),
        ]
        if stock:
            command.append("--stock")
        processes.append(
            subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not all((folder / f"ready-{n}").exists() for n in range(WRITERS)):
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                break
            time.sleep(0.05)
        go_file.touch()
        results = []
        for process in processes:
            stdout, stderr = process.communicate(timeout=RUN_TIMEOUT_SECONDS)
            results.append(
                subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
            )
        return results
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def count_bookings(folder: Path) -> int:
    with sqlite3.connect(folder / "demo.sqlite3") as db:
        (count,) = db.execute("SELECT COUNT(*) FROM booking").fetchone()
    return count


class SQLiteDemoConcurrencyTestCase(SimpleTestCase):
    def test_concurrent_writers_never_see_database_is_locked(self):
        with tempfile.TemporaryDirectory(prefix="openiop-sqlite-") as tmp:
            folder = Path(tmp)
            results = run_writers(folder)
            for result in results:
                self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(count_bookings(folder), WRITERS * TRANSACTIONS_EACH)
            with sqlite3.connect(folder / "demo.sqlite3") as db:
                (mode,) = db.execute("PRAGMA journal_mode").fetchone()
            self.assertEqual(mode, "wal")

    def test_django_defaults_fail_under_the_same_load(self):
        # Shows that the test above has teeth: without the project's options, a
        # read-then-write transaction loses the race for the write lock at once.
        with tempfile.TemporaryDirectory(prefix="openiop-sqlite-") as tmp:
            results = run_writers(Path(tmp), stock=True)
        errors = "".join(result.stderr for result in results)
        self.assertTrue(any(result.returncode == 1 for result in results), errors)
        self.assertIn("database is locked", errors)
