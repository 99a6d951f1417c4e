"""Forms of the rota page: a weekly shift, an override, the program's safety policy.

People are chosen among the program's staff; someone who may not hold the on-call seat is
refused with the reason from openiop.programs.eligibility, and the lists offer only people who
may. Overlaps are allowed (two people on call is a choice, e.g. a trainee beside a senior) and
warned about on the page; gaps are warned about too.
"""

from datetime import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from openiop.accounts.models import User
from openiop.lib.recurrence import AmbiguousLocalTime, NonexistentLocalTime, localize
from openiop.programs.eligibility import CLINICAL_ROLES, Seat, may_hold, why_not
from openiop.programs.models import Program
from openiop.safety.acuity import RULES
from openiop.safety.crisis_language import normalise
from openiop.safety.models import Acuity, OnCallShift, SafetyPolicy

NOT_IN_PROGRAM = "Choose someone who works in this program."
DEFAULT_BUSINESS_DAYS = [1, 2, 3, 4, 5]


def program_staff(program: Program) -> QuerySet[User]:
    """Everyone with a place in the program's staff (the forms then check the seat)."""
    return (
        User.objects.filter(program_memberships__program=program)
        .distinct()
        .order_by("family_name", "given_name", "id")
    )


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def _person_field(program: Program, label: str, *, eligible: bool = True) -> PersonField:
    staff = program_staff(program)
    field = PersonField(
        queryset=staff, label=label, error_messages={"invalid_choice": NOT_IN_PROGRAM}
    )
    if eligible:
        offered = [user for user in staff if may_hold(user, Seat.ON_CALL, program)]
        field.choices = [("", "Choose a person")] + [(u.pk, u.display_name) for u in offered]
    return field


class _SeatForm(forms.Form):
    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["clinician"] = _person_field(program, "Who is on call")
        self.order_fields(["clinician"])

    def clean_clinician(self) -> User:
        user: User = self.cleaned_data["clinician"]
        if not may_hold(user, Seat.ON_CALL, self.program):
            raise forms.ValidationError(why_not(user, Seat.ON_CALL, self.program))
        return user


class ShiftForm(_SeatForm):
    weekday = forms.TypedChoiceField(choices=OnCallShift.Weekday.choices, coerce=int, label="Day")
    starts_at = forms.TimeField(
        label="From", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends_at = forms.TimeField(
        label="To", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    overnight = forms.BooleanField(
        required=False,
        label="Runs overnight (ends the next day)",
        help_text="A shift ending at its own start time lasts 24 hours.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts is None or ends is None:
            return data
        if ends <= starts and not data.get("overnight"):
            self.add_error(
                "ends_at",
                "The shift ends before it starts. Tick “Runs overnight” if it ends the next day.",
            )
        elif ends > starts and data.get("overnight"):
            self.add_error(
                "overnight",
                "An overnight shift ends the next day, at or before its start time.",
            )
        return data


class LocalDateTimeField(forms.CharField):
    """A date and time typed on the program's wall clock (the browser's datetime-local)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"})

    def to_python(self, value: Any) -> datetime | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            wall = datetime.fromisoformat(text.replace(" ", "T"))
        except ValueError as exc:
            raise forms.ValidationError("Enter a date and time, like 2026-03-16 17:00.") from exc
        if wall.tzinfo is not None:
            raise forms.ValidationError("Enter the time without a time zone.")
        return wall.replace(second=0, microsecond=0)


class OverrideForm(_SeatForm):
    starts_at = LocalDateTimeField(label="From")
    ends_at = LocalDateTimeField(label="To")
    reason = forms.CharField(
        required=False,
        max_length=200,
        label="Reason (optional)",
        help_text="E.g. leave or a swap; no participant details.",
    )

    def _aware(self, name: str, fold: int) -> datetime | None:
        wall = self.cleaned_data.get(name)
        if wall is None:
            return None
        try:
            return localize(wall, self.program.timezone)
        except NonexistentLocalTime as exc:
            self.add_error(name, str(exc))
            return None
        except AmbiguousLocalTime:
            # The hour the clocks repeat: the cover starts at the first and ends at the
            # second, so the override covers the whole repeated hour rather than too little.
            return localize(wall, self.program.timezone, fold=fold)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = self._aware("starts_at", 0), self._aware("ends_at", 1)
        if starts is None or ends is None:
            return data
        if ends <= starts:
            self.add_error("ends_at", "The override must end after it starts.")
        elif ends <= timezone.now():
            self.add_error("ends_at", "This override would already be over.")
        data["starts_at"], data["ends_at"] = starts, ends
        return data


ACUITY_CHOICES = [(str(a.value), a.label) for a in sorted(Acuity, reverse=True)]


class PolicyForm(forms.Form):
    emergency_minutes = forms.IntegerField(
        min_value=1, max_value=120, label="Emergency: minutes to acknowledge"
    )
    high_minutes = forms.IntegerField(
        min_value=1, max_value=24 * 60, label="High: minutes to acknowledge"
    )
    business_day_ends_at = forms.TimeField(
        label="Business day ends at",
        help_text="Elevated alerts are due by this time on the next business day.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    business_days = forms.TypedMultipleChoiceField(
        choices=OnCallShift.Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label="Business days",
    )
    crisis_phrases = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="More crisis phrases, one per line",
        help_text="Added to OpenIOP's default list (docs/safety.md). A message or peer post "
        "containing one raises a safety alert; a peer post is also held for a moderator.",
    )

    def __init__(self, *args: Any, program: Program, policy: SafetyPolicy, **kwargs: Any):
        kwargs.pop("initial", None)
        rules = policy.acuity_rules or {}
        initial = {
            "emergency_minutes": policy.emergency_minutes,
            "high_minutes": policy.high_minutes,
            "business_day_ends_at": policy.business_day_ends_at,
            "business_days": policy.business_days or DEFAULT_BUSINESS_DAYS,
            "backup": policy.backup_id,
            "crisis_phrases": policy.crisis_phrases,
            **{f"rule_{key}": str(rules.get(key, "")) for key in RULES},
        }
        kwargs["initial"] = initial
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.program = program
        backups = program_staff(program).filter(is_active=True, role__in=CLINICAL_ROLES)
        self.fields["backup"] = PersonField(
            queryset=backups,
            required=False,
            label="Backup after the director",
            empty_label="Nobody",
            help_text="An active clinician or director of this program.",
            error_messages={
                "invalid_choice": "The backup must be an active clinician or director of this "
                "program."
            },
        )
        for key, (default, meaning) in RULES.items():
            self.fields[f"rule_{key}"] = forms.ChoiceField(
                choices=[("", f"Default ({default.label})"), *ACUITY_CHOICES],
                required=False,
                label=meaning,
            )

    def clean_crisis_phrases(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["crisis_phrases"].splitlines()]
        too_short = [line for line in lines if line and len(normalise(line)) < 3]
        if too_short:
            raise forms.ValidationError(
                f"Too short to be a phrase (it would match ordinary words): {too_short[0]}"
            )
        return "\n".join(line for line in lines if line)

    def rule_fields(self) -> list[forms.BoundField]:
        return [self[f"rule_{key}"] for key in RULES]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "emergency_minutes": data["emergency_minutes"],
            "high_minutes": data["high_minutes"],
            "business_day_ends_at": data["business_day_ends_at"],
            "business_days": sorted(data["business_days"]),
            "backup": data["backup"],
            "crisis_phrases": data["crisis_phrases"],
            "acuity_rules": {
                key: int(data[f"rule_{key}"]) for key in RULES if data.get(f"rule_{key}")
            },
        }
