"""Measurement schedules: which instruments a program asks for, when, and each due occasion.

A schedule names an instrument by its key (e.g. ``phq-9``), so it keeps working when a new
version of the instrument is loaded, and may name a site-loaded instrument (docs/outcomes.md).
The sweep (openiop.outcomes.sweep) turns schedules into occasions, one per participant and
due date, each linked to the questionnaire (assessments.Assignment) that serves it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Weekday(models.IntegerChoices):
    """Python's weekday numbers (Monday 0), as date.weekday() gives them."""

    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class MeasurementSchedule(models.Model):
    """One instrument a program (or one of its tracks) asks for, and on which occasions."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="measurement_schedules"
    )
    # Empty: everyone in the program; otherwise participants seated in one of the track's groups.
    track = models.ForeignKey(
        "programs.Track",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurement_schedules",
    )
    instrument_key = models.CharField(max_length=63, help_text="An instrument's key, e.g. phq-9.")
    at_admission = models.BooleanField(default=False)
    # The program's weekday (its own timezone); empty for no weekly occasion.
    weekly_on = models.PositiveSmallIntegerField(choices=Weekday.choices, null=True, blank=True)
    at_discharge = models.BooleanField(default=False)
    follow_up_30 = models.BooleanField("30 days after discharge", default=False)
    follow_up_90 = models.BooleanField("90 days after discharge", default=False)
    # Nothing that fell due before this program-local date is ever assigned: a new schedule
    # does not hand out a backlog.
    starts_on = models.DateField()
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["program", "track", "instrument_key", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "instrument_key"],
                condition=Q(is_active=True, track__isnull=True),
                name="one_active_program_schedule_per_instrument",
            ),
            models.UniqueConstraint(
                fields=["program", "track", "instrument_key"],
                condition=Q(is_active=True, track__isnull=False),
                name="one_active_track_schedule_per_instrument",
            ),
            models.CheckConstraint(
                condition=Q(at_admission=True)
                | Q(weekly_on__isnull=False)
                | Q(at_discharge=True)
                | Q(follow_up_30=True)
                | Q(follow_up_90=True),
                name="schedule_has_an_occasion",
            ),
            models.CheckConstraint(
                condition=Q(weekly_on__isnull=True) | Q(weekly_on__lte=6),
                name="schedule_weekday_in_range",
            ),
            models.CheckConstraint(
                condition=Q(is_active=True, deactivated_at__isnull=True)
                | Q(is_active=False, deactivated_at__isnull=False),
                name="inactive_schedule_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_key} schedule"

    @property
    def occasion_labels(self) -> list[str]:
        labels = []
        if self.at_admission:
            labels.append("At admission")
        if self.weekly_on is not None:
            labels.append(f"Weekly on {Weekday(self.weekly_on).label}")
        if self.at_discharge:
            labels.append("At discharge")
        if self.follow_up_30:
            labels.append("30 days after discharge")
        if self.follow_up_90:
            labels.append("90 days after discharge")
        return labels


class MeasurementOccasion(models.Model):
    """One due occasion of a schedule for one participant, and the questionnaire serving it.

    Completed when its assignment is completed. A participant has at most one open assignment
    per instrument (assessments' constraint), so when an occasion falls due while an earlier
    one's questionnaire is still open, the new occasion takes that questionnaire over and the
    earlier occasion is closed as missed (`superseded_at`); see docs/outcomes.md.

    `group` and `clinician` are who the participant was with when the occasion fell due
    (their seat and their primary clinician), so completion rates keep their history when a
    participant later moves.
    """

    class Kind(models.TextChoices):
        ADMISSION = "admission", "At admission"
        WEEKLY = "weekly", "Weekly"
        DISCHARGE = "discharge", "At discharge"
        FOLLOW_UP_30 = "follow_up_30", "30 days after discharge"
        FOLLOW_UP_90 = "follow_up_90", "90 days after discharge"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    schedule = models.ForeignKey(
        MeasurementSchedule, on_delete=models.PROTECT, related_name="occasions"
    )
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="measurement_occasions"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    due_on = models.DateField(help_text="The program-local date it fell due.")
    assignment = models.ForeignKey(
        "assessments.Assignment", on_delete=models.PROTECT, related_name="occasions"
    )
    superseded_at = models.DateTimeField(
        null=True, blank=True, help_text="Closed as missed: a later occasion took it over."
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    group = models.ForeignKey(
        "programs.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurement_occasions",
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurement_occasions",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "participant", "kind", "due_on"],
                name="one_occasion_per_due_date",
            ),
        ]
        indexes = [
            models.Index(fields=["schedule", "due_on"]),
            models.Index(fields=["participant", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} measure due {self.due_on}"


def outcome_conditions(prefix: str = "") -> dict[str, Q]:
    """Each occasion outcome as a database condition, for counting from `prefix` (e.g.
    "measurement_occasions__" from a participant): completed, open (still to do) and missed
    (taken over by a later occasion, or its questionnaire cancelled)."""
    superseded = f"{prefix}superseded_at__isnull"
    status = f"{prefix}assignment__status"
    return {
        "completed": Q(**{superseded: True, status: "completed"}),
        "open": Q(**{superseded: True, status: "open"}),
        "missed": Q(**{superseded: False}) | Q(**{status: "cancelled"}),
    }
