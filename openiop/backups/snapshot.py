"""Take a consistent copy of the database and the documents' files, with what it should hold.

A backup is a folder: the database (``database.dump``, pg_dump's custom format, or
``database.sqlite3``), the documents' files (``documents/``, copied through the storage API, so
an S3-compatible store is backed up the same way), and ``manifest.json``: the row count of every
table, the audit trail's head and the dump's SHA-256, all read in the very snapshot that was
dumped, so a restore can be checked row for row while the service keeps writing. Counts and
hashes only: the manifest holds no health information; the dump and the files do, so the folder
is made private (0700/0600) and must be kept encrypted off the host (docs/backups.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connections

from openiop.audit.actions import record
from openiop.documents.models import Document
from openiop.documents.storage import document_storage

MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
DOCUMENTS = "documents"


class BackupError(Exception):
    """A backup or a restore that cannot be trusted; the message says why."""


@dataclass
class Manifest:
    created_at: str
    engine: str  # "postgresql" or "sqlite"
    database_file: str
    sha256: str
    tables: dict[str, int]
    audit_head: list[Any] | None  # [seq, hash] of the last audit row, or None
    documents: dict[str, int] = field(default_factory=dict)  # {"files": n, "bytes": n}

    def write(self, folder: Path) -> None:
        path = folder / MANIFEST
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")
        path.chmod(0o600)

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        if not path.exists():
            raise BackupError(f"{folder} holds no {MANIFEST}: not a backup made by `backup`.")
        return cls(**json.loads(path.read_text()))


def table_names() -> list[str]:
    """Every table Django manages, many-to-many link tables included, in a stable order."""
    names = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(names)


def count_rows(cursor: Any, quote: Any, tables: list[str] | None = None) -> dict[str, int]:
    counts = {}
    for table in table_names() if tables is None else tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (our own names)
        counts[table] = int(cursor.fetchone()[0])
    return counts


def audit_head(cursor: Any) -> list[Any] | None:
    cursor.execute("SELECT seq, hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1")
    row = cursor.fetchone()
    return [int(row[0]), str(row[1])] if row else None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pg_environment(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore; the password goes by environment only."""
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def run(command: list[str], env: dict[str, str] | None = None) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client).")
    result = subprocess.run(  # noqa: S603 (fixed argv, no shell; only paths and names vary)
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-500:]}")


def private_folder(folder: Path) -> None:
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: a backup never overwrites another.")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)


def backup_database(folder: Path, alias: str = "default") -> Manifest:
    connection = connections[alias]
    vendor = connection.vendor
    if vendor == "postgresql":
        return _backup_postgresql(folder, connection)
    if vendor == "sqlite":
        return _backup_sqlite(folder, connection)
    raise BackupError(f"No backup for a {vendor} database.")


def _backup_postgresql(folder: Path, connection: Any) -> Manifest:
    # A connection of our own in a repeatable-read transaction: its snapshot is exported to
    # pg_dump, and the counts and the audit head are read in it, so they describe the dump
    # exactly even while the service writes.
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = False
        with raw.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = count_rows(cursor, connection.ops.quote_name)
            head = audit_head(cursor)
            dump = folder / PG_DUMP
            args, env = pg_environment(connection.settings_dict)
            run(
                [
                    "pg_dump", *args, "--format=custom", "--no-owner", "--no-privileges",
                    f"--snapshot={snapshot}", f"--file={dump}",
                    str(connection.settings_dict["NAME"]),
                ],
                env,
            )  # fmt: skip
        raw.rollback()
    finally:
        raw.close()
    dump.chmod(0o600)
    return Manifest(_now(), "postgresql", PG_DUMP, sha256_of(dump), tables, head)


def _backup_sqlite(folder: Path, connection: Any) -> Manifest:
    copy = folder / SQLITE_COPY
    source = sqlite3.connect(str(connection.settings_dict["NAME"]), isolation_level=None)
    try:
        # One read transaction: the counts and the copy see the same moment (WAL keeps it).
        source.execute("BEGIN")
        cursor = source.cursor()
        tables = count_rows(cursor, connection.ops.quote_name)
        head = audit_head(cursor)
        target = sqlite3.connect(str(copy))
        try:
            source.backup(target)
        finally:
            target.close()
        source.execute("COMMIT")
    finally:
        source.close()
    copy.chmod(0o600)
    return Manifest(_now(), "sqlite", SQLITE_COPY, sha256_of(copy), tables, head)


def backup_documents(folder: Path, alias: str = "default") -> dict[str, int]:
    """Copy every document's file, removed ones too (they stay on the record).

    Read after the database's snapshot: rows are never deleted, so every row in the dump has
    its file here (a document uploaded meanwhile adds a file the dump does not name).
    """
    storage = document_storage()
    target = folder / DOCUMENTS
    target.mkdir(mode=0o700)
    files = total = 0
    for name in Document.objects.using(alias).values_list("storage_name", flat=True).iterator():
        if not storage.exists(name):
            raise BackupError(f"A document's file is missing from storage: {name}.")
        path = target / name
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with storage.open(name, "rb") as src, path.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        path.chmod(0o600)
        files += 1
        total += path.stat().st_size
    return {"files": files, "bytes": total}


def take_backup(folder: Path, alias: str = "default") -> Manifest:
    private_folder(folder)
    manifest = backup_database(folder, alias)
    manifest.documents = backup_documents(folder, alias)
    manifest.write(folder)
    # A copy of every chart left the database: on the trail (after the snapshot, so the backup
    # does not hold its own event), with counts only.
    record(
        "backup.taken",
        acting_user=None,
        details={
            "format": manifest.engine,
            "tables": len(manifest.tables),
            "rows": sum(manifest.tables.values()),
            "files": manifest.documents["files"],
            "bytes": (folder / manifest.database_file).stat().st_size,
        },
    )
    return manifest


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
