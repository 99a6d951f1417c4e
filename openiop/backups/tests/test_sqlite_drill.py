"""The demo's embedded SQLite database is backed up and drilled the same way (docs/backups.md)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from tempfile import TemporaryDirectory

from django.conf import settings
from django.test import SimpleTestCase


def manage(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


class SqliteBackupTests(SimpleTestCase):
    def test_a_sqlite_backup_restores_row_for_row_and_a_missing_row_fails(self):
        with TemporaryDirectory() as tmp:
            database = Path(tmp) / "openiop.sqlite3"
            migrated = manage(database, "migrate", "--verbosity", "0")
            self.assertEqual(migrated.returncode, 0, migrated.stderr)
            folder = Path(tmp) / "backup"
            backed_up = manage(database, "backup", str(folder))
            self.assertEqual(backed_up.returncode, 0, backed_up.stderr)
            self.assertIn("(sqlite, database.sqlite3)", backed_up.stdout)

            drilled = manage(database, "restore_drill", str(folder))
            self.assertEqual(drilled.returncode, 0, drilled.stderr)
            self.assertIn("restored row for row", drilled.stdout)

            # The manifest says one more permission than the copy holds: the drill names it.
            path = folder / "manifest.json"
            manifest = json.loads(path.read_text())
            manifest["tables"]["auth_permission"] += 1
            path.write_text(json.dumps(manifest))
            drilled = manage(database, "restore_drill", str(folder))
            self.assertNotEqual(drilled.returncode, 0)
            self.assertIn("auth_permission:", drilled.stderr)
