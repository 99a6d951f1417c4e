from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django import forms
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from redis.exceptions import RedisError

from openiop.accounts.encryption import keyring
from openiop.lib.text import normalize_email

SIGN_IN_PAUSED = _(
    "Signing in is paused for a moment while part of OpenIOP restarts. Please try again in a "
    "minute."
)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are opened by the program (intake, administrators), never by strangers.
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # The failure limits live in the shared cache: without it, sign-in is refused (fail
        # closed) with a clear word, before any password is checked. Signed-in people go on.
        try:
            cache.get("openiop:sign-in-ping")
        except RedisError as exc:
            raise forms.ValidationError(SIGN_IN_PAUSED) from exc
        super().pre_authenticate(request, **credentials)

    def clean_email(self, email: str) -> str:
        return normalize_email(email)

    def send_password_reset_mail(self, user: Any, email: str, context: dict[str, Any]) -> None:
        # Mail goes to the address on file, never to what was typed into the form: a
        # look-alike address that matched the account must not receive its reset link
        # (Django CVE-2019-19844).
        return self.send_mail("account/email/password_reset_key", user.email, context)


class MFAAdapter(DefaultMFAAdapter):
    # TOTP secrets and recovery-code seeds are stored encrypted (openiop.lib.crypto).
    def encrypt(self, text: str) -> str:
        return keyring().encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return keyring().decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # Staff keep their second factor: removing it would only lock them out of every page.
        user = authenticator.user
        if user.is_staff_member and authenticator.type == Authenticator.Type.TOTP:
            return False
        return super().can_delete_authenticator(authenticator)
