"""`manage.py backup` and `manage.py restore_drill` against the real PostgreSQL (docs/backups.md).

Real commits (the backup reads through connections of its own), real pg_dump and pg_restore,
a real scratch database created and dropped beside the test database.
"""

import json
import threading
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection

from openiop.audit.actions import record
from openiop.audit.models import AuditEvent
from openiop.backups.snapshot import MANIFEST, PG_DUMP
from openiop.documents.actions import upload_document
from openiop.participants.models import Participant
from openiop.testing import Personas, TransactionalTestCase


def scratch_databases() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'openiop_restore_drill_%%'"
        )
        return [row[0] for row in cursor.fetchall()]


class BackupAndDrillTests(Personas, TransactionalTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.create_personas()
        upload_document(
            self.pat,
            upload=SimpleUploadedFile("letter.txt", b"Referral letter, synthetic.\n"),
            kind="referral_letter",
            acting_user=self.alvarez,
        )
        for _ in range(5):
            record("chart.viewed", acting_user=self.alvarez, participant=self.pat)
        self.tmp = TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.folder = Path(self.tmp.name) / "backup"

    def backup(self) -> str:
        out = StringIO()
        call_command("backup", str(self.folder), stdout=out)
        return out.getvalue()

    def drill(self) -> str:
        out = StringIO()
        call_command("restore_drill", str(self.folder), stdout=out)
        return out.getvalue()

    def test_a_backup_restores_row_for_row_with_an_intact_audit_trail(self):
        said = self.backup()
        self.assertIn("document files", said)
        manifest = json.loads((self.folder / MANIFEST).read_text())
        tables = manifest["tables"]
        self.assertEqual(tables["participants_participant"], Participant.objects.count())
        # The trail as it was at the snapshot: everything but the backup's own event.
        trail = AuditEvent.objects.exclude(event_type="backup.taken")
        self.assertEqual(tables["audit_auditevent"], trail.count())
        self.assertEqual(manifest["documents"]["files"], 1)
        # Counts and hashes only: no name, no health information in the manifest.
        self.assertNotIn("Lindqvist", (self.folder / MANIFEST).read_text())
        self.assertEqual((self.folder / PG_DUMP).stat().st_mode & 0o777, 0o600)
        self.assertEqual(self.folder.stat().st_mode & 0o777, 0o700)

        taken = AuditEvent.objects.get(event_type="backup.taken")
        self.assertEqual(taken.details["rows"], sum(tables.values()))
        self.assertEqual(taken.details["files"], 1)

        said = self.drill()
        self.assertIn("Restore drill passed", said)
        drilled = AuditEvent.objects.get(event_type="backup.drilled")
        self.assertEqual(drilled.details["status"], "passed")
        self.assertIn(f"{tables['audit_auditevent']} rows verified, head matches", said)
        self.assertIn("1 document files match", said)
        self.assertEqual(scratch_databases(), [])

    def test_a_backup_taken_while_the_service_writes_matches_its_own_moment(self):
        stop = threading.Event()
        written = []

        def keep_writing() -> None:
            try:
                while not stop.is_set():
                    record("chart.viewed", acting_user=self.sam, participant=self.pat)
                    written.append(1)
            finally:
                close_old_connections()
                connection.close()

        writer = threading.Thread(target=keep_writing)
        writer.start()
        try:
            self.backup()
        finally:
            stop.set()
            writer.join()
        self.assertGreater(len(written), 0)
        manifest = json.loads((self.folder / MANIFEST).read_text())
        # The trail grew after the snapshot; the backup holds its own moment, whole.
        self.assertLess(manifest["tables"]["audit_auditevent"], AuditEvent.objects.count())
        self.assertIn("Restore drill passed", self.drill())

    def test_a_changed_dump_is_refused_before_restoring(self):
        self.backup()
        dump = self.folder / PG_DUMP
        data = bytearray(dump.read_bytes())
        data[-10] ^= 0xFF
        dump.write_bytes(bytes(data))
        with self.assertRaisesMessage(CommandError, "does not match the manifest's SHA-256"):
            self.drill()
        self.assertEqual(scratch_databases(), [])

    def test_missing_rows_a_different_head_and_a_changed_file_each_fail_the_drill(self):
        self.backup()
        path = self.folder / MANIFEST
        manifest = json.loads(path.read_text())
        manifest["tables"]["participants_participant"] += 1
        manifest["audit_head"][1] = "0" * 64
        manifest["tables"]["reports_weekly"] = 3  # a table the restore does not have
        path.write_text(json.dumps(manifest))
        document = next((self.folder / "documents").rglob("*"), None)
        while document is not None and document.is_dir():
            document = next(document.iterdir())
        assert document is not None
        document.write_bytes(b"something else")
        with self.assertRaises(CommandError) as caught:
            self.drill()
        message = str(caught.exception)
        self.assertIn("participants_participant: 2 rows restored, 3 backed up", message)
        self.assertIn("the audit trail's head differs", message)
        self.assertIn("reports_weekly: missing from the restore, 3 backed up", message)
        self.assertIn("does not match its SHA-256", message)
        failed = AuditEvent.objects.get(event_type="backup.drilled")
        self.assertEqual(failed.details["status"], "failed")
        self.assertEqual(scratch_databases(), [])

    def test_it_never_writes_into_a_folder_that_holds_something(self):
        self.folder.mkdir()
        (self.folder / "old").write_text("an older backup")
        with self.assertRaisesMessage(CommandError, "is not empty"):
            self.backup()
