import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from openiop.accounts.models import User, validate_timezone
from openiop.lib.phone import PhoneField
from openiop.lib.recurrence import RecurrenceError, WeeklyBlock, expand
from openiop.programs.eligibility import Seat, may_hold, why_not

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Program(models.Model):
    """A treatment program at one level of care, e.g. "Adult Mental Health IOP"."""

    class LevelOfCare(models.TextChoices):
        OP = "op", "Outpatient"
        IOP = "iop", "Intensive outpatient"
        PHP = "php", "Partial hospitalization"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=150)
    level_of_care = models.CharField(
        max_length=8, choices=LevelOfCare.choices, default=LevelOfCare.IOP
    )
    timezone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_timezone]
    )
    # A program that holds itself out as providing SUD treatment is a 42 CFR Part 2 program:
    # every note written in it carries the Part 2 label (consent app: the disclosure rules).
    part2_program = models.BooleanField(
        "42 CFR Part 2 program",
        default=False,
        help_text="Provides substance use disorder treatment: its records are Part 2 records.",
    )
    # ASAM 2.1: adult IOP >= 9 h/week, adolescent >= 6 h/week; PHP >= 20 h/week (CLINICAL.md §0).
    weekly_minimum_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("9.0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    daily_minimum_hours = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        default=Decimal("3.0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    typical_length_weeks = models.PositiveSmallIntegerField(default=8)
    min_age = models.PositiveSmallIntegerField(default=18)
    peer_specialists_allowed = models.BooleanField(
        default=True,
        help_text="Peer specialists may sit on care teams and co-facilitate groups.",
    )
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    # Adolescent programs: a parent or guardian may get a scoped portal login (docs/consent.md).
    allows_guardians = models.BooleanField(
        default=False,
        help_text="Staff may invite a participant's parent or guardian to the portal.",
    )
    # Treatment plans (CLINICAL.md §5.3): many state and payer IOP rules ask for 30-day reviews.
    plan_review_days = models.PositiveSmallIntegerField(
        default=30, help_text="Days between treatment plan reviews."
    )
    # Medicare IOP: a physician certifies the need for at least 9 hours a week (42 CFR 424.24(d)).
    requires_physician_certification = models.BooleanField(
        default=False, help_text="A physician must certify each plan's weekly hours."
    )
    requires_cosignature = models.BooleanField(
        default=False,
        help_text="Notes by supervisees and peer specialists need a supervisor's co-signature.",
    )
    # Timeliness is configurable (CLINICAL.md §5.1: commonly 24-72 h).
    note_due_hours = models.PositiveSmallIntegerField(
        default=72, help_text="Hours after a session within which its note should be signed."
    )
    # What a participant is told to call when they cannot join, or after hours (issue 13).
    phone = PhoneField(
        blank=True, help_text="The program's front desk, shown to participants who need to call."
    )
    after_hours_message = models.TextField(
        blank=True,
        max_length=1000,
        help_text="Shown to participants outside program hours, e.g. who answers the phone.",
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ProgramMembership", related_name="programs"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_age__isnull=True)
                | models.Q(max_age__gte=models.F("min_age")),
                name="program_age_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProgramMembership(models.Model):
    """A member of staff's place in a program."""

    class Role(models.TextChoices):
        DIRECTOR = "director", "Director"
        STAFF = "staff", "Staff"
        ON_CALL = "on_call", "On-call clinician"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "user", "role"], name="one_membership_per_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} of {self.program}"

    def clean(self) -> None:
        """A membership grants program-wide access, so the person must fit the role."""
        super().clean()
        if self.user_id is None or self.program_id is None:
            return
        user = self.user
        if self.role == self.Role.ON_CALL and not may_hold(user, Seat.ON_CALL, self.program):
            raise ValidationError({"user": why_not(user, Seat.ON_CALL, self.program)})
        if self.role == self.Role.DIRECTOR and user.role != User.Role.PROGRAM_DIRECTOR:
            raise ValidationError({"user": "Only a program director can direct a program."})
        if not user.is_staff_member:
            raise ValidationError({"user": "A participant cannot be a member of program staff."})


class Track(models.Model):
    """A weekly block template, e.g. "Evening DBT, Mon/Wed/Thu 18:00-21:00".

    Blocks are local wall times in the program's timezone plus an RFC 5545 weekly rule; they are
    expanded per date (openiop.lib.recurrence) so sessions keep their local time across DST.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="tracks")
    name = models.CharField(max_length=150)
    starts_on = models.DateField(help_text="First week the template runs.")
    is_active = models.BooleanField(default=True)
    # Blank or empty: the program's own setting applies (Program.level_of_care, ...).
    level_of_care = models.CharField(
        max_length=8, choices=Program.LevelOfCare.choices, blank=True, default=""
    )
    weekly_minimum_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    daily_minimum_hours = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    typical_length_weeks = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="track_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_level_of_care(self) -> str:
        return self.level_of_care or self.program.level_of_care

    @property
    def effective_weekly_minimum_hours(self) -> Decimal:
        if self.weekly_minimum_hours is None:
            return self.program.weekly_minimum_hours
        return self.weekly_minimum_hours

    @property
    def effective_daily_minimum_hours(self) -> Decimal:
        if self.daily_minimum_hours is None:
            return self.program.daily_minimum_hours
        return self.daily_minimum_hours

    @property
    def effective_length_weeks(self) -> int:
        if self.typical_length_weeks is None:
            return self.program.typical_length_weeks
        return self.typical_length_weeks

    def weekly_blocks(self) -> list[WeeklyBlock]:
        return [block.as_weekly_block(self.starts_on) for block in self.blocks.all()]


class TrackBlock(models.Model):
    """One line of a track's template: the days (RRULE) and the local start and end time."""

    class Fold(models.IntegerChoices):
        FIRST = 0, "The first (before the clocks go back)"
        SECOND = 1, "The second (after the clocks go back)"

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="blocks")
    rule = models.CharField(max_length=200, help_text="RFC 5545, e.g. FREQ=WEEKLY;BYDAY=MO,WE,TH")
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    # Only meaningful for wall times that happen twice on the fall-back day: an explicit choice.
    fold = models.PositiveSmallIntegerField(choices=Fold.choices, null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="track_block_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"

    def clean(self) -> None:
        """Refuse a rule that cannot be read, yields nothing, or meets a DST gap or an
        unchosen ambiguous time in its first year."""
        super().clean()
        if self.track_id is None and not hasattr(self, "track"):
            return
        track = self.track
        try:
            expand(
                self.as_weekly_block(track.starts_on),
                track.program.timezone,
                first_day=track.starts_on,
                last_day=track.starts_on + timedelta(days=365),
            )
        except RecurrenceError as error:
            raise ValidationError(str(error)) from error

    @property
    def weekdays(self) -> list[str]:
        """The rule's BYDAY codes in week order ("MO", "WE", ...); every day for a rule
        without BYDAY (a weekly rule then repeats on its first day only, but overlap checks
        stay on the safe side)."""
        for part in self.rule.upper().split(";"):
            key, _, value = part.partition("=")
            if key.strip() == "BYDAY":
                days = {day.strip()[-2:] for day in value.split(",") if day.strip()}
                return [day for day in WEEKDAY_CODES if day in days]
        return list(WEEKDAY_CODES)

    @property
    def summary(self) -> str:
        """ "Mon, Wed, Thu 18:00-21:00": local wall times of the program's zone."""
        days = ", ".join(WEEKDAY_NAMES[WEEKDAY_CODES.index(day)] for day in self.weekdays)
        return f"{days} {self.starts_at:%H:%M}\u2013{self.ends_at:%H:%M}"

    def overlaps(self, other: "TrackBlock") -> bool:
        """Same weekday and intersecting wall times (touching ends do not overlap)."""
        if not set(self.weekdays) & set(other.weekdays):
            return False
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at

    def as_weekly_block(self, starts_on: date) -> WeeklyBlock:
        return WeeklyBlock(
            rule=self.rule,
            starts_on=starts_on,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            fold=self.fold,
        )


class Group(models.Model):
    """An open (rolling) group running a track's sessions: members join any week.

    `seated_count` is kept by the seating actions under a row lock on the group; the database
    refuses any write that would put it above `capacity`, so no code path can overbook.
    """

    DEFAULT_CAPACITY = 12  # DESIGN.md: groups of 6-12

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=150)
    capacity = models.PositiveSmallIntegerField(default=DEFAULT_CAPACITY)
    hard_cap = models.PositiveSmallIntegerField(
        default=DEFAULT_CAPACITY, help_text="The most seats this group may ever be given."
    )
    seated_count = models.PositiveSmallIntegerField(default=0, editable=False)
    curriculum_starts_on = models.DateField(
        help_text="Week in which the first curriculum topic is taught."
    )
    is_active = models.BooleanField(default=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="GroupFacilitator", related_name="facilitated_groups"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1) & models.Q(capacity__lte=models.F("hard_cap")),
                name="group_capacity_within_hard_cap",
            ),
            models.CheckConstraint(
                condition=models.Q(seated_count__lte=models.F("capacity")),
                name="group_never_overbooked",
            ),
            models.UniqueConstraint(fields=["track", "name"], name="group_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def seats_free(self) -> int:
        return max(0, self.capacity - self.seated_count)

    def topic_for(self, day: date) -> "CurriculumTopic | None":
        """The topic taught in `day`'s week: topics rotate weekly, so anyone can join any week."""
        topics = list(self.topics.all())
        if not topics:
            return None
        anchor = self.curriculum_starts_on - timedelta(days=self.curriculum_starts_on.weekday())
        week = (day - anchor).days // 7
        return topics[week % len(topics)]


class GroupFacilitator(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "Lead facilitator"
        CO_FACILITATOR = "co_facilitator", "Co-facilitator"
        PEER = "peer", "Peer specialist"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="facilitator_roles")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="facilitator_roles"
    )
    role = models.CharField(max_length=16, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "clinician"], name="one_role_per_facilitator"),
            models.UniqueConstraint(
                fields=["group"], condition=models.Q(role="lead"), name="one_lead_per_group"
            ),
        ]

    def __str__(self) -> str:
        return self.get_role_display()

    def clean(self) -> None:
        """Facilitators are clinical staff; the lead is a licensed clinician, co-facilitators
        and peers need no licence."""
        super().clean()
        if self.clinician_id is None or self.group_id is None:
            return
        clinician = self.clinician
        program = self.group.track.program
        if not may_hold(clinician, Seat.FACILITATOR, program):
            raise ValidationError({"clinician": why_not(clinician, Seat.FACILITATOR, program)})
        if self.role != self.Role.LEAD:
            return
        if (
            clinician.role not in (User.Role.CLINICIAN, User.Role.PROGRAM_DIRECTOR)
            or clinician.discipline == User.Discipline.PEER_SPECIALIST
            or not clinician.licensed_states()
        ):
            raise ValidationError(
                {"clinician": "A group's lead facilitator must be a licensed clinician."}
            )


class CurriculumTopic(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="topics")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=150)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["group", "position"], name="topic_position_unique"),
        ]

    def __str__(self) -> str:
        return self.title
