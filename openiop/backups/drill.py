"""Restore a backup into a scratch database and prove it whole: the restore drill.

The drill restores the dump beside the live database (a new PostgreSQL database, or a copy of
the SQLite file), counts every table and compares each count with the manifest, walks the whole
audit chain with its keys (the same check as `audit_verify`) and matches its head, and checks
every document row's file in the backup against the SHA-256 recorded when it was uploaded.
Then it drops the scratch database, unless asked to keep it.
"""

from __future__ import annotations

import copy
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connections
from django.db.utils import load_backend

from openiop.audit.actions import record
from openiop.audit.chain import verify
from openiop.audit.keys import key_for
from openiop.audit.models import AuditEvent
from openiop.documents.models import Document

from .snapshot import (
    DOCUMENTS,
    BackupError,
    Manifest,
    count_rows,
    pg_environment,
    run,
    sha256_of,
)

ALIAS = "restore_drill"


@dataclass
class DrillReport:
    tables: int = 0
    rows: int = 0
    audit_rows: int = 0
    documents: int = 0
    mismatches: list[str] = field(default_factory=list)
    kept: str = ""

    @property
    def passed(self) -> bool:
        return not self.mismatches


def run_drill(folder: Path, *, keep: bool = False, alias: str = "default") -> DrillReport:
    manifest = Manifest.read(folder)
    dump = folder / manifest.database_file
    if not dump.exists():
        raise BackupError(f"{dump} is missing.")
    if sha256_of(dump) != manifest.sha256:
        raise BackupError(f"{dump} does not match the manifest's SHA-256: it changed since.")
    report = DrillReport()
    with scratch_database(manifest, dump, alias, keep) as name:
        report.kept = name if keep else ""
        check_rows(manifest, report)
        check_audit(manifest, report)
        check_documents(folder, report)
    record(
        "backup.drilled",
        acting_user=None,
        details={
            "status": "passed" if report.passed else "failed",
            "tables": report.tables,
            "rows": report.rows,
            "events": report.audit_rows,
            "files": report.documents,
        },
    )
    return report


@contextmanager
def scratch_database(manifest: Manifest, dump: Path, alias: str, keep: bool) -> Iterator[str]:
    live = connections[alias]
    settings_dict = copy.deepcopy(live.settings_dict)
    if manifest.engine != live.vendor:
        raise BackupError(f"A {manifest.engine} backup cannot be drilled on {live.vendor}.")
    if manifest.engine == "postgresql":
        name = f"openiop_restore_drill_{secrets.token_hex(4)}"
        _admin_sql(live, f"CREATE DATABASE {live.ops.quote_name(name)}")
        args, env = pg_environment(settings_dict)
        scratch_dir = None
    else:
        scratch_dir = Path(tempfile.mkdtemp(prefix="openiop-restore-drill-"))
        name = str(scratch_dir / "restored.sqlite3")
    settings_dict["NAME"] = name
    restored = None
    try:
        if manifest.engine == "postgresql":
            run(
                ["pg_restore", *args, "--no-owner", "--no-privileges", "--exit-on-error",
                 f"--dbname={name}", str(dump)],
                env,
            )  # fmt: skip
        else:
            shutil.copyfile(dump, name)
        # A connection made here, not a configured alias: nothing else can route to it.
        restored = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, ALIAS)
        connections[ALIAS] = restored
        yield name
    finally:
        if restored is not None:
            restored.close()
            del connections[ALIAS]
        if not keep:
            _drop(manifest.engine, live, name, scratch_dir)


def _admin_sql(live: Any, sql: str) -> None:
    """CREATE/DROP DATABASE on a connection of its own: they cannot run in a transaction."""
    raw = live.get_new_connection(live.get_connection_params())
    try:
        raw.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute(sql)
    finally:
        raw.close()


def _drop(engine: str, live: Any, name: str, scratch_dir: Path | None) -> None:
    if engine == "postgresql":
        _admin_sql(live, f"DROP DATABASE IF EXISTS {live.ops.quote_name(name)} WITH (FORCE)")
    elif scratch_dir is not None:
        shutil.rmtree(scratch_dir, ignore_errors=True)


def check_rows(manifest: Manifest, report: DrillReport) -> None:
    restored = connections[ALIAS]
    # The tables the backup had, as far as the restore has them: a backup older than the code
    # lacks tables added since, which is not a fault of the restore.
    present = set(restored.introspection.table_names())
    with restored.cursor() as cursor:
        counts = count_rows(
            cursor, restored.ops.quote_name, [t for t in manifest.tables if t in present]
        )
    for table, expected in sorted(manifest.tables.items()):
        if table not in counts:
            report.mismatches.append(f"{table}: missing from the restore, {expected} backed up")
        elif counts[table] != expected:
            report.mismatches.append(
                f"{table}: {counts[table]} rows restored, {expected} backed up"
            )
    report.tables = len(counts)
    report.rows = sum(counts.values())


def check_audit(manifest: Manifest, report: DrillReport) -> None:
    events = AuditEvent.objects.using(ALIAS).order_by("seq").iterator(chunk_size=2000)
    checked, bad = verify(events, key_for)
    report.audit_rows = checked
    if bad is not None:
        report.mismatches.append(f"audit trail broken at row {bad.seq}: {bad.reason}")
        return
    head = AuditEvent.objects.using(ALIAS).order_by("-seq").values_list("seq", "hash").first()
    if (list(head) if head else None) != manifest.audit_head:
        report.mismatches.append("the audit trail's head differs from the backed-up one")


def check_documents(folder: Path, report: DrillReport) -> None:
    for name, digest in (
        Document.objects.using(ALIAS).values_list("storage_name", "sha256").iterator()
    ):
        path = folder / DOCUMENTS / name
        if not path.exists():
            report.mismatches.append(f"document file {name} is not in the backup")
        elif sha256_of(path) != digest:
            report.mismatches.append(f"document file {name} does not match its SHA-256")
        else:
            report.documents += 1
