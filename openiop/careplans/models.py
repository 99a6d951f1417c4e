"""The chart's clinical summary and the individualized treatment plan (CLINICAL.md §5.3).

Versioning: summary rows (diagnoses, problems, medications, allergies) are edited in place with
a `version` counter, and every change appends a `SummaryRevision` snapshot. A treatment plan is
never edited once signed: a review copies it to a new `TreatmentPlan` row (version + 1) and the
copied problems, goals, objectives and interventions keep their `lineage`, so a diff between
versions and "the notes that addressed this objective" follow an item across versions.
"""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

# ICD-10-CM: a letter, two characters, then up to four after the dot (CMS code set format).
ICD10_CM = RegexValidator(
    r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$", "Use an ICD-10-CM code such as F33.1."
)


class Diagnosis(models.Model):
    class Rank(models.TextChoices):
        PRIMARY = "primary", "Primary"
        SECONDARY = "secondary", "Secondary"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        IN_REMISSION = "in_remission", "In remission"
        RESOLVED = "resolved", "Resolved"
        RULED_OUT = "ruled_out", "Ruled out"

    class Source(models.TextChoices):
        INTAKE = "intake", "Intake assessment"
        CLINICIAN = "clinician", "Added by a clinician"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="diagnoses"
    )
    icd10_code = models.CharField("ICD-10-CM code", max_length=8, validators=[ICD10_CM])
    description = models.CharField(max_length=255)
    rank = models.CharField(max_length=16, choices=Rank.choices, default=Rank.SECONDARY)
    onset_on = models.DateField("Onset", null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.CLINICIAN)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["rank", "icd10_code", "id"]
        verbose_name_plural = "diagnoses"
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "icd10_code"],
                condition=Q(status__in=["active", "in_remission"]),
                name="one_current_diagnosis_per_code",
            ),
            # "Primary" is the main reason for treatment now: at most one current diagnosis
            # holds it (making another primary demotes it, in the same action).
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(rank="primary", status__in=["active", "in_remission"]),
                name="one_current_primary_diagnosis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.icd10_code} {self.description}"


class ProblemListEntry(models.Model):
    """The chart's problem list (distinct from a plan's problems, which may cite these)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RESOLVED = "resolved", "Resolved"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="problem_list"
    )
    description = models.CharField(max_length=255)
    onset_on = models.DateField("Onset", null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["status", "id"]
        verbose_name_plural = "problem list entries"

    def __str__(self) -> str:
        return self.description


class Medication(models.Model):
    """A medication the participant takes; recorded, never prescribed (no e-prescribing)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="medications"
    )
    name = models.CharField(max_length=150)
    dose = models.CharField(max_length=150, help_text="Dose, route and frequency as prescribed.")
    prescriber = models.CharField(max_length=150, blank=True)
    started_on = models.DateField(null=True, blank=True)
    stopped_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stopped_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(stopped_on__gte=models.F("started_on")),
                name="medication_stops_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.stopped_on is None


class Allergy(models.Model):
    class Severity(models.TextChoices):
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"
        UNKNOWN = "unknown", "Unknown"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="allergies"
    )
    substance = models.CharField(max_length=150)
    reaction = models.CharField(max_length=255, blank=True)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.UNKNOWN)
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["substance", "id"]
        verbose_name_plural = "allergies"

    def __str__(self) -> str:
        return self.substance


