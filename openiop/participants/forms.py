from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django import forms
from django.core.exceptions import ValidationError

from openiop.accounts.models import User
from openiop.lib.text import invisible_characters
from openiop.participants.matching import Answer, Match
from openiop.participants.models import (
    BreakGlassGrant,
    CareTeamMember,
    DuplicateDecision,
    Participant,
)
from openiop.programs.eligibility import CLINICAL_ROLES, Seat, may_hold, why_not
from openiop.programs.models import Program

STALE_EDIT_MESSAGE = (
    "Someone else changed this chart while you were editing. Your entries are kept below; "
    "check the current values and save again."
)

NAME_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "pronouns",
    "emergency_contact_name",
    "emergency_contact_relationship",
)


class ParticipantForm(forms.ModelForm):
    class Meta:
        model = Participant
        fields = [
            "given_name",
            "family_name",
            "preferred_name",
            "pronouns",
            "date_of_birth",
            "home_state",
            "timezone",
            "phone",
            "email",
            "emergency_contact_name",
            "emergency_contact_phone",
            "emergency_contact_relationship",
        ]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}
        labels = {"home_state": "Home state", "timezone": "Time zone"}

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        for name in NAME_FIELDS:
            value = cleaned.get(name)
            if value and (found := invisible_characters(value)):
                self.add_error(
                    name,
                    "This contains invisible formatting characters ("
                    + ", ".join(found)
                    + ") that can disguise text. Please retype it.",
                )
        return cleaned


