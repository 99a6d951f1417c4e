"""Consents as records (FHIR Consent-shaped), their versioned texts, and disclosures.

A program keeps one text per kind of consent, versioned: editing a text adds a version and never
changes one that someone signed (`ConsentText`). A participant's signature (`Consent`) points at
the exact version and keeps the SHA-256 of its text, the typed name, the time, the IP address
and the user agent. Revoking a consent ends it from that moment; expiry ends it on its date.

The law forbids combining some consents (CLINICAL.md §6.5: a Part 2 consent for SUD counseling
notes, a psychotherapy-notes authorization), so each kind is its own record, never one form
with boxes. A release of information (ROI) is a consent of kind RELEASE with a named recipient,
a purpose, a scope and an expiry.

Every release of records outside OpenIOP leaves a `Disclosure` row: the accounting of
disclosures (42 CFR 2.25, 45 CFR 164.528) the participant can read.
"""

import hashlib
import uuid
from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", _("Consent to treatment")
    TELEHEALTH = "telehealth", _("Telehealth informed consent")
    GROUP_CONFIDENTIALITY = "group_confidentiality", _("Group confidentiality agreement")
    RECORDING = "recording", _("Agreement not to record sessions")
    PART2_TPO = (
        "part2_tpo",
        _("Consent to share substance use records for treatment, payment and operations"),
    )
    PART2_COUNSELING_NOTES = "part2_counseling_notes", _("Consent to share SUD counseling notes")
    RELEASE = "release", _("Release of information")


# What a required consent means for the program day to day: signed before the first session.
REQUIRED_BEFORE_FIRST_SESSION = (
    ConsentKind.TREATMENT,
    ConsentKind.TELEHEALTH,
    ConsentKind.GROUP_CONFIDENTIALITY,
    ConsentKind.RECORDING,
)
# Kinds the participant may revoke in the portal. Consent to treatment is ended by leaving the
# program (discharge), not by a click; the agreements (confidentiality, recording) bind the
# person while they take part. Part 2 consents and releases are revocable by law (§2.31(a)(6)).
REVOCABLE = (ConsentKind.PART2_TPO, ConsentKind.PART2_COUNSELING_NOTES, ConsentKind.RELEASE)
# Kinds a linked parent or guardian signs on an adolescent's behalf (docs/consent.md): the
# consents to care. Never a Part 2 consent or a release: 42 CFR 2.14 has the minor sign those
# (alone, or with the parent where state law needs a parent's consent to treatment), so a
# parent's signature alone never covers a disclosure.
GUARDIAN_KINDS = REQUIRED_BEFORE_FIRST_SESSION


class Purpose(models.TextChoices):
    """Why records are shared (FHIR v3-ActReason codes in `fhir_code`)."""

    TREATMENT = "treatment", _("Treatment")
    PAYMENT = "payment", _("Payment")
    OPERATIONS = "operations", _("Health care operations")
    PERSONAL = "personal", _("At the participant's request")
    LEGAL = "legal", _("Legal or court proceedings")
    OTHER = "other", _("Other stated purpose")


PURPOSE_FHIR = {
    Purpose.TREATMENT: "TREAT",
    Purpose.PAYMENT: "HPAYMT",
    Purpose.OPERATIONS: "HOPERAT",
    Purpose.PERSONAL: "PATRQT",
    Purpose.LEGAL: "HLEGAL",
    Purpose.OTHER: "HPRGRP",
}


class Scope(models.TextChoices):
    """How much of the record a release covers."""

    SUMMARY = "summary", _("Clinical summary and treatment plan")
    FULL = "full", _("The full record (notes included)")


