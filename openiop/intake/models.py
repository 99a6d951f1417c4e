import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

# ICD-10-CM chapter 5 (mental, behavioral and neurodevelopmental disorders): codes only.
F_CODE = RegexValidator(r"^F[0-9]{2}(\.[0-9A-Z]{1,4})?$", "Use an ICD-10-CM F-code such as F33.1.")

# The seven LOCUS dimension ratings, each 1–5 when a licensed site records them.
LOCUS_RATINGS = (
    "locus_risk_of_harm",
    "locus_functional_status",
    "locus_comorbidity",
    "locus_stress",
    "locus_support",
    "locus_treatment_history",
    "locus_engagement",
)


class Level(models.TextChoices):
    """The levels OpenIOP's rule set recommends (intake/rules/level_of_care.json)."""

    OUTPATIENT = "outpatient", "Outpatient"
    IOP = "iop", "Intensive outpatient (IOP)"
    PHP = "php", "Partial hospitalization (PHP)"
    HIGHER = "higher", "Higher level (residential, inpatient or emergency evaluation)"


class Referral(models.Model):
    """One person's way into a program: referral → screening → assessment → decision."""

    class Source(models.TextChoices):
        SELF = "self", "Self"
        FAMILY = "family", "Family or friend"
        PRIMARY_CARE = "primary_care", "Primary care"
        MENTAL_HEALTH = "mental_health", "Therapist or psychiatrist"
        HOSPITAL = "hospital", "Hospital or emergency department"
        STEP_DOWN = "step_down", "Step-down from inpatient or PHP"
        SCHOOL_EMPLOYER = "school_employer", "School or employer"
        PAYER = "payer", "Health plan"
        OTHER = "other", "Other"

    class Stage(models.TextChoices):
        SCREENING = "screening", "Screening"
        ASSESSMENT = "assessment", "Comprehensive assessment"
        DECISION = "decision", "Level-of-care decision"
        ADMISSION = "admission", "Admission decision"
        ADMITTED = "admitted", "Admitted"
        WAITLISTED = "waitlisted", "Waitlisted"
        DECLINED = "declined", "Declined, referred elsewhere"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # A chart may be referred again (a readmission, or a duplicate referral linked to the
    # existing chart): one open referral per program at a time.
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        related_name="referrals",
        related_query_name="referral",
    )
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="referrals"
    )
    source = models.CharField(max_length=24, choices=Source.choices)
    referrer = models.CharField(
        max_length=200, blank=True, help_text="Who referred (person or organization)."
    )
    reason = models.TextField(help_text="Why the referral was made.")
    consent_to_contact = models.BooleanField(
        help_text="The person agreed to be contacted about the program."
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.SCREENING)
    # When the referral reached its current stage: every action that moves it sets this, so
    # the intake pipeline reads "age in stage" from one column (migration 0005 filled it in
    # for older rows from the timestamps each step already kept).
    stage_entered_at = models.DateTimeField(default=timezone.now)
    # The track the person is referred for, when the referrer or the coordinator knows it.
    track = models.ForeignKey(
        "programs.Track",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        help_text="The track the person is referred for, if known.",
    )
    screening_note = models.TextField(blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    screened_at = models.DateTimeField(null=True, blank=True)
    outcome_note = models.TextField(blank=True)
    referred_elsewhere_to = models.CharField(max_length=300, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["program", "stage"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(consent_to_contact=True), name="referral_has_consent"
            ),
            models.UniqueConstraint(
                fields=["participant", "program"],
                condition=~models.Q(stage__in=["admitted", "declined"]),
                name="one_open_referral_per_program",
            ),
            models.CheckConstraint(
                condition=~models.Q(stage="declined") | ~models.Q(referred_elsewhere_to=""),
                name="declined_referral_names_where_to",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral to {self.program} ({self.get_stage_display()})"

    def get_absolute_url(self) -> str:
        return reverse("intake:referral", args=[self.code])

    @property
    def is_open(self) -> bool:
        return self.stage not in (self.Stage.ADMITTED, self.Stage.DECLINED)


class ComprehensiveAssessment(models.Model):
    """The biopsychosocial assessment: narrative sections plus clinician ratings."""

    class Risk(models.TextChoices):
        LOW = "low", "Low"
        MODERATE = "moderate", "Moderate"
        HIGH = "high", "High"
        IMMINENT = "imminent", "Imminent"

    class Impairment(models.TextChoices):
        NONE = "none", "None"
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"
        EXTREME = "extreme", "Extreme (cannot manage basic self-care)"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="assessment")
    presenting_problem = models.TextField()
    psychiatric_history = models.TextField(blank=True)
    medical_history = models.TextField(blank=True)
    substance_use = models.TextField(blank=True)
    risk = models.TextField("Risk assessment", blank=True)
    trauma = models.TextField("Trauma history", blank=True)
    strengths = models.TextField(blank=True)
    goals = models.TextField("Goals, in the participant's words", blank=True)
    living_situation = models.TextField(blank=True)
    supports = models.TextField(blank=True)
    work_school = models.TextField("Work or school", blank=True)
    functional_impairment = models.CharField(
        "Functional impairment (clinician-rated)", max_length=16, choices=Impairment.choices
    )
    clinician_risk = models.CharField(
        "Risk of harm (clinician-rated)", max_length=16, choices=Risk.choices
    )
    weekly_hours_needed = models.DecimalField(
        "Structured treatment needed (hours a week)",
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("168"))],
    )
    needs_24_hour_care = models.BooleanField(
        "Needs 24-hour supervision or medical monitoring", default=False
    )
    diagnoses = models.JSONField(
        default=list, blank=True, help_text="Working diagnoses: ICD-10-CM F-codes only."
    )
    # Only for sites licensed for LOCUS / ASAM: the clinician's ratings and result as entered,
    # never descriptor text and no LOCUS scoring (CLINICAL.md §1.1: electronic rights licensed).
    locus_risk_of_harm = models.PositiveSmallIntegerField("LOCUS I", null=True, blank=True)
    locus_functional_status = models.PositiveSmallIntegerField("LOCUS II", null=True, blank=True)
    locus_comorbidity = models.PositiveSmallIntegerField("LOCUS III", null=True, blank=True)
    locus_stress = models.PositiveSmallIntegerField("LOCUS IV-A", null=True, blank=True)
    locus_support = models.PositiveSmallIntegerField("LOCUS IV-B", null=True, blank=True)
    locus_treatment_history = models.PositiveSmallIntegerField("LOCUS V", null=True, blank=True)
    locus_engagement = models.PositiveSmallIntegerField("LOCUS VI", null=True, blank=True)
    locus_composite = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(7), MaxValueValidator(35)]
    )
    locus_level = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(6)]
    )
    asam_level = models.CharField("ASAM level (site-licensed)", max_length=12, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(**{f"{name}__isnull": True})
                | models.Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                name=f"{name}_1_to_5",
            )
            for name in LOCUS_RATINGS
        ]

    def __str__(self) -> str:
        return f"Comprehensive assessment for {self.referral}"