class NewParticipantForm(ParticipantForm):
    program = forms.ModelChoiceField(queryset=Program.objects.none())

    class Meta(ParticipantForm.Meta):
        fields = ["program", *ParticipantForm.Meta.fields]

    def __init__(self, *args, programs=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        program_field = self.fields["program"]
        assert isinstance(program_field, forms.ModelChoiceField)
        program_field.queryset = programs if programs is not None else Program.objects.none()


class EditParticipantForm(ParticipantForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta(ParticipantForm.Meta):
        pass

    def clean_version(self) -> int:
        version = self.cleaned_data["version"]
        if self.instance.pk and version != self.instance.version:
            raise ValidationError(STALE_EDIT_MESSAGE)
        return version


class CareTeamMemberForm(forms.Form):
    clinician = forms.ModelChoiceField(queryset=User.objects.none())
    role = forms.ChoiceField(choices=CareTeamMember.Role.choices)
    can_write = forms.BooleanField(required=False, initial=True, label="May change the chart")

    def __init__(self, *args, participant: Participant, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        clinician_field = self.fields["clinician"]
        assert isinstance(clinician_field, forms.ModelChoiceField)
        clinician_field.queryset = (
            User.objects.filter(
                is_active=True,
                role__in=CLINICAL_ROLES,
                program_memberships__program=participant.program,
            )
            .exclude(discipline="")
            .exclude(care_team_roles__participant=participant)
            .distinct()
            .order_by("family_name", "given_name")
        )
        if participant.program is None or not participant.program.peer_specialists_allowed:
            clinician_field.queryset = clinician_field.queryset.exclude(
                discipline=User.Discipline.PEER_SPECIALIST
            )
        self.participant = participant

    def clean_clinician(self) -> User:
        clinician = self.cleaned_data["clinician"]
        program = self.participant.program
        if not may_hold(clinician, Seat.CARE_TEAM, program):
            raise forms.ValidationError(why_not(clinician, Seat.CARE_TEAM, program))
        return clinician


class DuplicateForm(forms.Form):
    """The duplicate prompt: the same person as one of the charts shown, or a different person
    (with a reason). `linkable` says which shown charts "the same person" may choose; the
    page says why the others cannot be (another program's chart)."""

    choice = forms.ChoiceField(
        widget=forms.RadioSelect,
        label="Who is this?",
        error_messages={"required": "Choose whether this is the same person."},
    )
    reason = forms.ChoiceField(
        required=False,
        choices=[("", "Choose a reason"), *DuplicateDecision.Reason.choices],
        label="Why a different person",
        help_text="Required when this is a different person; it is recorded.",
    )
    compared = forms.CharField(widget=forms.HiddenInput, required=False)
    hidden = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(
        self, *args: Any, matches: list[Match], linkable: list[Match], **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "duplicate")
        shown = [m for m in matches if m.visible]
        kwargs.setdefault(
            "initial",
            {
                "compared": ",".join(str(m.participant.code) for m in shown),
                "hidden": sum(1 for m in matches if not m.visible),
            },
        )
        super().__init__(*args, **kwargs)
        choice = self.fields["choice"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [
            (f"same:{m.participant.code}", f"The same person as {m.participant.full_name}")
            for m in linkable
        ] + [("different", DuplicateDecision.Decision.DIFFERENT_PERSON.label)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("choice") == "different" and not cleaned.get("reason"):
            self.add_error("reason", "Choose why this is a different person.")
        return cleaned

    def answer(self) -> Answer:
        choice = self.cleaned_data["choice"]
        if choice.startswith("same:"):
            return Answer(
                decision=DuplicateDecision.Decision.SAME_PERSON, same_as=choice.split(":", 1)[1]
            )
        compared = self.cleaned_data.get("compared") or ""
        return Answer(
            decision=DuplicateDecision.Decision.DIFFERENT_PERSON,
            reason=self.cleaned_data["reason"],
            compared=frozenset(c for c in compared.split(",") if c),
            hidden=self.cleaned_data.get("hidden") or 0,
        )


def duplicate_answer(data: Any, *, matches: list[Match], linkable: list[Match]) -> Answer | None:
    """The answer posted with a form that showed the prompt, or None when none was posted."""
    if data is None or "duplicate-hidden" not in data:
        return None
    form = DuplicateForm(data, matches=matches, linkable=linkable)
    return form.answer() if form.is_valid() else None


class EmergencySearchForm(forms.Form):
    """Find one chart for emergency access: its code, or the full name and date of birth."""

    given_name = forms.CharField(label="Given name", max_length=150, required=False)
    family_name = forms.CharField(label="Family name", max_length=150, required=False)
    date_of_birth = forms.DateField(
        label="Date of birth", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    chart_code = forms.UUIDField(
        label="Or the chart code",
        required=False,
        help_text="The code at the end of the chart's address, if you have it.",
    )

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if cleaned.get("chart_code"):
            return cleaned
        missing = [
            name
            for name in ("given_name", "family_name", "date_of_birth")
            if not cleaned.get(name) and name not in self.errors
        ]
        for name in missing:
            self.add_error(
                name,
                f"Enter the {self.fields[name].label.lower()} exactly as on the chart, "  # type: ignore[union-attr]
                "or the chart code.",
            )
        return cleaned


class BreakGlassForm(forms.Form):
    """The reason and a fresh proof of identity: the password, and a TOTP code when the user
    has an authenticator app (ASVS 7.5.3: re-authenticate for highly sensitive operations)."""

    reason = forms.CharField(
        label="Why do you need this chart now?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=(
            "Say what the emergency is. The privacy officer reads this; it is kept with the "
            "access, not copied anywhere else."
        ),
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_code = forms.CharField(
        label="Code from your authenticator app",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.totp = _totp_of(user)
        if self.totp is None:
            del self.fields["otp_code"]

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if len(reason) < BreakGlassGrant.REASON_MIN_LENGTH:
            raise ValidationError(
                "Say why you need this chart now, in at least "
                f"{BreakGlassGrant.REASON_MIN_LENGTH} characters."
            )
        return reason

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That password is not right.")
        return password

    def clean_otp_code(self) -> str:
        code = self.cleaned_data["otp_code"].replace(" ", "")
        if self.totp is None or not self.totp.validate_code(code):
            raise ValidationError(
                "That code is not right, or was already used. Wait for a new one."
            )
        return code


def _totp_of(user: User) -> Any:
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return TOTP(authenticator) if authenticator is not None else None