def text_digest(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


class ConsentText(models.Model):
    """One version of a program's text for one kind of consent. Never edited once saved: an
    edit is a new row with the next version number (see actions)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="consent_texts"
    )
    kind = models.CharField(max_length=32, choices=ConsentKind.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    # SHA-256 of `body`: what a signature says it covered.
    sha256 = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["program", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "kind", "version"], name="consent_text_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    def save(self, *args: object, **kwargs: object) -> None:
        self.sha256 = text_digest(self.body)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ConsentQuerySet(models.QuerySet["Consent"]):
    def in_force(self, at: datetime | None = None) -> "ConsentQuerySet":
        """Signed, not revoked, not expired at `at` (default now)."""
        at = at or timezone.now()
        return self.filter(status=Consent.Status.SIGNED, signed_at__lte=at).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=timezone.localdate(at))
        )


class Consent(models.Model):
    """A participant's signed consent (FHIR Consent): the exact text version, who signed, when,
    from where, and whether it is still in force."""

    class Status(models.TextChoices):
        SIGNED = "signed", "Signed"
        REVOKED = "revoked", "Revoked"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="consents"
    )
    kind = models.CharField(max_length=32, choices=ConsentKind.choices)
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="signatures")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SIGNED)
    # The signature: a typed name, a ticked box, the moment, the device.
    signed_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField(default=timezone.now)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signer_ip = models.GenericIPAddressField(null=True, blank=True)
    signer_user_agent = models.CharField(max_length=400, blank=True)
    # SHA-256 of the text version's body at signing: the PDF copy shows it.
    text_sha256 = models.CharField(max_length=64)
    # A release (and any consent the program gives an end date) ends at the end of this day.
    expires_on = models.DateField(null=True, blank=True)
    # Releases of information: who receives what, and why.
    recipient_name = models.CharField(max_length=200, blank=True)
    recipient_address = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where the records go: a postal or secure email address.",
    )
    purpose = models.CharField(max_length=16, choices=Purpose.choices, blank=True)
    scope = models.CharField(max_length=16, choices=Scope.choices, blank=True)
    # A release covers Part 2 (SUD) records only when it says so (42 CFR 2.31(a)(3)).
    includes_part2 = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["participant", "kind", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="release")
                | (~Q(recipient_name="") & Q(expires_on__isnull=False)),
                name="release_names_recipient_and_expiry",
            ),
            models.CheckConstraint(
                condition=Q(status="signed", revoked_at__isnull=True)
                | Q(status="revoked", revoked_at__isnull=False),
                name="consent_revoked_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def signed_by_guardian(self) -> bool:
        """Signed by a parent or guardian on the participant's behalf (not by the person)."""
        return self.kind in GUARDIAN_KINDS and self.signed_by.is_guardian

    def is_in_force(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.status == self.Status.SIGNED and (
            self.expires_on is None or self.expires_on >= on
        )


class Disclosure(models.Model):
    """One release of a participant's records outside OpenIOP: the accounting of disclosures."""

    class Basis(models.TextChoices):
        CONSENT = "consent", _("With the participant's written consent")
        INDIVIDUAL = "individual", _("To the participant (right of access)")
        REPRESENTATIVE = "representative", _("To the participant's personal representative")
        EMERGENCY = "emergency", _("In a medical emergency (42 CFR 2.51; 45 CFR 164.512(j))")
        REQUIRED_BY_LAW = "required_by_law", _("Required by law or court order")

    class Format(models.TextChoices):
        PDF = "pdf", _("PDF")
        FHIR = "fhir", _("FHIR Bundle")
        PDF_AND_FHIR = "pdf_fhir", _("PDF and FHIR Bundle")
        PRINT = "print", _("Printed")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="disclosures"
    )
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    basis = models.CharField(max_length=24, choices=Basis.choices)
    recipient_name = models.CharField(max_length=200)
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    format = models.CharField(max_length=16, choices=Format.choices)
    # Whether Part 2 records went out (then the §2.32 notice went with them).
    included_part2 = models.BooleanField(default=False)
    notice_attached = models.BooleanField(default=False)
    # Counts of what went out, by kind ("notes": 12, "plans": 2): never the content.
    contents = models.JSONField(default=dict, blank=True)
    disclosed_at = models.DateTimeField(default=timezone.now)
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-disclosed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(basis="consent") | Q(consent__isnull=False),
                name="consent_disclosure_names_consent",
            ),
            models.CheckConstraint(
                condition=~Q(included_part2=True) | Q(notice_attached=True),
                name="part2_disclosure_carries_notice",
            ),
        ]

    def __str__(self) -> str:
        return f"Disclosure {self.code}"


