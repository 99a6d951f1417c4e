"""Forms of the signing and review pages."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MinValueValidator, RegexValidator

from openiop.careplans.models import PlanSignature
from openiop.careplans.reviews import REVIEW_REASONS
from openiop.careplans.signatures import ATTESTATIONS

SHA256_HEX = RegexValidator(r"^[0-9a-f]{64}$", "Open the plan again before you sign.")


class SignForm(forms.Form):
    """A staff signature; the page shows one per role the viewer may sign (prefixed by role)."""

    typed_name = forms.CharField(
        label="Type your full name",
        max_length=150,
        widget=forms.TextInput({"autocomplete": "name"}),
    )
    attest = forms.BooleanField(label="")
    certified_weekly_hours = forms.DecimalField(
        label="Weekly hours of treatment you certify",
        max_digits=4,
        decimal_places=1,
        required=False,
        validators=[MinValueValidator(Decimal("0"))],
        widget=forms.NumberInput({"step": "0.5", "inputmode": "decimal"}),
    )
    signed_hash = forms.CharField(widget=forms.HiddenInput, validators=[SHA256_HEX])

    def __init__(
        self, data: Any = None, *, role: str, minimum_hours: Decimal | None = None, **kwargs: Any
    ):
        super().__init__(data, prefix=role, **kwargs)
        self.role = role
        if role == PlanSignature.Role.PHYSICIAN:
            self.fields[
                "attest"
            ].label = (
                "I have reviewed this plan and I certify the weekly hours below (42 CFR 424.24(d))."
            )
            self.fields["certified_weekly_hours"].required = True
            self.fields["certified_weekly_hours"].help_text = (
                f"At least {minimum_hours}, the program's weekly minimum." if minimum_hours else ""
            )
        else:
            self.fields["attest"].label = ATTESTATIONS[PlanSignature.Role(role)]
            del self.fields["certified_weekly_hours"]
        self.fields["attest"].error_messages["required"] = "Tick the statement to sign."

    @property
    def heading(self) -> str:
        if self.role == PlanSignature.Role.PHYSICIAN:
            return "Sign and certify as physician"
        return "Sign as primary clinician"


class ParticipantSignForm(forms.Form):
    agree = forms.BooleanField(
        label=ATTESTATIONS[PlanSignature.Role.PARTICIPANT].rstrip("."),
        error_messages={"required": "Tick the box to say you agree with the plan."},
    )
    typed_name = forms.CharField(
        label="Type your full name",
        max_length=150,
        widget=forms.TextInput({"autocomplete": "name"}),
        error_messages={"required": "Type your full name to sign."},
    )
    signed_hash = forms.CharField(widget=forms.HiddenInput, validators=[SHA256_HEX])


class StartReviewForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is the plan being reviewed?",
        choices=[(r.value, r.label) for r in REVIEW_REASONS],
    )
