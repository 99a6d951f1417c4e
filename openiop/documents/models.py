"""Files uploaded to a chart (outside records, referral letters, IDs, signed paper forms).

The file itself lives in the "documents" storage (`STORAGES["documents"]`) under a name the
server makes up (`storage_name`); the name the person's computer gave it is kept, sanitised
(`openiop.documents.names.safe_filename`), only to name the download. `content_type` is what
the file's first bytes say it is, never what its extension or the browser claimed.

Removing a document keeps the row and the file: it leaves the chart's list and can no longer be
downloaded, and who removed it, when and why stay on the record (docs/documents.md).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

FORMAT_LABELS = {
    "application/pdf": "PDF",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "text/plain": "Plain text",
}


class Document(models.Model):
    class Kind(models.TextChoices):
        OUTSIDE_RECORD = "outside_record", "Outside record"
        REFERRAL_LETTER = "referral_letter", "Referral letter"
        IDENTIFICATION = "identification", "Identification (ID)"
        SIGNED_FORM = "signed_form", "Signed paper form"
        OTHER = "other", "Other"

    class ScanStatus(models.TextChoices):
        CLEAN = "clean", "Clean"
        INFECTED = "infected", "Infected"
        NOT_SCANNED = "not_scanned", "Not scanned"

    class RemovalReason(models.TextChoices):
        WRONG_CHART = "wrong_chart", "Uploaded to the wrong chart"
        DUPLICATE = "duplicate", "A duplicate"
        WRONG_FILE = "wrong_file", "The wrong file, or unreadable"
        OTHER = "other", "Another reason"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=120, blank=True)
    original_name = models.CharField(max_length=160)
    storage_name = models.CharField(max_length=100, unique=True, editable=False)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=60)
    scan_status = models.CharField(max_length=12, choices=ScanStatus.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    removal_reason = models.CharField(max_length=20, choices=RemovalReason.choices, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["participant", "-uploaded_at"])]
        constraints = [
            models.CheckConstraint(
                name="document_removal_complete",
                condition=Q(removed_at__isnull=True, removed_by__isnull=True, removal_reason="")
                | (Q(removed_at__isnull=False, removed_by__isnull=False) & ~Q(removal_reason="")),
            ),
            # An infected file is refused, never stored.
            models.CheckConstraint(
                name="document_not_infected", condition=~Q(scan_status="infected")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS.get(self.content_type, "Other file")

    @property
    def label(self) -> str:
        """What lists show: the title, else the file's name."""
        return self.title or self.original_name
