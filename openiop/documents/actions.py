"""Writes to a chart's documents: upload, remove, and the audit of a refused upload.

An upload is checked, scanned, stored and recorded in that order. The file goes to storage
before the row is written, outside the database transaction (storage is not transactional);
if the row cannot be written the file is deleted again. A refused upload stores nothing and
leaves a `documents.upload_refused` event (outcome "denied") in its own transaction.
"""

import logging
import uuid

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.audit.models import AuditEvent
from openiop.documents.inspect import DocumentRefused, Inspection, inspect_upload
from openiop.documents.models import Document
from openiop.documents.scan import ScanError, scanner
from openiop.documents.storage import document_storage
from openiop.participants.models import Participant

logger = logging.getLogger(__name__)


def upload_document(
    participant: Participant,
    *,
    upload: UploadedFile,
    kind: str,
    title: str = "",
    acting_user: User,
) -> Document:
    """Store `upload` on the chart, or raise DocumentRefused (and audit the refusal)."""
    try:
        inspection = inspect_upload(upload)
        scan_status = _scan(upload, inspection)
    except DocumentRefused as exc:
        record_refused_upload(
            participant,
            reason=exc.reason,
            format_code=exc.format_code,
            size=upload.size or 0,
            acting_user=acting_user,
        )
        raise
    storage = document_storage()
    key = uuid.uuid4().hex
    upload.seek(0)
    stored_name = storage.save(f"{key[:2]}/{key}", upload)
    try:
        return _create_document(
            participant,
            inspection=inspection,
            stored_name=stored_name,
            scan_status=scan_status,
            kind=kind,
            title=title,
            acting_user=acting_user,
        )
    except BaseException:
        storage.delete(stored_name)
        raise


def _scan(upload: UploadedFile, inspection: Inspection) -> str:
    scan = scanner()
    if scan is None:
        return Document.ScanStatus.NOT_SCANNED
    try:
        verdict = scan(upload)
    except ScanError:
        logger.warning("The virus scanner gave no verdict; the upload was refused.")
        raise DocumentRefused(
            "scan_failed",
            "The file could not be checked for viruses just now, so it was not stored. "
            "Try again in a few minutes; if it keeps happening, tell your administrator.",
            inspection.format.code,
        ) from None
    if verdict != Document.ScanStatus.CLEAN:
        raise DocumentRefused(
            "infected",
            "The virus scanner found malware in this file, so it was not stored. Do not open "
            "it on this computer; ask the sender for a clean copy.",
            inspection.format.code,
        )
    return Document.ScanStatus.CLEAN


@transaction.atomic
def _create_document(
    participant: Participant,
    *,
    inspection: Inspection,
    stored_name: str,
    scan_status: str,
    kind: str,
    title: str,
    acting_user: User,
) -> Document:
    document = Document.objects.create(
        participant=participant,
        kind=kind,
        title=title.strip(),
        original_name=inspection.name,
        storage_name=stored_name,
        size=inspection.size,
        sha256=inspection.sha256,
        content_type=inspection.format.content_type,
        scan_status=scan_status,
        uploaded_by=acting_user,
        uploaded_at=timezone.now(),
    )
    record(
        "documents.uploaded",
        acting_user=acting_user,
        participant=participant,
        target=document,
        details={
            "kind": kind,
            "format": inspection.format.code,
            "bytes": inspection.size,
            "status": scan_status,
        },
    )
    return document


@transaction.atomic
def record_refused_upload(
    participant: Participant, *, reason: str, format_code: str, size: int, acting_user: User
) -> None:
    record(
        "documents.upload_refused",
        acting_user=acting_user,
        participant=participant,
        outcome=AuditEvent.Outcome.DENIED,
        details={"reason": reason, "format": format_code or None, "bytes": size},
    )


@transaction.atomic
def remove_document(document: Document, *, reason: str, acting_user: User) -> Document:
    """Take the document off the chart. The row and the file stay (the record keeps what it
    held, and who removed it when); the list and the download stop showing it."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.is_removed:
        return document
    document.removed_at = timezone.now()
    document.removed_by = acting_user
    document.removal_reason = reason
    document.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    record(
        "documents.removed",
        acting_user=acting_user,
        participant=document.participant,
        target=document,
        details={"kind": document.kind, "reason": reason},
    )
    return document
