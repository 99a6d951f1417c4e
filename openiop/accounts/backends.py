from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.http import HttpRequest

from openiop.lib.text import normalize_email


class AuthenticationBackend(AllauthBackend):
    """allauth's backend, with the typed address folded to the stored form first."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> Any:
        for key in ("email", "username"):
            if isinstance(credentials.get(key), str):
                credentials[key] = normalize_email(credentials[key])
        return super().authenticate(request, **credentials)
