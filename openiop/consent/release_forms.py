from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from openiop.consent.models import Purpose, Scope

# A release for use in legal proceedings against the participant is its own consent under
# 42 CFR 2.64/2.65 and cannot be combined with others (CLINICAL.md §6.5): not offered here.
RELEASE_PURPOSES = [(p.value, p.label) for p in Purpose if p != Purpose.LEGAL]


class ReleaseForm(forms.Form):
    """A participant's release of information. Every field but the address of a recipient
    the program knows is required; the expiry date above all (42 CFR 2.31(a)(7))."""

    recipient_name = forms.CharField(
        label="Who should receive your records",
        max_length=200,
        help_text="A person or an organization, e.g. your family doctor's practice.",
    )
    recipient_address = forms.CharField(
        label="Their address",
        max_length=300,
        help_text="Where the records go: a postal or secure email address.",
    )
    purpose = forms.ChoiceField(label="Why they need them", choices=RELEASE_PURPOSES)
    scope = forms.ChoiceField(label="What to send", choices=Scope.choices, widget=forms.RadioSelect)
    includes_part2 = forms.BooleanField(
        label="Include substance use (Part 2) records",
        required=False,
        help_text=(
            "Records of substance use treatment are protected by federal law (42 CFR Part 2). "
            "They are sent only if you tick this box."
        ),
    )
    expires_on = forms.DateField(
        label="This release ends on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Required. After this day nothing more is sent under it.",
        error_messages={
            "required": "A release needs an expiry date: choose the day it should end.",
            "invalid": "Enter the expiry date as a date, e.g. 2027-06-30.",
        },
    )
    signed_name = forms.CharField(
        label="Type your full name to sign", max_length=200, help_text="Your typed signature."
    )
    agree = forms.BooleanField(
        label="I have read the release above and agree to it",
        error_messages={"required": "Tick the box to agree, or leave this page to cancel."},
    )

    def clean_expires_on(self) -> date:
        expires_on: date = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if expires_on < today:
            raise forms.ValidationError("The expiry date has passed: choose today or later.")
        # Ten years, counted in days: replace(year=) fails on 29 February.
        if expires_on > today + timedelta(days=3653):
            raise forms.ValidationError("Choose an expiry date within the next ten years.")
        return expires_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("recipient_name", "recipient_address", "signed_name"):
            if name in cleaned and not cleaned[name].strip():
                self.add_error(name, "This field is required.")
        return cleaned
