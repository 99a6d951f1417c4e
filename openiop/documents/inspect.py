"""The checks a file passes before it is stored: size, what its bytes say it is, and whether
its name agrees (SECURITY.md S7, X1, X4, X5). Reads the file in chunks: an upload over
FILE_UPLOAD_MAX_MEMORY_SIZE is a temporary file on disk and stays there."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from openiop.documents import sniff
from openiop.documents.names import extension, safe_filename

ACCEPTED_HELP = "Upload a PDF, a PNG or JPEG image, or a plain-text (.txt) file."


class DocumentRefused(Exception):
    """Why a file was not stored: `reason` is a code for the audit trail, `message` says what
    to do, in words a person can act on."""

    def __init__(self, reason: str, message: str, format_code: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.format_code = format_code


@dataclass(frozen=True)
class Inspection:
    name: str
    format: sniff.Format
    size: int
    sha256: str


def megabytes(size: int) -> str:
    """A size as people read it: "20 MB", "2.5 MB", "300 KB", "12 bytes"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} bytes"


def inspect_upload(upload: UploadedFile) -> Inspection:
    size = upload.size or 0
    limit = settings.DOCUMENTS_MAX_FILE_SIZE
    if size > limit:
        raise DocumentRefused(
            "too_large",
            f"The file is {megabytes(size)}; a document may be at most {megabytes(limit)}.",
        )
    if size == 0:
        raise DocumentRefused("empty", "The file is empty. Choose the file again.")
    upload.seek(0)
    found = sniff.sniff(upload.read(sniff.HEAD_BYTES))
    name = safe_filename(upload.name or "")
    ext = extension(name)
    claimed = sniff.by_extension(ext)
    lie = f"The file's name ends in .{ext}, but it is {found.label}" if claimed else ""
    if found is sniff.MARKUP:
        raise DocumentRefused(
            "markup",
            f"{lie or 'This file is ' + found.label}. Such files are refused because they can "
            "run code when opened. Print or save it as a PDF, and upload the PDF.",
            found.code,
        )
    if found not in sniff.ACCEPTED:
        raise DocumentRefused(
            "not_accepted",
            f"{lie or 'This file is ' + found.label}, which is not accepted. {ACCEPTED_HELP}",
            found.code,
        )
    if claimed is not found:
        if ext:
            instead = f", not {claimed.label}" if claimed else ""
            raise DocumentRefused(
                "mismatch",
                f"The file's name ends in .{ext}, but it is {found.label}{instead}. Choose the "
                f"right file, or rename it to end in .{found.extensions[0]}.",
                found.code,
            )
        # No extension at all: name it for what it is.
        name = safe_filename(f"{name}.{found.extensions[0]}")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return Inspection(name=name, format=found, size=size, sha256=digest.hexdigest())
