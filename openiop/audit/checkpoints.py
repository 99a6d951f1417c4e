"""Checkpoints: the trail's head, signed and written outside the database.

A checkpoint is one line of JSON: `{"seq", "hash", "at", "key", "mac"}`, where `mac` is an
HMAC-SHA256 of "seq hash at key" under the audit key `key`. The chain's keyed hashes catch an
edited row; checkpoints catch what the chain alone cannot: rows cut from the end of the trail,
and a chain recomputed by someone who holds the key. `manage.py audit_verify` checks every line.

Sinks (`OPENIOP_AUDIT_CHECKPOINT_SINKS`): "file" appends to `OPENIOP_AUDIT_CHECKPOINT_FILE`
(created 0600, opened with O_APPEND); "syslog" sends the line to a syslog daemon, usually one on
another host. docs/audit.md explains how to keep the lines off the database's host.
"""

import hashlib
import hmac
import json
import logging
import logging.handlers
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from openiop.audit.keys import key_for, signing_key
from openiop.audit.models import AuditEvent

logger = logging.getLogger(__name__)

# Syslog lines start with this tag, so a log server can route them and `audit_verify
# --checkpoints` can read them back from any log file.
SYSLOG_TAG = "openiop-audit-checkpoint: "


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    key: str
    mac: str = ""

    def message(self) -> bytes:
        return f"{self.seq} {self.hash} {self.at} {self.key}".encode("ascii")

    def line(self) -> str:
        return json.dumps(
            {"seq": self.seq, "hash": self.hash, "at": self.at, "key": self.key, "mac": self.mac},
            separators=(",", ":"),
        )

    def is_authentic(self) -> bool:
        key = key_for(self.key)
        if key is None:
            return False
        expected = hmac.new(key, self.message(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.mac)


def sign(seq: int, head_hash: str) -> Checkpoint:
    key_id, key = signing_key()
    unsigned = Checkpoint(seq=seq, hash=head_hash, at=timezone.now().isoformat(), key=key_id)
    mac = hmac.new(key, unsigned.message(), hashlib.sha256).hexdigest()
    return Checkpoint(seq=seq, hash=head_hash, at=unsigned.at, key=key_id, mac=mac)


class BadCheckpointLine(ValueError):
    pass


def parse(text: str) -> Checkpoint:
    """One line of a checkpoint file, or of a syslog file that carries them after a prefix."""
    start = text.find("{")
    if start < 0:
        raise BadCheckpointLine("it holds no checkpoint")
    try:
        data = json.loads(text[start:].strip(" \r\n\x00"))
        return Checkpoint(
            seq=int(data["seq"]),
            hash=str(data["hash"]),
            at=str(data["at"]),
            key=str(data["key"]),
            mac=str(data["mac"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise BadCheckpointLine("it is not a checkpoint") from exc


def read(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of each non-blank line."""
    with path.open(encoding="ascii", errors="replace") as lines:
        for number, text in enumerate(lines, start=1):
            if text.strip():
                yield number, text


class Sink(Protocol):
    def write(self, line: str) -> None: ...


class FileSink:
    """Append-only writes: O_APPEND puts every line at the end, even with many writers."""

    def __init__(self, path: str):
        self.path = Path(path)

    def write(self, line: str) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)


class SyslogSink:
    def __init__(self, address: str, facility: str):
        target: Any = address
        socktype = None
        if not address.startswith("/"):
            host, _, port = address.rpartition(":")
            target = (host, int(port))
            socktype = socket.SOCK_DGRAM
        self.handler = logging.handlers.SysLogHandler(
            address=target,
            facility=logging.handlers.SysLogHandler.facility_names[facility],
            socktype=socktype,
        )
        self.handler.append_nul = False

    def write(self, line: str) -> None:
        record = logging.LogRecord(
            "openiop.audit", logging.INFO, __file__, 0, SYSLOG_TAG + line, None, None
        )
        try:
            self.handler.emit(record)
        finally:
            self.handler.close()


def sinks() -> list[Sink]:
    built: list[Sink] = []
    for name in settings.OPENIOP_AUDIT_CHECKPOINT_SINKS:
        if name == "file":
            built.append(FileSink(settings.OPENIOP_AUDIT_CHECKPOINT_FILE))
        elif name == "syslog":
            built.append(
                SyslogSink(
                    settings.OPENIOP_AUDIT_SYSLOG_ADDRESS, settings.OPENIOP_AUDIT_SYSLOG_FACILITY
                )
            )
        else:
            raise ValueError(f"OPENIOP_AUDIT_CHECKPOINT_SINKS: unknown sink {name!r}")
    return built


def write(seq: int, head_hash: str) -> Checkpoint:
    """Sign this head and hand it to every configured sink."""
    checkpoint = sign(seq, head_hash)
    for sink in sinks():
        sink.write(checkpoint.line())
    return checkpoint


_throttle_lock = threading.Lock()
_last_written = {"at": float("-inf"), "seq": 0}


def after_append(event: Any) -> None:
    """Called by record() inside the appending transaction: when a checkpoint is due, write
    this row as one once the transaction commits (never a row that might be rolled back).

    Due means OPENIOP_AUDIT_CHECKPOINT_SECONDS or OPENIOP_AUDIT_CHECKPOINT_ROWS have passed
    since this process's last checkpoint; a busy trail gets a few lines a minute, not one per
    append. Rows appended after the last checkpoint are covered by the next one, or by the
    one `audit_verify` writes.
    """
    if not settings.OPENIOP_AUDIT_CHECKPOINT_SINKS:
        return
    now = time.monotonic()
    with _throttle_lock:
        due = (
            now - _last_written["at"] >= settings.OPENIOP_AUDIT_CHECKPOINT_SECONDS
            or event.seq - _last_written["seq"] >= settings.OPENIOP_AUDIT_CHECKPOINT_ROWS
        )
        if not due:
            return
        _last_written["at"] = now
        _last_written["seq"] = event.seq
    transaction.on_commit(partial(_write_committed, event.seq, event.hash))


def _write_committed(seq: int, head_hash: str) -> None:
    # The append has committed: a sink that is down must not turn it into an error page.
    try:
        write(seq, head_hash)
    except (OSError, ValueError):
        logger.exception("audit checkpoint for row %s could not be written", seq)


def check_file(path: Path, batch_size: int = 2000) -> tuple[int, str | None]:
    """Check every checkpoint in the file against the table.

    Returns how many checkpoints matched and, when any failed, one message: the first line
    that is not an authentic checkpoint, or else the lowest row that a checkpoint names but
    that is missing or carries another hash.
    """
    head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    matched = 0
    worst: tuple[int, str] | None = None
    pending: list[Checkpoint] = []

    def flush() -> None:
        nonlocal matched, worst
        stored = dict(
            AuditEvent.objects.filter(seq__in={c.seq for c in pending}).values_list("seq", "hash")
        )
        for checkpoint in pending:
            found = stored.get(checkpoint.seq)
            if found == checkpoint.hash:
                matched += 1
                continue
            if worst is not None and worst[0] <= checkpoint.seq:
                continue
            if found is None:
                ends = f"the trail now ends at row {head}" if head else "the trail is empty"
                reason = (
                    f"the checkpoint written at {checkpoint.at} names it, but it is missing; "
                    f"{ends} (rows cut from the end?)"
                )
            else:
                reason = (
                    f"its hash differs from the checkpoint written at {checkpoint.at} "
                    "(the chain was recomputed from this row or an earlier one)"
                )
            worst = (checkpoint.seq, f"Audit trail broken at row {checkpoint.seq}: {reason}.")
        pending.clear()

    for number, text in read(path):
        try:
            checkpoint = parse(text)
        except BadCheckpointLine as exc:
            return matched, f"Checkpoint file {path}, line {number}: {exc}."
        if not checkpoint.is_authentic():
            return matched, (
                f"Checkpoint file {path}, line {number}: its signature does not match "
                f"(key id {checkpoint.key!r}); the line was edited or forged."
            )
        pending.append(checkpoint)
        if len(pending) >= batch_size:
            flush()
    if pending:
        flush()
    return matched, worst[1] if worst else None
