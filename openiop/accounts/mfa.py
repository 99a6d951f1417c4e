from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.http import HttpRequest

MFA_VERIFIED_SESSION_KEY = "openiop.mfa_verified"


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def mark_verified(request: HttpRequest) -> None:
    request.session[MFA_VERIFIED_SESSION_KEY] = True


def session_is_mfa_verified(request: HttpRequest) -> bool:
    """Whether a second factor was proven in this session (at login, re-auth or enrolment)."""
    if request.session.get(MFA_VERIFIED_SESSION_KEY):
        return True
    return any(record.get("method") == "mfa" for record in get_authentication_records(request))
