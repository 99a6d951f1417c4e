import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from openiop.accounts.models import validate_timezone


class Session(models.Model):
    """One concrete occurrence: a group meeting or an individual appointment.

    Stored as UTC instants plus the local wall time and IANA zone it was planned in, so a
    6 pm group is still known to be "18:00 America/New_York" after a DST change.
    """

    class Kind(models.TextChoices):
        GROUP = "group", _("Group")
        INDIVIDUAL = "individual", _("Individual")
        FAMILY = "family", _("Family")
        PSYCHIATRY = "psychiatry", _("Psychiatry")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    class CancelReason(models.TextChoices):
        HOLIDAY = "holiday", "Holiday"
        FACILITATOR_UNAVAILABLE = "facilitator_unavailable", "Facilitator unavailable"
        PARTICIPANT_REQUEST = "participant_request", "Participant request"
        DISCHARGED = "discharged", "Participant discharged"
        OTHER = "other", "Other"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="sessions"
    )
    group = models.ForeignKey(
        "programs.Group", on_delete=models.CASCADE, null=True, blank=True, related_name="sessions"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        help_text="The clinician of an individual, family or psychiatry appointment.",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    local_date = models.DateField()
    local_starts_at = models.TimeField()
    local_ends_at = models.TimeField()
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    is_extra = models.BooleanField(
        default=False, help_text="A one-off session outside the template."
    )
    cancel_reason = models.CharField(max_length=32, choices=CancelReason.choices, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # RFC 5545 SEQUENCE: calendar clients replace an event only when this grows.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=(Q(kind="group") & Q(group__isnull=False) & Q(clinician__isnull=True))
                | (~Q(kind="group") & Q(group__isnull=True) & Q(clinician__isnull=False)),
                name="session_group_or_clinician",
            ),
            models.CheckConstraint(
                condition=(Q(status="cancelled") & Q(cancelled_at__isnull=False))
                | (Q(status="scheduled") & Q(cancelled_at__isnull=True)),
                name="session_cancelled_at_matches_status",
            ),
            models.UniqueConstraint(
                fields=["group", "starts_at"],
                condition=Q(group__isnull=False),
                name="one_group_session_per_start",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "starts_at"]),
            # The director's week grid picks a program's week by its local dates.
            models.Index(fields=["program", "local_date"], name="session_program_day"),
            models.Index(fields=["group", "starts_at"]),
            models.Index(fields=["clinician", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} session {self.local_date} {self.local_starts_at:%H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def local_start(self, zone: str) -> datetime:
        return self.starts_at.astimezone(ZoneInfo(zone))

    def local_end(self, zone: str) -> datetime:
        return self.ends_at.astimezone(ZoneInfo(zone))


class Holiday(models.Model):
    """A program-wide day off: no group sessions are generated, existing ones are cancelled."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["program", "date"], name="one_holiday_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date})"


class Enrollment(models.Model):
    """A participant's place in a group: seated, waiting for a seat, or over.

    Waitlist order (documented priority rule): participants stepping down from a higher level
    of care (PHP or inpatient) first, for continuity of care; otherwise first come, first
    served by the time they joined the waitlist.
    """

    class Status(models.TextChoices):
        WAITLISTED = "waitlisted", "Waitlisted"
        SEATED = "seated", "Seated"
        ENDED = "ended", "Ended"
        WITHDRAWN = "withdrawn", "Left the waitlist"

    class Priority(models.IntegerChoices):
        ROUTINE = 0, "Routine"
        STEP_DOWN = 1, "Stepping down from a higher level of care"

    OPEN_STATUSES = (Status.WAITLISTED, Status.SEATED)

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="enrollments"
    )
    group = models.ForeignKey(
        "programs.Group", on_delete=models.PROTECT, related_name="enrollments"
    )
    # The admission (intake) this place in a group serves; empty for people seated before
    # intake ran in OpenIOP.
    episode = models.ForeignKey(
        "intake.EpisodeOfCare",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrollments",
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.ROUTINE)
    starts_on = models.DateField()
    expected_end_on = models.DateField()
    taper_weeks = models.PositiveSmallIntegerField(
        default=0, help_text="Final weeks at reduced intensity (step-down taper)."
    )
    taper_sessions_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    requested_at = models.DateTimeField(
        help_text="When the admission was asked for: waitlist order."
    )
    seated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Licensure at seating (docs/scheduling.md): a place in a group none of whose facilitators
    # is licensed where the participant lives needs a program director's written reason.
    licensure_override_reason = models.TextField(blank=True, max_length=1000)
    licensure_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(licensure_override_reason="") | Q(licensure_override_by__isnull=False),
                name="enrollment_override_has_director",
            ),
            models.UniqueConstraint(
                fields=["participant", "group"],
                condition=Q(status__in=["waitlisted", "seated"]),
                name="one_open_enrollment_per_group",
            ),
            models.CheckConstraint(
                condition=Q(expected_end_on__gt=F("starts_on")), name="enrollment_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(taper_weeks=0) | Q(taper_sessions_per_week__gte=1),
                name="enrollment_taper_has_sessions",
            ),
            models.CheckConstraint(
                condition=~Q(status="seated") | Q(seated_at__isnull=False),
                name="enrollment_seated_has_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["group", "status", "-priority", "requested_at"], name="waitlist_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} enrollment"


class Booking(models.Model):
    """One participant expected at one session: the personal schedule, and its attendance."""

    class Source(models.TextChoices):
        ENROLLMENT = "enrollment", "Group enrollment"
        MAKEUP = "makeup", "Make-up session"
        APPOINTMENT = "appointment", "Appointment"

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        RELEASED = "released", "Released"

    class Attendance(models.TextChoices):
        PRESENT = "present", "Present"
        LATE = "late", "Late"
        LEFT_EARLY = "left_early", "Left early"
        ABSENT = "absent", "Absent"
        EXCUSED = "excused", "Excused"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="bookings")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="bookings"
    )
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BOOKED)
    attendance = models.CharField(max_length=16, choices=Attendance.choices, blank=True)
    minutes_attended = models.PositiveIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="one_booking_per_session"
            ),
            models.CheckConstraint(
                condition=(Q(attendance="") & Q(minutes_attended__isnull=True))
                | (~Q(attendance="") & Q(minutes_attended__isnull=False)),
                name="booking_attendance_has_minutes",
            ),
            models.CheckConstraint(
                condition=~Q(attendance__in=["absent", "excused"]) | Q(minutes_attended=0),
                name="booking_absence_has_no_minutes",
            ),
        ]
        indexes = [
            models.Index(fields=["participant", "status"]),
            # Seats booked per session, counted from the index alone (the week grid's 500).
            models.Index(fields=["session", "status"], name="booking_session_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} booking"


class ClinicianAvailability(models.Model):
    """A weekly window in which a clinician takes individual appointments (local wall time)."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability"
    )
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday ... 6 = Sunday")
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    timezone = models.CharField(max_length=64, validators=[validate_timezone])

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="availability_weekday"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="availability_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Availability {self.weekday} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class ReminderPreference(models.Model):
    """Per-channel opt-out; without a row both channels are on."""

    participant = models.OneToOneField(
        "participants.Participant", on_delete=models.CASCADE, related_name="reminder_preference"
    )
    sms = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    def __str__(self) -> str:
        return "Reminder preference"


class ReminderClaim(models.Model):
    """The claim a worker writes before it calls a provider, so a reminder goes out once.

    Unique per booking, reminder kind, channel and session start: a rescheduled session gets
    fresh reminders, a retried or duplicated job finds the claim and stops. The claim code is
    the provider's idempotency key.
    """

    class Kind(models.TextChoices):
        DAY_BEFORE = "day_before", "24 hours before"
        HOUR_BEFORE = "hour_before", "1 hour before"
        CANCELLATION = "cancellation", "Cancellation notice"

    class Channel(models.TextChoices):
        SMS = "sms", "Text message"
        EMAIL = "email", "Email"

    class Status(models.TextChoices):
        CLAIMED = "claimed", "Claimed"
        SENT = "sent", "Sent"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    session_starts_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.CLAIMED)
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "kind", "channel", "session_starts_at"],
                name="one_reminder_per_kind_channel_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_channel_display()} reminder"


class PlannedReminder(models.Model):
    """A reminder or notice queued for later, written in the same transaction as its job.

    The queue holds the job; this row says the message is owed. Neither queue runs again a job
    whose worker died after taking it, so a job killed before it wrote its claims would leave
    nothing behind: the sweep (`reminders.send_overdue`) runs the job once more for a plan that
    is overdue by STALE_CLAIM and still not handled. The job marks its plan handled when it has
    claimed (or found nothing to send); claims make the second run harmless.
    """

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="plans")
    kind = models.CharField(max_length=16, choices=ReminderClaim.Kind.choices)
    session_starts_at = models.DateTimeField()
    due_at = models.DateTimeField()
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "kind", "session_starts_at"], name="one_plan_per_message"
            ),
        ]
        indexes = [
            # The sweep's question: unhandled plans now due.
            models.Index(
                fields=["due_at"], condition=models.Q(handled_at__isnull=True), name="plan_due"
            ),
        ]

    def __str__(self) -> str:
        return f"Planned {self.get_kind_display()}"


class CalendarFeed(models.Model):
    """A private ICS feed. Only a hash of the secret token is stored; revoking ends the URL."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="one_live_feed_per_user"
            ),
        ]

    def __str__(self) -> str:
        return "Calendar feed"