class LevelOfCareDecision(models.Model):
    """What the rules recommended, what the clinician chose, and why they differ."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="decision")
    recommended_level = models.CharField(max_length=16, choices=Level.choices)
    recommendation = models.JSONField(help_text="Rules fired, rule set and facts used.")
    chosen_level = models.CharField(max_length=16, choices=Level.choices)
    variance_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(chosen_level=models.F("recommended_level"))
                | ~models.Q(variance_reason=""),
                name="override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_chosen_level_display()} (recommended {self.recommended_level})"

    @property
    def is_override(self) -> bool:
        return self.chosen_level != self.recommended_level


class EpisodeOfCare(models.Model):
    """One admission to a program (FHIR EpisodeOfCare); scheduling builds on it."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        FINISHED = "finished", "Finished"

    class EndReason(models.TextChoices):
        """Why an episode ended; a signed discharge summary states it (CLINICAL.md §5.4)."""

        COMPLETED = "completed", "Completed treatment"
        STEPPED_DOWN = "stepped_down", "Stepped down to a lower level of care"
        STEPPED_UP = "stepped_up", "Stepped up to a higher level of care"
        LEFT_AGAINST_ADVICE = "left_against_advice", "Left against clinical advice"
        ADMINISTRATIVE = "administrative", "Administrative discharge"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="episodes"
    )
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="episodes"
    )
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="episode")
    level_of_care = models.CharField(max_length=16, choices=Level.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    admitted_at = models.DateTimeField()
    admitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Set together when a signed discharge summary finishes the episode.
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=32, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-admitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "program"],
                condition=models.Q(status="active"),
                name="one_active_episode_per_program",
            ),
            models.CheckConstraint(
                condition=models.Q(status="active", ended_at__isnull=True, end_reason="")
                | models.Q(status="finished", ended_at__isnull=False),
                name="finished_episode_has_end",
            ),
        ]

    def __str__(self) -> str:
        return f"Episode in {self.program} ({self.get_status_display()})"


class ProgramRuleSet(models.Model):
    """A program's own copy of the level-of-care rules (otherwise the shipped default)."""

    program = models.OneToOneField(
        "programs.Program", on_delete=models.CASCADE, related_name="level_of_care_rules"
    )
    rules = models.JSONField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Level-of-care rules of {self.program}"


class StageTarget(models.Model):
    """How many business days a referral may spend in a stage of a program's intake before the
    pipeline marks it overdue (the program's own; DEFAULT_STAGE_TARGETS otherwise)."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="intake_targets"
    )
    stage = models.CharField(max_length=16, choices=Referral.Stage.choices)
    business_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "stage"], name="one_target_per_stage"),
            models.CheckConstraint(
                condition=models.Q(business_days__gte=1, business_days__lte=60),
                name="stage_target_1_to_60_days",
            ),
            models.CheckConstraint(
                condition=models.Q(stage__in=["screening", "assessment", "decision", "admission"]),
                name="stage_target_for_working_stage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} within {self.business_days} business days"


# Stages a referral waits in for someone's work, with the target each gets until a program
# sets its own (decided here; CLINICAL.md sets no intake timeline): screen within 1 business
# day, assess within 3, decide within 2, admit, waitlist or decline within 2.
DEFAULT_STAGE_TARGETS = {
    Referral.Stage.SCREENING: 1,
    Referral.Stage.ASSESSMENT: 3,
    Referral.Stage.DECISION: 2,
    Referral.Stage.ADMISSION: 2,
}
