import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse


class SafetyAlert(models.Model):
    """A risk signal that a person must acknowledge.

    Alerts are never dropped: a repeated signal for a participant who already has an open
    alert of the same kind is added to that alert as another trigger (duplicates collapse),
    and only a clinician's acknowledgement, with a documented action, closes an alert.
    """

    class Kind(models.TextChoices):
        CRITICAL_ITEM = "critical_item", "Critical answer on an instrument"
        CLINICIAN_CONCERN = "clinician_concern", "Clinician's concern"
        HELP_REQUESTED = "help_requested", "Asked for help during a video session"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"

    class Action(models.TextChoices):
        RISK_ASSESSED = "risk_assessed", "Completed a suicide-risk assessment"
        SAFETY_PLAN = "safety_plan", "Made or updated the safety plan with the participant"
        CONTACTED = "contacted", "Reached the participant; risk followed up"
        ESCALATED = "escalated", "Escalated (988 warm hand-off, mobile crisis, 911 or ED)"
        HIGHER_LEVEL = "higher_level", "Referred to a higher level of care"
        OTHER = "other", "Other (described in the note)"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="safety_alerts"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField()
    last_triggered_at = models.DateTimeField()
    trigger_count = models.PositiveIntegerField(default=1)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices, blank=True)
    action_note = models.TextField(blank=True)

    class Meta:
        ordering = ["opened_at", "id"]
        indexes = [models.Index(fields=["status", "participant"])]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "kind"],
                condition=models.Q(status="open"),
                name="one_open_alert_per_participant_and_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status="open", acknowledged_at__isnull=True, acknowledged_by__isnull=True
                )
                | (
                    models.Q(
                        status="acknowledged",
                        acknowledged_at__isnull=False,
                        acknowledged_by__isnull=False,
                    )
                    & ~models.Q(action="")
                    & ~models.Q(action_note="")
                ),
                name="acknowledged_alert_is_documented",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("safety:alert", args=[self.code])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class AlertTrigger(models.Model):
    """One signal behind an alert: a critical answer (saved or submitted), or a concern."""

    class Signal(models.TextChoices):
        ANSWER_SAVED = "answer_saved", "Critical answer saved (not yet submitted)"
        RESPONSE_SUBMITTED = "response_submitted", "Response submitted"
        CONCERN = "concern", "Clinician's concern"
        HELP_REQUESTED = "help_requested", 'Participant pressed "I need help" in a video session'

    alert = models.ForeignKey(SafetyAlert, on_delete=models.PROTECT, related_name="triggers")
    response = models.ForeignKey(
        "assessments.Response",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alert_triggers",
    )
    signal = models.CharField(max_length=24, choices=Signal.choices)
    critical_items = models.JSONField(default=list, blank=True)
    concern = models.TextField(blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()

    class Meta:
        ordering = ["raised_at", "id"]

    def __str__(self) -> str:
        return f"Trigger of {self.alert_id} at {self.raised_at:%Y-%m-%d %H:%M}"
