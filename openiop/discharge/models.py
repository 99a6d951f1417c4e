"""Discharge summaries and aftercare (CLINICAL.md §5.4).

A summary is a draft while the team writes it: the computed parts (services and hours, scores,
diagnoses, medications) are filled in from the record when the draft starts and may be
refreshed; the rest is typed. Signing it (`actions.sign_discharge`) ends the episode of care and
freezes the summary: its signed content is hashed, and nothing edits it afterwards.
"""

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from openiop.intake.models import EpisodeOfCare, Level
from openiop.lib.phone import PhoneField, stored_text


class DischargeSummary(models.Model):
    Reason = EpisodeOfCare.EndReason

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"

    class SafetyPlan(models.TextChoices):
        # No safety-plan record exists yet (safety app): the clinician states its status.
        REVIEWED = "reviewed", "Reviewed and updated with the participant"
        NOT_NEEDED = "not_needed", "Not needed"
        DECLINED = "declined", "Offered; the participant declined"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="discharge_summaries"
    )
    episode = models.OneToOneField(
        "intake.EpisodeOfCare", on_delete=models.PROTECT, related_name="discharge_summary"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    reason = models.CharField(
        "Reason for discharge", max_length=32, choices=Reason.choices, blank=True
    )
    admitted_on = models.DateField()
    discharged_on = models.DateField("Date of discharge")

    # Computed from the record when the draft starts or is refreshed (see `computed`).
    services = models.JSONField(
        default=dict, help_text="Attended sessions and minutes by kind, as computed."
    )
    scores = models.JSONField(
        default=list, help_text="Per instrument: first and last score of the stay, change."
    )
    diagnoses = models.JSONField(default=list, help_text="Current diagnoses, as snapshotted.")
    computed_at = models.DateTimeField()

    course = models.TextField("Course of treatment and progress", blank=True)
    medications = models.TextField(
        "Medications at discharge",
        blank=True,
        help_text="Started from the chart's current medications; correct it here if needed.",
    )
    safety_plan_status = models.CharField(
        "Safety plan", max_length=16, choices=SafetyPlan.choices, blank=True
    )
    safety_plan_notes = models.TextField("Safety plan notes", blank=True)
    step_down_level = models.CharField(
        "Recommended level of care after discharge",
        max_length=16,
        choices=Level.choices,
        blank=True,
    )
    referrals = models.TextField(
        blank=True, help_text="Peer support, mutual-help groups, housing, vocational and others."
    )
    what_comes_next = models.TextField(
        "What comes next, for the participant",
        blank=True,
        help_text="Plain language: the participant reads this on their home page.",
    )

    # Optimistic concurrency for the draft: a save names the edit_version it started from.
    edit_version = models.PositiveIntegerField(default=1)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    participant_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "discharge summaries"
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", signed_at__isnull=True, content_hash="")
                | (
                    Q(status="signed", signed_at__isnull=False, signed_by__isnull=False)
                    & ~Q(reason="")
                    & ~Q(content_hash="")
                ),
                name="signed_discharge_has_signature",
            ),
            models.CheckConstraint(
                condition=Q(discharged_on__gte=models.F("admitted_on")),
                name="discharge_after_admission",
            ),
        ]

    def __str__(self) -> str:
        return f"Discharge summary ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("discharge:summary", args=[self.code])

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    @property
    def total_hours(self) -> Decimal:
        minutes = int(self.services.get("total_minutes", 0))
        return (Decimal(minutes) / 60).quantize(Decimal("0.1"))

    @property
    def service_rows(self) -> list[dict[str, Any]]:
        return [
            {**row, "hours": (Decimal(int(row["minutes"])) / 60).quantize(Decimal("0.1"))}
            for row in self.services.get("kinds", [])
        ]

    @property
    def score_rows(self) -> list[dict[str, Any]]:
        """The stored scores with their days as dates, for templates (`|day`)."""
        return [
            {
                **row,
                "first_on": date.fromisoformat(row["first_on"]),
                "last_on": date.fromisoformat(row["last_on"]),
            }
            for row in self.scores
        ]

    def signed_content(self) -> dict[str, Any]:
        """What the signature covers: every clinical field, the aftercare and who signed when."""
        return {
            "summary": str(self.code),
            "participant": str(self.participant.code),
            "episode": str(self.episode.code),
            "reason": self.reason,
            "admitted_on": self.admitted_on.isoformat(),
            "discharged_on": self.discharged_on.isoformat(),
            "services": self.services,
            "scores": self.scores,
            "diagnoses": self.diagnoses,
            "course": self.course,
            "medications": self.medications,
            "safety_plan_status": self.safety_plan_status,
            "safety_plan_notes": self.safety_plan_notes,
            "step_down_level": self.step_down_level,
            "referrals": self.referrals,
            "what_comes_next": self.what_comes_next,
            "aftercare": [a.as_content() for a in self.aftercare.all()],
            "signed_by": str(self.signed_by.code) if self.signed_by else None,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
        }


class AftercareAppointment(models.Model):
    """A follow-up booked outside the program (step-down outpatient within 7 days is a common
    quality target, CLINICAL.md §5.4)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    summary = models.ForeignKey(
        DischargeSummary, on_delete=models.CASCADE, related_name="aftercare"
    )
    position = models.PositiveSmallIntegerField(default=0)
    with_whom = models.CharField("With whom", max_length=200)
    starts_at = models.DateTimeField("Date and time")
    where = models.CharField(
        "Where, or how to join", max_length=300, help_text="An address, or how to join by video."
    )
    phone = PhoneField(blank=True)

    class Meta:
        ordering = ["starts_at", "position", "id"]

    def __str__(self) -> str:
        return "Aftercare appointment"

    def as_content(self) -> dict[str, Any]:
        return {
            "with_whom": self.with_whom,
            "starts_at": self.starts_at.isoformat(),
            "where": self.where,
            "phone": stored_text(self.phone),
        }
