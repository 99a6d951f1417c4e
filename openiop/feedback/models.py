"""Session feedback: which check-in a program asks for, and one check-in per person per session.

The answers themselves live in openiop.assessments (an Assignment and its Response); a
SessionCheckIn ties that assignment to the session it is about and keeps what the flags and
trends need (the total and whether it was low or falling), so neither has to read answers.
"""

import uuid

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

DEFAULT_INSTRUMENT = "session-check-in"


class FeedbackSetting(models.Model):
    """A program's session feedback: the instrument asked after each session and its flags.

    Without a row the defaults below apply. They are OpenIOP's operational defaults for its
    own check-in, NOT a validated cut-off (the check-in has none, CLINICAL.md §2.9); a site
    that loads a licensed measure (e.g. the SRS) sets that measure's own rule here.
    """

    program = models.OneToOneField(
        "programs.Program", on_delete=models.CASCADE, related_name="feedback_setting"
    )
    instrument_key = models.CharField(
        max_length=63,
        default=DEFAULT_INSTRUMENT,
        help_text="The instrument asked after each session (its file's id), e.g. a site-loaded "
        "licensed SRS instead of OpenIOP's check-in.",
    )
    score_id = models.CharField(
        max_length=63,
        default="total",
        help_text="The instrument's score that is trended and compared between sessions.",
    )
    low_item_at_or_below = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=4,
        help_text="Low when any item of that score is at or below this (empty: not used).",
    )
    overall_item = models.CharField(max_length=63, blank=True, default="overall")
    low_overall_at_or_below = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=5,
        help_text="Low when the overall item is at or below this (empty: not used).",
    )
    low_total_below = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Low when the score is below this, e.g. a licensed measure's own cut-off "
        "(empty: not used).",
    )
    falling_points = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1)],
        help_text="Falling when the score dropped by at least this many points since the "
        "participant's previous answered check-in.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(falling_points__gte=1), name="falling_points_set"),
        ]

    def __str__(self) -> str:
        return f"Session feedback ({self.instrument_key})"


class SessionCheckIn(models.Model):
    """One participant's check-in about one session they attended."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for an answer"
        ANSWERED = "answered", "Answered"
        SUPERSEDED = "superseded", "Not answered before the next one"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(
        "scheduling.Session", on_delete=models.CASCADE, related_name="check_ins"
    )
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="session_check_ins"
    )
    assignment = models.OneToOneField(
        "assessments.Assignment", on_delete=models.PROTECT, related_name="session_check_in"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    assigned_at = models.DateTimeField()
    # Kept from the latest submitted response (a correction replaces it), judged by the
    # program's rule as it stood then.
    answered_at = models.DateTimeField(null=True, blank=True)
    total = models.IntegerField(null=True, blank=True)
    low = models.BooleanField(default=False)
    # Why it is low, as codes ("item", "overall", "total"); never an answer.
    low_reasons = models.JSONField(default=list, blank=True)
    change = models.IntegerField(
        null=True, blank=True, help_text="Total minus the previous answered check-in's."
    )
    falling = models.BooleanField(default=False)

    class Meta:
        ordering = ["-assigned_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="one_check_in_per_session"
            ),
            models.CheckConstraint(
                condition=~Q(status="answered") | Q(answered_at__isnull=False),
                name="answered_check_in_has_time",
            ),
        ]
        indexes = [models.Index(fields=["participant", "status"])]

    def __str__(self) -> str:
        return f"Session check-in ({self.get_status_display()})"

    @property
    def flagged(self) -> bool:
        return self.low or self.falling
