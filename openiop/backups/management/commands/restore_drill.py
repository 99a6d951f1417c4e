import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openiop.backups.drill import run_drill
from openiop.backups.snapshot import BackupError


class Command(BaseCommand):
    help = (
        "Restore a backup into a scratch database beside the live one and prove it whole: "
        "every table's row count, the audit chain (as audit_verify) and its head, and every "
        "document file's SHA-256. The scratch database is dropped afterwards unless --keep."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder", help="A folder written by `manage.py backup`.")
        parser.add_argument(
            "--keep", action="store_true", help="Keep the scratch database to look around."
        )

    def handle(self, *args: Any, folder: str, keep: bool, **options: Any) -> None:
        started = time.monotonic()
        try:
            report = run_drill(Path(folder), keep=keep)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.monotonic() - started
        if not report.passed:
            problems = "\n".join(f"  - {m}" for m in report.mismatches[:50])
            raise CommandError(f"Restore drill FAILED:\n{problems}")
        self.stdout.write(
            f"Restore drill passed in {seconds:.1f} s: {report.tables} tables, "
            f"{report.rows} rows restored row for row; audit trail intact "
            f"({report.audit_rows} rows verified, head matches); "
            f"{report.documents} document files match their SHA-256."
        )
        if report.kept:
            self.stdout.write(f"Scratch database kept: {report.kept}")
