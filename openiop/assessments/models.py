import json
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from openiop.assessments.definitions import Definition, parse_definition

_PARSED: dict[tuple[str, str], Definition] = {}


class InstrumentDefinition(models.Model):
    """One version of an instrument definition file, as loaded (shipped or site-loaded)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(max_length=63, help_text="The file's id, e.g. phq-9.")
    version = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    source = models.JSONField(help_text="The whole definition file, as validated.")
    validated = models.BooleanField()
    shipped = models.BooleanField(default=False, help_text="Ships with OpenIOP.")
    is_active = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["title", "key", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="one_definition_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    @property
    def definition(self) -> Definition:
        # A (key, version) never changes content (the loader refuses that), so the parsed,
        # validated form is shared by every row and request.
        cache_key = (self.key, self.version)
        if cache_key not in _PARSED:
            _PARSED[cache_key] = parse_definition(
                json.dumps(self.source), source=f"{self.key}@{self.version}"
            )
        return _PARSED[cache_key]


class Assignment(models.Model):
    """An instrument a participant is asked to complete."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="assignments"
    )
    instrument = models.ForeignKey(
        InstrumentDefinition, on_delete=models.PROTECT, related_name="assignments"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-assigned_at", "-id"]
        indexes = [
            models.Index(fields=["participant", "status"]),
            # A participant's series on one measure in time order: the outcomes dashboard's
            # first and last score of each stay (bench/dashboard.py: 1M responses).
            models.Index(
                fields=["participant", "instrument", "completed_at"], name="assignment_series"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "instrument"],
                condition=models.Q(status="open"),
                name="one_open_assignment_per_instrument",
            ),
            models.CheckConstraint(
                condition=models.Q(status="completed", completed_at__isnull=False)
                | ~models.Q(status="completed"),
                name="completed_assignment_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.title} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("assessments:respond", args=[self.code])


class Response(models.Model):
    """Answers to one assignment.

    In progress, answers may change (saved as the participant goes). Once submitted the row
    is frozen: a database trigger refuses any later UPDATE or DELETE. A correction is a new
    submitted response whose ``replaces`` points at the one it corrects.
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"

    class Source(models.TextChoices):
        PARTICIPANT = "participant", "Participant (self-report)"
        CLINICIAN = "clinician", "Clinician (in session)"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="responses")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="responses"
    )
    instrument = models.ForeignKey(
        InstrumentDefinition, on_delete=models.PROTECT, related_name="responses"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    source = models.CharField(max_length=16, choices=Source.choices)
    answers = models.JSONField(default=dict, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Scoring results, kept as scored at submission.
    complete = models.BooleanField(default=False)
    missing_items = models.JSONField(default=list, blank=True)
    scores = models.JSONField(default=dict, blank=True)
    findings = models.JSONField(default=dict, blank=True)
    critical_items = models.JSONField(default=list, blank=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    correction_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["participant", "status", "submitted_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=models.Q(status="in_progress"),
                name="one_draft_per_assignment",
            ),
            models.UniqueConstraint(
                fields=["assignment"],
                condition=models.Q(status="submitted", replaces__isnull=True),
                name="one_original_submission_per_assignment",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status="submitted", submitted_at__isnull=False, submitted_by__isnull=False
                )
                | models.Q(status="in_progress", submitted_at__isnull=True),
                name="submitted_response_has_time_and_person",
            ),
            models.CheckConstraint(
                condition=models.Q(replaces__isnull=True) | ~models.Q(correction_reason=""),
                name="correction_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.title} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("assessments:response", args=[self.code])

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_critical(self) -> bool:
        return bool(self.critical_items)

    @property
    def positive_findings(self) -> list[str]:
        """Labels of the findings that came out true, e.g. "Acute positive: …" on the ASQ."""
        return [f.label for f in self.instrument.definition.findings if self.findings.get(f.id)]

    @property
    def score_summary(self) -> list[str]:
        """e.g. ["PHQ-9 total score: 11 (Moderate)"]; a score with a missing item says so."""
        parts = []
        for value in self.scores.values():
            if value["value"] is None and value.get("low") is not None:
                parts.append(
                    f"{value['label']}: incomplete, not scored "
                    f"({value['low']}–{value['high']} depending on the unanswered items)"
                )
            elif value["value"] is None:
                parts.append(f"{value['label']}: not scored (incomplete)")
            elif value["band_label"]:
                parts.append(f"{value['label']}: {value['value']} ({value['band_label']})")
            else:
                parts.append(f"{value['label']}: {value['value']}")
        return parts


class ChangeRule(models.Model):
    """How change on one score of one instrument is judged (CLINICAL.md §3), as configured.

    Versioned configuration, never edited in place: a new row with a higher version replaces
    the active one, so a past judgement can always be explained by the rule it used. Scales
    where lower is better (every shipped symptom measure) read a fall as improvement.

    Reliable change uses the Jacobson–Truax RCI when the reliability and the reference SD are
    both configured; otherwise the configured point threshold (the IAPT convention: PHQ-9 6,
    GAD-7 4); otherwise there is no reliable-change rule and the page says so.
    """

    instrument_key = models.CharField(max_length=63, help_text="The instrument's id, e.g. phq-9.")
    score_id = models.CharField(max_length=63, default="total")
    version = models.PositiveIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    lower_is_better = models.BooleanField(default=True)
    reliability = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="r_xx (test-retest or alpha) of the reference sample, 0–1.",
    )
    reference_sd = models.DecimalField(
        max_digits=7,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="SD of the reference (pre-treatment) sample.",
    )
    reliable_change_points = models.PositiveIntegerField(
        null=True, blank=True, help_text="A change of at least this many points is reliable."
    )
    response_fraction = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Response: at least this share of the baseline gone (0.50 = 50 %).",
    )
    remission_below = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Remission: the latest score is below this.",
    )
    caseness_at_least = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="A baseline at or above this is a case; remission is judged only for cases.",
    )
    source = models.TextField(help_text="Where the numbers come from (citation).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["instrument_key", "score_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument_key", "score_id", "version"], name="one_change_rule_version"
            ),
            models.UniqueConstraint(
                fields=["instrument_key", "score_id"],
                condition=models.Q(is_active=True),
                name="one_active_change_rule",
            ),
            models.CheckConstraint(
                condition=models.Q(reliability__isnull=True)
                | models.Q(reliability__gte=0, reliability__lt=1),
                name="change_rule_reliability_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(reference_sd__isnull=True) | models.Q(reference_sd__gt=0),
                name="change_rule_sd_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_key} {self.score_id} v{self.version}"
