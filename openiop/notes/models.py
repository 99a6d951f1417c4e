"""Session documentation (CLINICAL.md §5.1, §5.2) and psychotherapy notes (§6.2).

A `Note` is one participant's note of one session: progress notes for individual, family and
psychiatry sessions, and each attendee's own note of a group session. Group notes are written
once (`GroupNote`: the shared part, the attendance and each attendee's individual part as
`GroupNoteEntry` rows) and fan out to one `Note` per attendee when signed, each holding the
shared part and only that attendee's individual part.

A signed note is locked: later changes are `Addendum` rows. `PsychotherapyNote` is kept apart
from the chart and encrypted at rest.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Sections of each form (CLINICAL.md §5.1), in the order they are written.
FORM_SECTIONS = {
    "soap": [
        ("subjective", "Subjective"),
        ("objective", "Objective"),
        ("assessment", "Assessment"),
        ("plan", "Plan"),
    ],
    "dap": [("data", "Data"), ("assessment", "Assessment"), ("plan", "Plan")],
    "birp": [
        ("behavior", "Behavior"),
        ("intervention", "Intervention"),
        ("response", "Response"),
        ("plan", "Plan"),
    ],
}


class Note(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual session")
        FAMILY = "family", _("Family session")
        PSYCHIATRY = "psychiatry", _("Psychiatry session")
        GROUP = "group", _("Group session")

    class Form(models.TextChoices):
        SOAP = "soap", "SOAP"
        DAP = "dap", "DAP"
        BIRP = "birp", "BIRP"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"

    class TelehealthMode(models.TextChoices):
        VIDEO = "video", "Audio and video"
        AUDIO_ONLY = "audio_only", "Audio only"
        IN_PERSON = "in_person", "In person"

    class Risk(models.TextChoices):
        NO_CONCERN = "no_concern", "No current risk concern"
        LOW = "low", "Low"
        MODERATE = "moderate", "Moderate"
        HIGH = "high", "High"
        IMMINENT = "imminent", "Imminent"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="notes"
    )
    session = models.ForeignKey(
        "scheduling.Session", on_delete=models.PROTECT, null=True, blank=True, related_name="notes"
    )
    group_note = models.ForeignKey(
        "GroupNote", on_delete=models.PROTECT, null=True, blank=True, related_name="notes"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    form = models.CharField(max_length=8, choices=Form.choices, default=Form.SOAP)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    telehealth_mode = models.CharField(
        max_length=16, choices=TelehealthMode.choices, default=TelehealthMode.VIDEO
    )
    participant_location = models.CharField(
        max_length=200, blank=True, help_text="Where the participant said they were."
    )
    # The form's sections by key (FORM_SECTIONS); group notes use shared_text/individual_text.
    sections = models.JSONField(default=dict, blank=True)
    shared_text = models.TextField(blank=True)
    individual_text = models.TextField(blank=True)
    objectives = models.ManyToManyField("careplans.Objective", blank=True, related_name="notes")
    scores = models.JSONField(
        default=list, blank=True, help_text="This week's scores, copied when the note is written."
    )
    risk_status = models.CharField(max_length=16, choices=Risk.choices, blank=True)
    risk_comment = models.TextField(blank=True)
    medications_reviewed = models.TextField(blank=True)
    edit_version = models.PositiveIntegerField(default=1)
    autosaved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    # SHA-256 of the content as signed (45 CFR 164.312(c)(2)).
    content_hash = models.CharField(max_length=64, blank=True)
    cosign_required = models.BooleanField(default=False)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cosigned_at = models.DateTimeField(null=True, blank=True)
    # 42 CFR Part 2 label: written in (or for a participant of) a Part 2 program. Set when the
    # note is created (labels.note_is_part2) and never cleared: the label follows the record.
    part2 = models.BooleanField("42 CFR Part 2 record", default=False)

    class Meta:
        ordering = ["-started_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="draft") & Q(signed_at__isnull=True))
                | (Q(status="signed") & Q(signed_at__isnull=False) & Q(signed_by__isnull=False)),
                name="note_signed_has_signer",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True)
                | Q(started_at__isnull=True)
                | Q(ended_at__gt=models.F("started_at")),
                name="note_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["participant", "session"],
                condition=Q(session__isnull=False),
                name="one_note_per_participant_session",
            ),
        ]
        indexes = [
            models.Index(fields=["participant", "-started_at"]),
            models.Index(fields=["author", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} note"

    def get_absolute_url(self) -> str:
        return reverse("notes:note", args=[self.code])

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    def signed_content(self) -> dict[str, Any]:
        """What a signature covers (its SHA-256 is `content_hash`): everything clinical."""
        return {
            "participant": str(self.participant.code),
            "session": str(self.session.code) if self.session is not None else None,
            "kind": self.kind,
            "form": self.form,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "telehealth_mode": self.telehealth_mode,
            "participant_location": self.participant_location,
            "sections": self.sections,
            "shared_text": self.shared_text,
            "individual_text": self.individual_text,
            "objectives": sorted(str(o.code) for o in self.objectives.all()),
            "scores": self.scores,
            "risk_status": self.risk_status,
            "risk_comment": self.risk_comment,
            "medications_reviewed": self.medications_reviewed,
        }

    @property
    def awaiting_cosignature(self) -> bool:
        return self.is_signed and self.cosign_required and self.cosigned_at is None


class GroupNote(models.Model):
    """The facilitator's one pass over a group session: attendance, shared part, individual
    parts. Signing it writes each attendee's `Note`."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.OneToOneField(
        "scheduling.Session", on_delete=models.PROTECT, related_name="group_note"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(max_length=200, blank=True)
    curriculum_module = models.ForeignKey(
        "programs.CurriculumTopic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    interventions = models.TextField(blank=True)
    shared_text = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    edit_version = models.PositiveIntegerField(default=1)
    autosaved_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="draft") & Q(signed_at__isnull=True))
                | (Q(status="signed") & Q(signed_at__isnull=False) & Q(signed_by__isnull=False)),
                name="group_note_signed_has_signer",
            ),
        ]

    def __str__(self) -> str:
        return "Group note"

    def get_absolute_url(self) -> str:
        return reverse("notes:group_note", args=[self.session.code])


