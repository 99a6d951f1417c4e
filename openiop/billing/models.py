"""Coverage, authorizations and per-diem charges (docs/billing.md).

Billing rules are configuration per program and payer (CLINICAL.md §0: "Hours and billing rules
are configuration per program and payer, not constants"): the payer carries its code list
(revenue code + HCPCS per kind of program, e.g. 0905/S9480 for mental health and 0906/H0015 for
substance use, CLINICAL.md §3 code sets) and its claim format.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

from openiop.lib.states import STATE_CHOICES

# Letters, digits and hyphens: what an 837 can carry as an identifier (openiop.lib.x12).
IDENTIFIER = RegexValidator(
    r"^[A-Za-z0-9-]{1,40}$", "Use letters, digits and hyphens only (as printed on the card)."
)
NPI = RegexValidator(r"^[0-9]{10}$", "An NPI has 10 digits.")
ZIP = RegexValidator(r"^[0-9]{5}(-?[0-9]{4})?$", "Enter a 5- or 9-digit ZIP code.")


class BillingProfile(models.Model):
    """What a claim says about the program as the billing provider."""

    program = models.OneToOneField(
        "programs.Program", on_delete=models.CASCADE, related_name="billing_profile"
    )
    organization_name = models.CharField(max_length=60)
    npi = models.CharField("NPI", max_length=10, validators=[NPI])
    tax_id = models.CharField(
        "Tax id (EIN)", max_length=10, validators=[RegexValidator(r"^[0-9]{2}-?[0-9]{7}$")]
    )
    address = models.CharField(max_length=55)
    city = models.CharField(max_length=30)
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    # Claims need the billing provider's full ZIP+4 (837 loop 2010AA).
    postal_code = models.CharField(
        "ZIP+4 code",
        max_length=10,
        validators=[RegexValidator(r"^[0-9]{5}-?[0-9]{4}$", "Enter all nine digits (ZIP+4).")],
    )
    contact_name = models.CharField(max_length=60)
    contact_phone = models.CharField(
        max_length=10, validators=[RegexValidator(r"^[0-9]{10}$", "Ten digits, no spaces.")]
    )
    submitter_id = models.CharField(max_length=15, validators=[IDENTIFIER])
    attending_given_name = models.CharField(max_length=35)
    attending_family_name = models.CharField(max_length=60)
    attending_npi = models.CharField("Attending NPI", max_length=10, validators=[NPI])
    # Type of bill (CLINICAL.md §3 "Settings"): 13X hospital outpatient, 76X CMHC, ...
    facility_code = models.CharField(
        max_length=2, default="13", validators=[RegexValidator(r"^[0-9]{2}$")]
    )

    def __str__(self) -> str:
        return self.organization_name


class Payer(models.Model):
    class ClaimFormat(models.TextChoices):
        INSTITUTIONAL = "837i", "837I (institutional)"
        PROFESSIONAL = "837p", "837P (professional)"

    class Filing(models.TextChoices):
        COMMERCIAL = "CI", "Commercial insurance"
        MEDICAID = "MC", "Medicaid"
        MEDICARE_A = "MA", "Medicare Part A"
        BLUE_CROSS = "BL", "Blue Cross/Blue Shield"
        HMO = "HM", "HMO"
        OTHER = "ZZ", "Other / unknown"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="payers")
    name = models.CharField(max_length=60)
    payer_id = models.CharField("Payer id", max_length=15, validators=[IDENTIFIER])
    filing_indicator = models.CharField(
        max_length=2, choices=Filing.choices, default=Filing.COMMERCIAL
    )
    claim_format = models.CharField(
        max_length=4, choices=ClaimFormat.choices, default=ClaimFormat.INSTITUTIONAL
    )
    per_diem_rate = models.DecimalField(
        max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    # [{"service": "mh"|"sud", "revenue_code": "0905", "hcpcs": "S9480"}] (billing.codes).
    codes = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "payer_id"], name="payer_id_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payer = models.ForeignKey(Payer, on_delete=models.CASCADE, related_name="plans")
    name = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payer", "name"], name="plan_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.payer.name} {self.name}"


class Coverage(models.Model):
    class Priority(models.TextChoices):
        PRIMARY = "P", "Primary"
        SECONDARY = "S", "Secondary"

    # X12 individual relationship codes (SBR02 / PAT01).
    class Relationship(models.TextChoices):
        SELF = "18", "Self"
        SPOUSE = "01", "Spouse"
        CHILD = "19", "Child"
        OTHER = "G8", "Other relationship"

    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        UNKNOWN = "U", "Unknown"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="coverages"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="coverages")
    priority = models.CharField(max_length=1, choices=Priority.choices, default=Priority.PRIMARY)
    relationship = models.CharField(
        "Participant is the subscriber's",
        max_length=2,
        choices=Relationship.choices,
        default=Relationship.SELF,
    )
    subscriber_given_name = models.CharField(max_length=35, blank=True)
    subscriber_family_name = models.CharField(max_length=60, blank=True)
    subscriber_date_of_birth = models.DateField(null=True, blank=True)
    member_id = models.CharField("Member id", max_length=40, validators=[IDENTIFIER])
    group_number = models.CharField(max_length=40, blank=True, validators=[IDENTIFIER])
    sex = models.CharField(
        "Sex on the insurance card", max_length=1, choices=Sex.choices, default=Sex.UNKNOWN
    )
    address = models.CharField(max_length=55)
    city = models.CharField(max_length=30)
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    postal_code = models.CharField("ZIP code", max_length=10, validators=[ZIP])
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Grows with each change, so an edit made on a stale page is detected, not overwritten.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            # At most one open-ended coverage per priority; dated ones may follow each other
            # (a new plan after the old one ended) but not overlap, which the actions check
            # under a lock of the participant (a range exclusion needs PostgreSQL, and the demo
            # runs on SQLite).
            models.UniqueConstraint(
                fields=["participant", "priority"],
                condition=Q(ends_on__isnull=True),
                name="one_open_coverage_per_priority",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="coverage_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_priority_display()} coverage"

    def covers(self, day: object) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)  # type: ignore[operator]


class Authorization(models.Model):
    """Units (program days) a payer approved for a level of care between two dates."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="authorizations")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="authorizations"
    )
    level_of_care = models.CharField(max_length=8, choices=[("iop", "IOP"), ("php", "PHP")])
    units_approved = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    starts_on = models.DateField()
    ends_on = models.DateField()
    reference_number = models.CharField(max_length=40, validators=[IDENTIFIER])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="authorization_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(units_approved__gte=1), name="authorization_has_units"
            ),
        ]
        indexes = [models.Index(fields=["participant", "starts_on"])]

    def __str__(self) -> str:
        return f"Authorization {self.starts_on}–{self.ends_on}"


