"""The SQLite demo keeps its delete guards on the safety tables after every migration.

SQLite rebuilds a table for most column changes and the rebuild drops the table's triggers;
later safety migrations rebuild safety_alerttrigger and safety_safetyalert. guards.py puts the
guards back on post_migrate. This test migrates a fresh SQLite database in a subprocess (the
test database is PostgreSQL): first with the post_migrate hook disconnected, to show that the
rebuild really drops a guard (so the test fails without guards.py's reinstall), then runs
`migrate` again with the hook wired as SafetyConfig.ready wires it, and proves that deleting
an alert or a trigger is refused.
"""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = textwrap.dedent(
    """
    import json, os, sqlite3
    import django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection
    from django.db.models.signals import post_migrate

    GUARDED = ("safety_safetyalert", "safety_alerttrigger")

    def guards():
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            return sorted(row[0] for row in cursor.fetchall())

    def dummy_row(db, table):
        # One row with a value in every NOT NULL column (foreign keys off: ids are made up).
        columns, values = [], []
        for _, name, kind, notnull, default, pk in db.execute(f"PRAGMA table_info({table})"):
            if pk or not notnull or default is not None:
                continue
            kind = kind.lower()
            if "int" in kind or "bool" in kind or "decimal" in kind:
                value = 1
            elif "datetime" in kind:
                value = "2026-01-05 12:00:00"
            elif "char(32)" in kind:
                value = "0123456789abcdef0123456789abcdef"
            elif "text" in kind:
                value = "[]"  # valid JSON for JSON fields, plain text for the others
            else:
                value = "open" if name == "status" else "x"
            columns.append(name)
            values.append(value)
        marks = ", ".join("?" * len(values))
        cursor = db.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values
        )
        return cursor.lastrowid

    post_migrate.disconnect(dispatch_uid="safety-sqlite-guards")
    call_command("migrate", verbosity=0)
    without_hook = guards()

    apps.get_app_config("safety").ready()  # the hook, wired as the app wires it
    call_command("migrate", verbosity=0)
    with_hook = guards()
    connection.close()

    refused = {}
    db = sqlite3.connect(os.environ["GUARD_DB"], isolation_level=None)
    db.execute("PRAGMA foreign_keys = OFF")
    for table in GUARDED:
        row = dummy_row(db, table)
        try:
            db.execute(f"DELETE FROM {table} WHERE id = ?", (row,))
        except sqlite3.DatabaseError as exc:
            refused[table] = str(exc)
        else:
            refused[table] = None
    print(json.dumps({"without_hook": without_hook, "with_hook": with_hook, "refused": refused}))
    """
)


class SqliteGuardsTestCase(SimpleTestCase):
    def test_sqlite_demo_refuses_to_delete_alerts_and_triggers_after_migrate(self):
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "demo.sqlite3"
            env = dict(os.environ, DATABASE_URL=f"sqlite:///{path}", GUARD_DB=str(path))
            env.pop("DJANGO_SETTINGS_MODULE", None)
            done = subprocess.run(
                [sys.executable, "-c", SCRIPT],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
        self.assertEqual(done.returncode, 0, done.stderr[-3000:])
        result = json.loads(done.stdout.strip().splitlines()[-1])
        # Without guards.py's reinstall, the later rebuild of the trigger table drops its guard.
        self.assertNotIn("safety_alerttrigger_no_delete", result["without_hook"])
        for table in ("safety_safetyalert", "safety_alerttrigger"):
            self.assertIn(f"{table}_no_delete", result["with_hook"])
            self.assertIn("safety alerts are never deleted", result["refused"][table] or "")
