"""Forms of the consent app."""

from typing import Any

from django import forms
from django.contrib.auth import password_validation

from openiop.accounts.models import User


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