class SummaryRevision(models.Model):
    """One version of one summary row, as it was after a change: the row's history."""

    class Kind(models.TextChoices):
        DIAGNOSIS = "diagnosis", "Diagnosis"
        PROBLEM = "problem", "Problem"
        MEDICATION = "medication", "Medication"
        ALLERGY = "allergy", "Allergy"

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    item_code = models.UUIDField()
    version = models.PositiveIntegerField()
    data = models.JSONField(help_text="The row's fields after this change.")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["item_code", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["item_code", "version"], name="one_revision_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"


class TreatmentPlan(models.Model):
    """One version of a participant's plan for one episode of care."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING_SIGNATURES = "awaiting_signatures", "Awaiting signatures"
        ACTIVE = "active", "In effect"
        SUPERSEDED = "superseded", "Superseded by a later version"

    class Reason(models.TextChoices):
        INITIAL = "initial", "Initial plan"
        SCHEDULED_REVIEW = "scheduled_review", "Scheduled review"
        LEVEL_OF_CARE_CHANGE = "level_of_care_change", "Level-of-care change"
        CLINICAL_CHANGE = "clinical_change", "Change in clinical picture"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="treatment_plans"
    )
    episode = models.ForeignKey(
        "intake.EpisodeOfCare",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="treatment_plans",
    )
    assessment = models.ForeignKey(
        "intake.ComprehensiveAssessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The intake assessment the plan was started from.",
    )
    # All versions of one plan share a lineage; `number` counts them from 1.
    lineage = models.UUIDField(default=uuid.uuid4)
    number = models.PositiveIntegerField(default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next"
    )
    reason = models.CharField(max_length=32, choices=Reason.choices, default=Reason.INITIAL)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.DRAFT)
    level_of_care = models.CharField(max_length=16, blank=True)
    strengths = models.TextField(blank=True)
    preferences = models.TextField(blank=True)
    barriers = models.TextField(blank=True)
    technology_barriers = models.TextField(blank=True)
    discharge_criteria = models.TextField(blank=True)
    anticipated_discharge_on = models.DateField(null=True, blank=True)
    certified_weekly_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Weekly hours of treatment the physician certifies as needed.",
    )
    review_due_on = models.DateField(null=True, blank=True)
    effective_at = models.DateTimeField(null=True, blank=True)
    # Optimistic concurrency for drafts: a save names the edit_version it started from.
    edit_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "number"], name="one_plan_per_number"),
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(status__in=["draft", "awaiting_signatures"]),
                name="one_open_plan_draft_per_participant",
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(status="active"),
                name="one_active_plan_per_participant",
            ),
        ]

    def __str__(self) -> str:
        return f"Treatment plan v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("careplans:plan", args=[self.code])

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class PlanProblem(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="problems")
    lineage = models.UUIDField(default=uuid.uuid4)
    position = models.PositiveSmallIntegerField(default=0)
    in_own_words = models.TextField("In the participant's own words")
    clinical_statement = models.TextField()
    diagnoses = models.ManyToManyField(Diagnosis, blank=True, related_name="plan_problems")
    assessment_findings = models.TextField(
        blank=True, help_text="Assessment findings this problem rests on (scores, ratings)."
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.clinical_statement[:60]


class Goal(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    problem = models.ForeignKey(PlanProblem, on_delete=models.CASCADE, related_name="goals")
    lineage = models.UUIDField(default=uuid.uuid4)
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Objective(models.Model):
    """A SMART objective: specific text, a target date and, where it fits, a measure target."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        MET = "met", "Met"
        REVISED = "revised", "Revised"
        DISCONTINUED = "discontinued", "Discontinued"

    class Comparator(models.TextChoices):
        AT_MOST = "lte", "at most"
        AT_LEAST = "gte", "at least"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="objectives")
    lineage = models.UUIDField(default=uuid.uuid4)
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    target_date = models.DateField()
    # e.g. "phq9" "lte" 9: "PHQ-9 ≤ 9 by the target date" (instrument key of assessments).
    measure = models.CharField(max_length=32, blank=True)
    measure_comparator = models.CharField(max_length=3, choices=Comparator.choices, blank=True)
    measure_target = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NOT_STARTED)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(measure="") & Q(measure_comparator="") & Q(measure_target__isnull=True)
                )
                | (~Q(measure="") & ~Q(measure_comparator="") & Q(measure_target__isnull=False)),
                name="objective_measure_complete_or_absent",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Intervention(models.Model):
    class Modality(models.TextChoices):
        CBT = "cbt", "CBT"
        DBT_SKILLS_GROUP = "dbt_skills_group", "DBT skills group"
        PROCESS_GROUP = "process_group", "Process group"
        INDIVIDUAL = "individual", "Individual therapy"
        FAMILY = "family", "Family therapy"
        MEDICATION_MANAGEMENT = "medication_management", "Medication management"
        PEER_SUPPORT = "peer_support", "Peer support"
        PSYCHOEDUCATION = "psychoeducation", "Psychoeducation"

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        TWICE_WEEKLY = "twice_weekly", "Twice a week"
        THREE_TIMES_WEEKLY = "three_times_weekly", "Three times a week"
        EVERY_OTHER_WEEK = "every_other_week", "Every other week"
        MONTHLY = "monthly", "Monthly"
        AS_SCHEDULED = "as_scheduled", "As the group meets"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="interventions")
    lineage = models.UUIDField(default=uuid.uuid4)
    position = models.PositiveSmallIntegerField(default=0)
    modality = models.CharField(max_length=32, choices=Modality.choices)
    description = models.TextField(blank=True)
    frequency = models.CharField(max_length=24, choices=Frequency.choices)
    duration_minutes = models.PositiveSmallIntegerField()
    length_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How many weeks (empty: until the plan's next review)."
    )
    responsible_discipline = models.CharField(max_length=32, blank=True)
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    objectives = models.ManyToManyField(Objective, blank=True, related_name="interventions")
    # The series the plan booked for this intervention (scheduling sessions, by code).
    booked_session_codes = models.JSONField(default=list, blank=True)
    booked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.get_modality_display()


class PlanSignature(models.Model):
    class Role(models.TextChoices):
        PARTICIPANT = "participant", "Participant"
        PRIMARY_CLINICIAN = "primary_clinician", "Primary clinician"
        PHYSICIAN = "physician", "Physician (certifies the weekly hours)"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="signatures")
    role = models.CharField(max_length=24, choices=Role.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    typed_name = models.CharField(max_length=150)
    attestation = models.TextField()
    # SHA-256 of the plan's content as signed (45 CFR 164.312(c)(2)).
    content_hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "role"], name="one_signature_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} signature"