class GroupNoteEntry(models.Model):
    """One attendee's line of a group note: attendance and their own individual part."""

    group_note = models.ForeignKey(GroupNote, on_delete=models.CASCADE, related_name="entries")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="+"
    )
    attendance = models.CharField(max_length=16, blank=True)
    absence_reason = models.CharField(max_length=200, blank=True)
    minutes = models.PositiveIntegerField(null=True, blank=True)
    individual_text = models.TextField(blank=True)
    objectives = models.ManyToManyField("careplans.Objective", blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group_note", "participant"], name="one_entry_per_attendee"
            ),
        ]

    def __str__(self) -> str:
        return "Group note entry"


class Addendum(models.Model):
    """A later change to a signed note, with who, when and why; the note itself stays as signed."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return "Addendum"


class PsychotherapyNote(models.Model):
    """45 CFR 164.501 psychotherapy notes: the author's alone, separate from the chart.

    The text is encrypted at rest under the site keyring (openiop.lib.crypto), like TOTP
    secrets; `manage.py rotate_keys` re-encrypts it. Never reached through the chart's gate,
    never in an export, the participant's copy or a search.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="+"
    )
    session = models.ForeignKey(
        "scheduling.Session", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ciphertext = models.TextField()
    edit_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["author", "participant"])]
        constraints = [
            # The database refuses clear text: only an `ID$fernet-token` value fits.
            models.CheckConstraint(
                condition=Q(ciphertext__regex=r"^[A-Za-z0-9_-]{1,32}\$gA[A-Za-z0-9_=-]+$"),
                name="psychotherapy_note_is_encrypted",
            ),
        ]

    def __str__(self) -> str:
        return "Psychotherapy note"
