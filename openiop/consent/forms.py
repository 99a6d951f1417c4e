"""Forms of the consent app: signing and editing consents, accepting invitations.

The actions re-check everything; these give clear messages."""

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from openiop.accounts.models import User

from .actions.consents import BODY_LIMIT, TITLE_LIMIT


class TextForm(forms.Form):
    """A director's edit of one consent text (saved as a new version)."""

    title = forms.CharField(label="Title", max_length=TITLE_LIMIT)
    body = forms.CharField(
        label="Text",
        max_length=BODY_LIMIT,
        strip=False,
        widget=forms.Textarea({"rows": 24}),
        help_text="Plain words, short sentences. Saving publishes a new version: "
        "signatures keep the version they signed.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class SignForm(forms.Form):
    """A participant's signature: the text version shown, a typed name and a ticked box."""

    text = forms.UUIDField(widget=forms.HiddenInput)
    signed_name = forms.CharField(
        label=_("Type your full name"),
        max_length=200,
        widget=forms.TextInput({"autocomplete": "name", "autocapitalize": "words"}),
        error_messages={"required": _("Type your full name to sign.")},
    )
    agree = forms.BooleanField(
        label=_("I have read and agree to this consent"),
        error_messages={
            "required": _("Tick the box to say you have read and agree to this consent.")
        },
    )


class GuardianInvitationForm(forms.Form):
    given_name = forms.CharField(label="Given name", max_length=150)
    family_name = forms.CharField(label="Family name", max_length=150)
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The link to set up their account goes here; they sign in with it.",
    )
    relationship = forms.CharField(
        label="Relationship to the participant",
        max_length=60,
        help_text="For example: mother, father, legal guardian.",
    )


class AcceptInvitationForm(forms.Form):
    """Set a password (Django's validators). The email field is there only when the link went
    by text to a chart with no address."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="You will sign in with it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, person: User, ask_email: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        if not ask_email:
            del self.fields["email"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ. Type the same one twice.")
        elif first:
            try:
                password_validation.validate_password(first, self.person)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
