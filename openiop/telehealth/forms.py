import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from openiop.lib.phone import PhoneFormField
from openiop.lib.states import STATE_CHOICES
from openiop.lib.text import invisible_characters

from .crisis import NUMBERS
from .models import GuestInvite


class LocationForm(forms.Form):
    """Where the participant is right now (CLINICAL.md §4.3), asked before every session."""

    location = forms.CharField(
        label=_("Where are you right now?"),
        max_length=200,
        help_text=_("A street address, or at least the city."),
    )
    location_state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("Choose a state")), *STATE_CHOICES],
        error_messages={"invalid_choice": _("Choose a US state or territory from the list.")},
    )
    callback_phone = PhoneFormField(
        label=_("A phone number where we can reach you during the session"),
        help_text=_("Used only if the video connection drops or we are worried about you."),
    )
    private_place = forms.TypedChoiceField(
        label=_("Are you in a private place where others cannot overhear?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
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


# Letters (any script) in one or a few words joined by a space, hyphen or apostrophe: a first
# name, never an email address or a number.
FIRST_NAME = re.compile(r"[^\W\d_]+(?:[ '\-\u2019.][^\W\d_]+)*\.?")


class GuestInviteForm(forms.Form):
    role = forms.ChoiceField(
        label="Who are you inviting?",
        choices=GuestInvite.Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who you are inviting."},
    )
    display_name = forms.CharField(
        label="Their first name",
        max_length=30,
        help_text="First name only: everyone in the session sees it with the role.",
        error_messages={"required": "Enter their first name."},
    )
    email = forms.EmailField(
        label="Email the link to (optional)",
        required=False,
        help_text="Used once to send the link; not stored.",
    )
    phone = PhoneFormField(
        label="Text the link to (optional)",
        required=False,
        help_text="A mobile number. Used once to send the link; not stored.",
    )

    def clean_display_name(self) -> str:
        value = unicodedata.normalize("NFC", self.cleaned_data["display_name"].strip())
        if found := invisible_characters(value):
            raise forms.ValidationError(
                "This contains invisible formatting characters ("
                + ", ".join(found)
                + ") that can disguise text. Please retype it."
            )
        if not FIRST_NAME.fullmatch(value):
            raise forms.ValidationError(
                "Enter a first name only: letters, with a space, hyphen or apostrophe if needed."
            )
        return value


class GuestConsentForm(forms.Form):
    agree = forms.BooleanField(
        label=_("I agree"),
        error_messages={"required": _("Tick “I agree” to join the session.")},
    )