class BillingAlert(models.Model):
    """A line on the billing worklist: an authorization about to run out or expire.

    Safety alerts are clinical (acuity, on-call escalation ladder, docs/safety.md) and take no
    other kind, so billing keeps its own worklist; one row per authorization and kind."""

    class Kind(models.TextChoices):
        UNITS_LOW = "units_low", "Few units left"
        EXPIRING = "expiring", "Expires soon"

    authorization = models.ForeignKey(
        Authorization, on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    raised_at = models.DateTimeField()
    units_left = models.IntegerField()
    days_left = models.IntegerField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authorization", "kind"], name="one_alert_per_kind"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class ClaimBatch(models.Model):
    """One 837 file made by a person; nothing is sent anywhere by OpenIOP."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="batches")
    claim_format = models.CharField(max_length=4, choices=Payer.ClaimFormat.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Claim batch {self.pk}"


class Charge(models.Model):
    """One qualifying program day of one participant (docs/billing.md)."""

    class Status(models.TextChoices):
        READY = "ready", "Ready"
        HELD = "held", "Held"
        EXPORTED = "exported", "Exported"

    class HoldReason(models.TextChoices):
        NO_COVERAGE = "no_coverage", "No coverage on file"
        NO_AUTHORIZATION = "no_authorization", "No covering authorization"
        UNITS_EXHAUSTED = "units_exhausted", "Authorization units used up"
        UNSIGNED_NOTE = "unsigned_note", "A session that day has no signed note"
        NO_CODES = "no_codes", "Payer has no code for this program"
        NO_PART2_CONSENT = "no_part2_consent", "No Part 2 consent for payment"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="charges"
    )
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    service_date = models.DateField()
    minutes = models.PositiveIntegerField()
    coverage = models.ForeignKey(
        Coverage, on_delete=models.PROTECT, null=True, blank=True, related_name="charges"
    )
    authorization = models.ForeignKey(
        Authorization, on_delete=models.PROTECT, null=True, blank=True, related_name="charges"
    )
    revenue_code = models.CharField(max_length=4, blank=True)
    hcpcs = models.CharField(max_length=5, blank=True)
    amount = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    status = models.CharField(max_length=8, choices=Status.choices)
    hold_reason = models.CharField(max_length=20, choices=HoldReason.choices, blank=True)
    batch = models.ForeignKey(
        ClaimBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="charges"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "service_date"], name="one_charge_per_day"
            ),
            models.CheckConstraint(
                condition=(Q(status="held") & ~Q(hold_reason=""))
                | (~Q(status="held") & Q(hold_reason="")),
                name="charge_held_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="exported") | Q(batch__isnull=False),
                name="charge_exported_has_batch",
            ),
        ]
        indexes = [models.Index(fields=["program", "service_date"])]

    def __str__(self) -> str:
        return f"Charge {self.service_date}"
