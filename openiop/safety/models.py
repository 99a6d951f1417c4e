import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from openiop.lib.phone import PhoneField
from openiop.programs.eligibility import CLINICAL_ROLES, Seat, may_hold, why_not


class Acuity(models.IntegerChoices):
    """How urgent an alert is; higher is more urgent, so lists sort on the number."""

    ELEVATED = 1, "Elevated"
    HIGH = 2, "High"
    EMERGENCY = 3, "Emergency"


class LadderStep(models.IntegerChoices):
    """Who holds an alert: it starts with its owner and climbs when a deadline passes."""

    OWNER = 0, "Owner"
    ON_CALL = 1, "On-call clinician"
    DIRECTOR = 2, "Program director"
    BACKUP = 3, "Backup"


class SafetyAlert(models.Model):
    """A risk signal that a person must acknowledge.

    Alerts are never dropped: a repeated signal for a participant who already has an open
    alert of the same kind is added to that alert as another trigger (duplicates collapse),
    and only a clinician's acknowledgement, with a documented action, closes an alert.
    """

    class Kind(models.TextChoices):
        CRITICAL_ITEM = "critical_item", "Critical answer on an instrument"
        CLINICIAN_CONCERN = "clinician_concern", "Care team's concern"
        HELP_REQUESTED = "help_requested", "Asked for help during a video session"
        DETERIORATION = "deterioration", "Reliable deterioration on a measure"
        CRISIS_LANGUAGE = "crisis_language", "Crisis language in a message or post"

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
    # The ladder (openiop.safety.ladder): how urgent, who holds it now, and by when they must
    # acknowledge it before it climbs to the next step.
    acuity = models.PositiveSmallIntegerField(choices=Acuity.choices, default=Acuity.ELEVATED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_safety_alerts",
    )
    ladder_step = models.PositiveSmallIntegerField(
        choices=LadderStep.choices, default=LadderStep.OWNER
    )
    acknowledge_by = models.DateTimeField(null=True, blank=True)
    # Each wave of notices (a step reached, an acuity raised, a re-notice at the top of the
    # ladder) has its own number, so a holder can be told again without breaking exactly-once.
    notice_round = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-acuity", "opened_at", "id"]
        indexes = [
            models.Index(fields=["status", "participant"]),
            models.Index(fields=["status", "acknowledge_by"]),
        ]
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
        CONCERN = "concern", "Concern raised by the care team"
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
    # The acuity rule this signal matched (openiop.safety.acuity) and the acuity it gave.
    rule = models.CharField(max_length=40, blank=True)
    acuity = models.PositiveSmallIntegerField(choices=Acuity.choices, default=Acuity.ELEVATED)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()

    class Meta:
        ordering = ["raised_at", "id"]

    def __str__(self) -> str:
        return f"Trigger of {self.alert_id} at {self.raised_at:%Y-%m-%d %H:%M}"


