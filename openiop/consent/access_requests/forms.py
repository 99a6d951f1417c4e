from datetime import date

from django import forms

from openiop.consent.models import AccessRequest


class NewRequestForm(forms.Form):
    requester_name = forms.CharField(
        label="Who asked",
        max_length=200,
        help_text="The person's name, and their firm or relationship if not the participant.",
    )
    requester_kind = forms.ChoiceField(
        label="They are", choices=AccessRequest.RequesterKind.choices, widget=forms.RadioSelect
    )
    received_on = forms.DateField(
        label="Received on",
        help_text="The 30 days count from this day.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    format = forms.ChoiceField(
        label="Format asked for", choices=AccessRequest.Format.choices, widget=forms.RadioSelect
    )
    delivery = forms.ChoiceField(
        label="How to deliver it", choices=AccessRequest.Delivery.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: object, today: date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.today = today

    def clean_received_on(self) -> date:
        received: date = self.cleaned_data["received_on"]
        if received > self.today:
            raise forms.ValidationError("The day received cannot be in the future.")
        return received


class ExtendForm(forms.Form):
    prefix = "extend"
    reason = forms.ChoiceField(
        label="Reason for the extension",
        choices=AccessRequest.ExtensionReason.choices,
        widget=forms.RadioSelect,
        help_text="Tell the requester in writing, with the new date, before the first deadline.",
    )


class DenyForm(forms.Form):
    prefix = "deny"
    reason = forms.ChoiceField(
        label="Reason for the denial",
        choices=AccessRequest.DenialReason.choices,
        widget=forms.RadioSelect,
        help_text="Tell the requester in writing, with how to ask for a review where one applies.",
    )
