import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from openiop.accounts.models import validate_timezone


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
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
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
