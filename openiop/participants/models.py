import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiop.accounts.models import validate_timezone
from openiop.lib.phone import PhoneField
from openiop.lib.states import STATE_CHOICES
from openiop.lib.text import staff_name
from openiop.participants.matching import RULE_LABELS
from openiop.programs.eligibility import Seat, may_hold, why_not


class Participant(models.Model):
    """The chart header of a person in treatment."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participant",
    )
    program = models.ForeignKey(
        "programs.Program",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
    )
    given_name = models.CharField(max_length=150)
    family_name = models.CharField(max_length=150)
    preferred_name = models.CharField(max_length=150, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    date_of_birth = models.DateField()
    home_state = models.CharField(max_length=2, choices=STATE_CHOICES)
    timezone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_timezone]
    )
    phone = PhoneField(blank=True)
    email = models.EmailField(blank=True)
    emergency_contact_name = models.CharField(max_length=150, blank=True)
    emergency_contact_phone = PhoneField(blank=True)
    emergency_contact_relationship = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    # Set when a signed discharge summary ends the last episode of care: the chart is then
    # read-only except for addenda. A new admission clears it.
    discharged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [models.Index(fields=["program", "family_name", "given_name"])]

    def __str__(self) -> str:
        return self.short_name

    def get_absolute_url(self) -> str:
        return reverse("participants:chart", args=[self.code])

    @property
    def name_in_use(self) -> str:
        return self.preferred_name or self.given_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def staff_name(self) -> str:
        """The one format staff screens use (openiop.lib.text.staff_name)."""
        return staff_name(self.given_name, self.family_name, self.preferred_name)

    @property
    def short_name(self) -> str:
        """First name and last initial: what other participants and texts may see."""
        initial = self.family_name[:1]
        return f"{self.name_in_use} {initial}." if initial else self.name_in_use


class CareTeamMember(models.Model):
    """A clinician with a role in one participant's care; the basis of chart access."""

    class Role(models.TextChoices):
        PRIMARY_CLINICIAN = "primary_clinician", _("Primary clinician")
        THERAPIST = "therapist", _("Therapist")
        PSYCHIATRIC_PRESCRIBER = "psychiatric_prescriber", _("Psychiatric prescriber")
        NURSE = "nurse", _("Nurse")
        CASE_MANAGER = "case_manager", _("Case manager")
        PEER_SUPPORT = "peer_support", _("Peer support")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="care_team")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_team_roles"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    can_write = models.BooleanField(
        default=True, help_text="Off for members who may read the chart but not change it."
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "clinician"], name="one_care_team_role_per_clinician"
            ),
        ]

    def __str__(self) -> str:
        return self.get_role_display()

    def clean(self) -> None:
        """A seat on the team opens the chart, so only clinical staff may hold one."""
        super().clean()
        if self.clinician_id is None or self.participant_id is None:
            return
        program = self.participant.program
        if not may_hold(self.clinician, Seat.CARE_TEAM, program):
            raise ValidationError({"clinician": why_not(self.clinician, Seat.CARE_TEAM, program)})


class GuardianLink(models.Model):
    """A parent's or guardian's portal login, linked to an adolescent's chart where the
    program allows guardians. It opens the guardian portal only (the participant's upcoming
    session times and consents), never the chart, notes, plan or safety pages (docs/consent.md).
    Made by accepting a guardian invitation (openiop.consent); revoking it ends the access."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="guardian_links"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="guardian_links"
    )
    relationship = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "user"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_guardian_link_per_person",
            ),
        ]

    def __str__(self) -> str:
        return self.relationship


class DuplicateDecision(models.Model):
    """A person's answer to "is this the same person?" when a new chart or referral matched an
    existing chart (openiop.participants.matching). One row per chart compared."""

    class Context(models.TextChoices):
        REFERRAL = "referral", "New referral"
        ADMISSION = "admission", "Admission"
        NEW_CHART = "new_chart", "New chart"

    class Decision(models.TextChoices):
        SAME_PERSON = "same_person", "This is the same person"
        DIFFERENT_PERSON = "different_person", "This is a different person"

    class Reason(models.TextChoices):
        CHECKED_DETAILS = (
            "checked_details",
            "Checked with the person or referrer: other details differ",
        )
        SHARED_CONTACT = "shared_contact", "A relative or housemate who shares the phone or email"
        OTHER_PROGRAM = (
            "other_program",
            "The same person, but that chart belongs to another program",
        )
        CANNOT_OPEN = "cannot_open", "A chart I cannot open: a director will check it"
        OTHER = "other", "Another reason (say why in the referral or chart)"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    context = models.CharField(max_length=16, choices=Context.choices)
    compared = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The existing chart the new details matched.",
    )
    chart = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The chart in use after the decision: the one created, or the one linked.",
    )
    rules = models.JSONField(help_text="Codes of the rules that matched.")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision="same_person", reason="")
                | (models.Q(decision="different_person") & ~models.Q(reason="")),
                name="different_person_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.get_context_display()})"

    @property
    def rule_labels(self) -> list[str]:
        return [RULE_LABELS.get(code, code) for code in self.rules]


class BreakGlassGrant(models.Model):
    """Emergency ("break-the-glass") read access to one chart, for a short time.

    HIPAA 164.312(a)(2)(ii) asks for an emergency access procedure. A clinician who works in the
    participant's program but cannot otherwise open the chart states a reason, signs in again,
    and reads it until `expires_at` (or until they end it). Privacy officers are told at once
    and review every grant. `reason` is what the person typed: it may name clinical facts, so
    it never goes into the audit trail, a log or a message.
    """

    # Long enough to say what the emergency is; "urgent" alone does not explain anything.
    REASON_MIN_LENGTH = 15

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    reason = models.TextField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    officers_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "participant", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="break_glass_expires_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("created_at")),
                name="break_glass_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"Emergency access {self.code}"

    @property
    def ends_at(self):
        """When the access stopped or will stop: ended early, or expired."""
        if self.ended_at is not None and self.ended_at < self.expires_at:
            return self.ended_at
        return self.expires_at

    @property
    def is_live(self) -> bool:
        return self.ended_at is None and self.expires_at > timezone.now()

    @property
    def ended_early(self) -> bool:
        return self.ended_at is not None and self.ended_at < self.expires_at