# 45 CFR 164.524(b)(2): act on a request within 30 days of receiving it; one extension of up to
# 30 days, with a written statement of the reasons and the expected date (CLINICAL.md §6.3).
ACCESS_REQUEST_DAYS = 30
ACCESS_EXTENSION_DAYS = 30


class AccessRequest(models.Model):
    """A request, made other than by a portal download, for a copy of a participant's designated
    record (45 CFR 164.524): by the participant on paper or by phone, by a personal
    representative, or by a third party the participant directs it to (an attorney).

    The deadline is 30 days from receipt (`due_on`), extended once by up to 30 days
    (`extended_to`) with a reason. Delivering the copy writes a `Disclosure` row."""

    class RequesterKind(models.TextChoices):
        PARTICIPANT = "participant", "The participant (paper or phone request)"
        REPRESENTATIVE = "representative", "Personal representative"
        ATTORNEY = "attorney", "Attorney with the participant's authorization"
        OTHER = "other", "Other person the participant directs it to"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        IN_PROGRESS = "in_progress", "In progress"
        FULFILLED = "fulfilled", "Fulfilled"
        DENIED = "denied", "Denied"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class ExtensionReason(models.TextChoices):
        RECORDS_OFFSITE = "records_offsite", "Records are stored off site"
        VOLUME = "volume", "The volume of records to gather"
        AUTHORITY = "authority", "Verifying the requester's identity or authority"
        OTHER = "other", "Other reason, told to the requester in writing"

    class DenialReason(models.TextChoices):
        # 45 CFR 164.524(a)(1)(i), (ii): unreviewable grounds.
        PSYCHOTHERAPY_NOTES = "psychotherapy_notes", "Psychotherapy notes (not in the record set)"
        LEGAL_PROCEEDINGS = "legal_proceedings", "Information compiled for legal proceedings"
        NO_AUTHORITY = "no_authority", "The requester's authority was not shown"
        OTHER = "other", "Other reason, told to the requester in writing"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        FHIR = "fhir", "FHIR Bundle (JSON)"
        BOTH = "both", "PDF and FHIR Bundle"

    class Delivery(models.TextChoices):
        PORTAL = "portal", "Portal download"
        SECURE_EMAIL = "secure_email", "Secure email"
        MAIL = "mail", "Mail"
        PICKUP = "pickup", "Pickup in person"

    OPEN = (Status.RECEIVED, Status.IN_PROGRESS)

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="access_requests"
    )
    requester_name = models.CharField(max_length=200)
    requester_kind = models.CharField(max_length=16, choices=RequesterKind.choices)
    received_on = models.DateField()
    due_on = models.DateField()
    extended_to = models.DateField(null=True, blank=True)
    extension_reason = models.CharField(max_length=24, choices=ExtensionReason.choices, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    denial_reason = models.CharField(max_length=24, choices=DenialReason.choices, blank=True)
    format = models.CharField(max_length=8, choices=Format.choices, default=Format.PDF)
    delivery = models.CharField(max_length=16, choices=Delivery.choices, default=Delivery.PORTAL)
    delivered_at = models.DateTimeField(null=True, blank=True)
    disclosure = models.OneToOneField(
        Disclosure, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gt=models.F("received_on")), name="access_request_due_after"
            ),
            models.CheckConstraint(
                condition=Q(extended_to__isnull=True, extension_reason="")
                | (Q(extended_to__gt=models.F("due_on")) & ~Q(extension_reason="")),
                name="access_request_extension_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="denied") | ~Q(denial_reason=""),
                name="access_request_denial_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="fulfilled") | Q(delivered_at__isnull=False),
                name="access_request_fulfilled_is_delivered",
            ),
        ]

    def __str__(self) -> str:
        return f"Access request {self.code}"

    @property
    def deadline(self) -> date:
        return self.extended_to or self.due_on

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def days_left(self, today: date) -> int:
        return (self.deadline - today).days


# Portal invitations live in their own module; imported here so Django registers the model.
from .invitations import Invitation as Invitation  # noqa: E402
