from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest

from openiop.accounts.encryption import keyring
from openiop.lib.text import normalize_email


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are opened by the program (intake, administrators), never by strangers.
        return False

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
