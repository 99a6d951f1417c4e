import uuid
import zoneinfo

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone as django_timezone

from openiop.lib.phone import PhoneField
from openiop.lib.states import STATE_CHOICES
from openiop.lib.text import normalize_email


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("Choose a time zone from the list (for example America/New_York).")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email=normalize_email(username or ""))

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("role", User.Role.ADMINISTRATOR)
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a participant, a participant's parent or guardian, or a member
    of staff.

    `is_staff` keeps Django's meaning (may open the admin site) and is only for administrators;
    `is_staff_member` is OpenIOP's "works for the program". A guardian is neither staff nor a
    participant: they see only the guardian portal (docs/consent.md).
    """

    class Role(models.TextChoices):
        PARTICIPANT = "participant", "Participant"
        CLINICIAN = "clinician", "Clinician"
        INTAKE_COORDINATOR = "intake_coordinator", "Intake coordinator"
        PROGRAM_DIRECTOR = "program_director", "Program director"
        ADMINISTRATOR = "administrator", "Administrator"
        GUARDIAN = "guardian", "Parent or guardian"

    class Discipline(models.TextChoices):
        PSYCHIATRIST = "psychiatrist", "Psychiatrist"
        PSYCHOLOGIST = "psychologist", "Psychologist"
        SOCIAL_WORKER = "social_worker", "Social worker"
        COUNSELOR = "counselor", "Counselor"
        NURSE = "nurse", "Nurse"
        PEER_SPECIALIST = "peer_specialist", "Peer specialist"
        CASE_MANAGER = "case_manager", "Case manager"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    given_name = models.CharField(max_length=150)
    family_name = models.CharField(max_length=150)
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.PARTICIPANT)
    discipline = models.CharField(max_length=32, choices=Discipline.choices, blank=True)
    credentials = models.CharField(
        max_length=100, blank=True, help_text="Degrees and licences, e.g. PsyD, LCSW."
    )
    timezone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_timezone]
    )
    # The language their pages, reminders and notices are in (settings.LANGUAGES; chosen with
    # the switch in the page header). Questionnaires stay in English unless an official
    # translation is held (docs/i18n.md).
    language = models.CharField(
        max_length=8,
        choices=[("en", "English"), ("es", "Español")],
        default="en",
    )
    # A supervisee's notes need this clinician's co-signature where the program requires it.
    supervisor = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="supervisees"
    )
    # Staff only: where urgent safety notices go by text (they carry no PHI).
    mobile_phone = PhoneField(blank=True, help_text="For urgent safety notices by text message.")
    # 45 CFR 164.312(a)(2)(ii): someone reviews every emergency ("break-the-glass") access.
    privacy_officer = models.BooleanField(
        default=False,
        help_text="Told at once of every emergency (break-the-glass) access; reads their report.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May open the admin site.")
    date_joined = models.DateTimeField(default=django_timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["given_name", "family_name"]

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["participant", "guardian"]) | models.Q(discipline=""),
                name="participant_has_no_discipline",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="participant") | models.Q(privacy_officer=False),
                name="participant_is_no_privacy_officer",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    @property
    def display_name(self) -> str:
        name = f"{self.given_name} {self.family_name}".strip()
        if self.credentials:
            return f"{name}, {self.credentials}"
        return name

    @property
    def is_staff_member(self) -> bool:
        return self.role not in NOT_STAFF_ROLES

    @property
    def is_participant(self) -> bool:
        return self.role == self.Role.PARTICIPANT

    @property
    def is_guardian(self) -> bool:
        return self.role == self.Role.GUARDIAN

    @property
    def is_mental_health_professional(self) -> bool:
        """May keep psychotherapy notes: a clinician or director of a clinical discipline."""
        return (
            self.is_active
            and self.role in (self.Role.CLINICIAN, self.Role.PROGRAM_DIRECTOR)
            and self.discipline in MENTAL_HEALTH_DISCIPLINES
        )

    def licensed_states(self) -> set[str]:
        today = django_timezone.localdate()
        return {
            lic.state
            for lic in self.licenses.all()
            if lic.expires_on is None or lic.expires_on >= today
        }

    def is_licensed_in(self, state: str) -> bool:
        return state in self.licensed_states()


# People who sign in to the portal rather than work for a program: no staff pages, no MFA
# requirement, the participant's idle timeout.
NOT_STAFF_ROLES = frozenset({User.Role.PARTICIPANT, User.Role.GUARDIAN})


class StateLicense(models.Model):
    """A clinician's licence to practise in one US state (telehealth follows the patient)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="licenses")
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    number = models.CharField(max_length=64, blank=True)
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "state"], name="one_license_per_state"),
        ]

    def __str__(self) -> str:
        return f"{self.state} licence"


# 45 CFR 164.501: psychotherapy notes are recorded "by a health care provider who is a mental
# health professional". Peer specialists and case managers support care but do not provide
# psychotherapy; nurses are included for psychiatric-mental-health nurses.
MENTAL_HEALTH_DISCIPLINES = frozenset(
    {
        User.Discipline.PSYCHIATRIST,
        User.Discipline.PSYCHOLOGIST,
        User.Discipline.SOCIAL_WORKER,
        User.Discipline.COUNSELOR,
        User.Discipline.NURSE,
    }
)