class AlertEvent(models.Model):
    """One line of an alert's timeline: what happened, to whom, by whom (append-only)."""

    class Kind(models.TextChoices):
        RAISED = "raised", "Alert raised"
        REPEATED = "repeated", "Another signal joined the alert"
        ACUITY_RAISED = "acuity_raised", "Acuity raised"
        OWNER_SET = "owner_set", "Owner assigned"
        ESCALATED = "escalated", "Deadline passed; escalated"
        NOTIFIED = "notified", "Notification handed to the provider"
        NOTIFY_FAILED = "notify_failed", "Notification failed; will retry"
        NO_RECIPIENT = "no_recipient", "Nobody to escalate to at this step"
        EMERGENCY_ACCESS = "emergency_access", "Emergency details opened"
        ASSESSMENT_STARTED = "assessment_started", "Brief safety assessment started"
        ASSESSMENT_SIGNED = "assessment_signed", "Brief safety assessment signed"
        SAFETY_PLAN = "safety_plan", "Safety plan written or reviewed"
        HELP_PRESSED = "help_pressed", '"I need help" pressed in a session'
        DISCONNECTED = "disconnected", "Left the video session during the alert"
        MOVED_TO_BREAKOUT = "moved_to_breakout", "Moved to a private room"
        CALLED = "called", "Call started from the alert"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"

    alert = models.ForeignKey(SafetyAlert, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    step = models.PositiveSmallIntegerField(choices=LadderStep.choices, null=True, blank=True)
    channel = models.CharField(max_length=8, blank=True)
    # Short, operational text ("SMS provider unreachable"); never the participant's words.
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["alert", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class EscalationNotice(models.Model):
    """The claim for one notification of one ladder step on one channel (sent exactly once).

    The row is written and committed before the provider is called; its code is the provider's
    idempotency key. A worker that dies after the provider call but before marking it sent
    leaves it `claimed`, and the retry hands the same key to the provider, which drops it.
    """

    class Channel(models.TextChoices):
        SMS = "sms", "Text message"
        EMAIL = "email", "Email"

    class Status(models.TextChoices):
        CLAIMED = "claimed", "Claimed"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (retrying)"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    alert = models.ForeignKey(SafetyAlert, on_delete=models.PROTECT, related_name="notices")
    step = models.PositiveSmallIntegerField(choices=LadderStep.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    round = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.CLAIMED)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["claimed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "round", "step", "channel"],
                name="one_notice_per_alert_round_step_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} for step {self.step} ({self.get_status_display()})"


class SafetyPolicy(models.Model):
    """A program's own acuity rules, deadlines and backup (the defaults apply without a row).

    Defaults are OpenIOP's operational choices (CLINICAL.md), not published standards.
    """

    program = models.OneToOneField(
        "programs.Program", on_delete=models.CASCADE, related_name="safety_policy"
    )
    # {"rule key": acuity number}, overriding openiop.safety.acuity.DEFAULT_RULES.
    acuity_rules = models.JSONField(default=dict, blank=True)
    emergency_minutes = models.PositiveSmallIntegerField(default=5)
    high_minutes = models.PositiveSmallIntegerField(default=30)
    # Elevated alerts are due by this time on the next business day, in the program's zone.
    business_day_ends_at = models.TimeField(default=datetime.time(17, 0))
    # ISO weekdays (1 = Monday) that count as business days.
    business_days = models.JSONField(default=list, blank=True)
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who the ladder reaches after the director (e.g. a medical director).",
    )
    # One phrase per line, added to openiop.safety.crisis_language.DEFAULT_PHRASES.
    crisis_phrases = models.TextField(blank=True, max_length=5000)

    class Meta:
        verbose_name_plural = "safety policies"

    def __str__(self) -> str:
        return f"Safety policy of {self.program}"

    def clean(self) -> None:
        """The backup is an active clinician or director of the program; rules and days are
        known ones (the admin and the director's form both ask here)."""
        super().clean()
        # acuity.py imports this module for Acuity: a cycle at start-up, hence the local import.
        from openiop.safety.acuity import RULES

        errors: dict[str, str] = {}
        backup = self.backup if self.backup_id is not None else None
        if (
            backup is not None
            and self.program_id is not None
            and (
                not backup.is_active
                or backup.role not in CLINICAL_ROLES
                or not backup.program_memberships.filter(program_id=self.program_id).exists()
            )
        ):
            errors["backup"] = "The backup must be an active clinician or director of this program."
        rules = self.acuity_rules or {}
        if not isinstance(rules, dict) or any(
            key not in RULES or value not in Acuity.values for key, value in rules.items()
        ):
            errors["acuity_rules"] = "Use known rule keys, each with an acuity of 1, 2 or 3."
        days = self.business_days or []
        if not isinstance(days, list) or any(day not in range(1, 8) for day in days):
            errors["business_days"] = "Business days are ISO weekdays, 1 (Monday) to 7."
        if errors:
            raise ValidationError(errors)


def _check_on_call_seat(row: "OnCallShift | OnCallOverride") -> None:
    if row.clinician_id is None or row.program_id is None:
        return
    if not may_hold(row.clinician, Seat.ON_CALL, row.program):
        raise ValidationError({"clinician": why_not(row.clinician, Seat.ON_CALL, row.program)})


class OnCallShift(models.Model):
    """A weekly on-call shift, in the program's zone: e.g. Monday 17:00 to Tuesday 09:00.

    A shift that ends at or before its start (on the same weekday) runs past midnight into
    the next day. The person must hold the program's on-call seat.
    """

    class Weekday(models.IntegerChoices):
        MONDAY = 1, "Monday"
        TUESDAY = 2, "Tuesday"
        WEDNESDAY = 3, "Wednesday"
        THURSDAY = 4, "Thursday"
        FRIDAY = 5, "Friday"
        SATURDAY = 6, "Saturday"
        SUNDAY = 7, "Sunday"

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="on_call_shifts"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="on_call_shifts"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField()
    ends_at = models.TimeField()

    class Meta:
        ordering = ["program", "weekday", "starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def clean(self) -> None:
        """Only someone who may hold the on-call seat sits on the rota (eligibility.why_not)."""
        super().clean()
        _check_on_call_seat(self)


class OnCallOverride(models.Model):
    """Someone covering a stretch instead of the weekly pattern (leave, swaps, holidays)."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="on_call_overrides"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="on_call_overrides"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["program", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="on_call_override_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Override {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        """Only someone who may hold the on-call seat sits on the rota (eligibility.why_not)."""
        super().clean()
        _check_on_call_seat(self)
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "An override must end after it starts."})


class SafetyAssessment(models.Model):
    """A brief suicide safety assessment after a positive screen, in OpenIOP's own words.

    Written by a licensed clinician (often from the alert), signed once and then read-only; the
    signature covers a hash of the content. A site with a C-SSRS licence may record a completed
    site-loaded instrument response instead (`instrument_response`) alongside the formulation
    and disposition.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"

    class LethalMeans(models.TextChoices):
        NONE_KNOWN = "none_known", "No access known after asking"
        HAS_ACCESS = "has_access", "Has access to lethal means"
        UNKNOWN = "unknown", "Not established"

    class RiskLevel(models.TextChoices):
        LOW = "low", "Low"
        MODERATE = "moderate", "Moderate"
        HIGH = "high", "High"
        IMMINENT = "imminent", "Imminent"

    class Disposition(models.TextChoices):
        SAFETY_PLAN = "safety_plan", "Safety plan made or updated; continue in the program"
        URGENT_EVALUATION = "urgent_evaluation", "Urgent evaluation (same day)"
        EMERGENCY_SERVICES = "emergency_services", "Emergency services (988, mobile crisis, 911)"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="safety_assessments"
    )
    alert = models.ForeignKey(
        SafetyAlert,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    risk_factors = models.TextField(blank=True)
    protective_factors = models.TextField(blank=True)
    recent_behaviour = models.TextField(blank=True)
    lethal_means = models.CharField(max_length=12, choices=LethalMeans.choices, blank=True)
    lethal_means_detail = models.TextField(blank=True)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    formulation = models.TextField(blank=True)
    disposition = models.CharField(max_length=20, choices=Disposition.choices, blank=True)
    disposition_detail = models.TextField(blank=True)
    # A site-licensed instrument (e.g. C-SSRS, loaded with `manage.py load_instrument`) used in
    # place of the structured questions above.
    instrument_response = models.ForeignKey(
        "assessments.Response",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft", signed_at__isnull=True)
                | (
                    models.Q(status="signed", signed_at__isnull=False)
                    & ~models.Q(content_hash="")
                    & ~models.Q(risk_level="")
                    & ~models.Q(disposition="")
                ),
                name="signed_safety_assessment_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Brief safety assessment ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("safety:assessment", args=[self.code])

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED


class SafetyPlan(models.Model):
    """One version of a participant's safety plan, six steps in OpenIOP's own words.

    Versions share a `lineage`; signing a version makes it the active one and supersedes the
    previous. A signed version is never edited: a review that changes something starts a new
    version from a copy. The participant reads the active version from every portal page.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "In use"
        SUPERSEDED = "superseded", "Replaced by a later version"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="safety_plans"
    )
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    # Written with the participant in a session (the intervention), not for them.
    participant_participated = models.BooleanField(default=True)
    reason_for_living = models.TextField(blank=True)
    alert = models.ForeignKey(
        SafetyAlert,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="safety_plans",
        help_text="The alert this version was written in response to, if any.",
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    participant_acknowledged_at = models.DateTimeField(null=True, blank=True)
    review_due_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["participant", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "version"], name="one_safety_plan_version_number"
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=models.Q(status="active"),
                name="one_active_safety_plan",
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=models.Q(status="draft"),
                name="one_draft_safety_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"Safety plan v{self.version} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("safety:plan", args=[self.code])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class SafetyPlanEntry(models.Model):
    """One line of one step of a safety plan, in the participant's words."""

    class Step(models.IntegerChoices):
        WARNING_SIGNS = 1, _("Signs that a crisis may be building")
        COPING = 2, _("Things I can do on my own to feel steadier")
        DISTRACTION = 3, _("People and places that take my mind off things")
        HELPERS = 4, _("People I can ask for help")
        PROFESSIONALS = 5, _("Professionals and crisis lines I can reach")
        SAFE_SURROUNDINGS = 6, _("Making my surroundings safer")

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="entries")
    step = models.PositiveSmallIntegerField(choices=Step.choices)
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=500)
    phone = PhoneField(blank=True)

    class Meta:
        ordering = ["plan", "step", "position", "id"]

    def __str__(self) -> str:
        return f"Step {self.step}, line {self.position}"


class MeansSafetyAction(models.Model):
    """Step 6 made concrete: a means, what will be done about it, by whom, checked when."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, related_name="means_actions")
    means = models.CharField(max_length=200)
    action = models.CharField(max_length=500)
    responsible_person = models.CharField(max_length=150, blank=True)
    verified_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return f"Means-safety action {self.pk}"


class SafetyPlanReview(models.Model):
    """A review of the active plan: at a high-risk contact, a level-of-care change, discharge."""

    class Reason(models.TextChoices):
        HIGH_RISK_CONTACT = "high_risk_contact", "High-risk contact"
        LEVEL_OF_CARE = "level_of_care", "Level-of-care change"
        DISCHARGE = "discharge", "Discharge"
        ROUTINE = "routine", "Routine review"

    class Outcome(models.TextChoices):
        UNCHANGED = "unchanged", "Reviewed with the participant; still fits"
        REVISED = "revised", "Revised: a new version was started"

    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="reviews")
    alert = models.ForeignKey(
        SafetyAlert, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField()

    class Meta:
        ordering = ["-reviewed_at", "-id"]

    def __str__(self) -> str:
        return f"Review of {self.plan_id} ({self.get_reason_display()})"
