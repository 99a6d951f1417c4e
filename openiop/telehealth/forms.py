from django import forms

from openiop.lib.phone import PhoneFormField
from openiop.lib.states import STATE_CHOICES

from .crisis import NUMBERS


class LocationForm(forms.Form):
    """Where the participant is right now (CLINICAL.md §4.3), asked before every session."""

    location = forms.CharField(
        label="Where are you right now?",
        max_length=200,
        help_text="A street address, or at least the city.",
    )
    location_state = forms.ChoiceField(
        label="State",
        choices=[("", "Choose a state"), *STATE_CHOICES],
        error_messages={"invalid_choice": "Choose a US state or territory from the list."},
    )
    callback_phone = PhoneFormField(
        label="A phone number where we can reach you during the session",
        help_text="Used only if the video connection drops or we are worried about you.",
    )
    private_place = forms.TypedChoiceField(
        label="Are you in a private place where others cannot overhear?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class CorrectionForm(forms.Form):
    minutes = forms.IntegerField(label="Minutes attended", min_value=0, max_value=24 * 60)
    reason = forms.CharField(label="Reason for the correction", max_length=300)


class PresenceForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(k, k) for k in ("joined", "heartbeat", "lost", "left")],
    )


class CallForm(forms.Form):
    """Which number a facilitator dialled from the crisis card (its code, never the number)."""

    number = forms.ChoiceField(choices=[(k, v) for k, v in NUMBERS.items()])
