from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openiop.backups.snapshot import BackupError, take_backup


class Command(BaseCommand):
    help = (
        "Copy the database (one consistent snapshot, taken while the service runs) and the "
        "documents' files into a new private folder, with a manifest of row counts to check "
        "a restore against (docs/backups.md)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder", help="A new or empty folder; it is made private (0700).")

    def handle(self, *args: Any, folder: str, **options: Any) -> None:
        try:
            manifest = take_backup(Path(folder))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest.tables.values())
        self.stdout.write(
            f"Backed up {len(manifest.tables)} tables, {rows} rows "
            f"({manifest.engine}, {manifest.database_file}) and "
            f"{manifest.documents['files']} document files into {folder}."
        )
        if manifest.audit_head:
            seq, digest = manifest.audit_head
            self.stdout.write(f"Audit trail head in this backup: {seq}:{digest}")
