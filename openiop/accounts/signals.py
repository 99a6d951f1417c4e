"""Sign-in events for the audit trail, the session clock and the reader's language."""

from typing import Any

from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver
from django.utils import translation

from openiop.accounts import languages, mfa
from openiop.accounts.middleware import start_session_clock
from openiop.audit.actions import record


@receiver(auth_signals.user_logged_in)
def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        start_session_clock(request)
    # The rest of this request (the "signed in" message) is already in the person's language,
    # not only the pages after it (UserLanguageMiddleware).
    if languages.is_supported(user.language):
        translation.activate(user.language)
    record("auth.login", acting_user=user)


@receiver(auth_signals.user_logged_out)
def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record("auth.logout", acting_user=user)


@receiver(auth_signals.user_login_failed)
def on_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    # The typed address is not stored: it may be a patient's, or a password typed in
    # the wrong box.
    record("auth.login_failed", acting_user=None, outcome="failure")


@receiver(mfa_signals.authenticator_used)
def on_mfa_used(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    mfa.mark_verified(request)
    record(
        "mfa.verified",
        acting_user=user,
        details={"type": authenticator.type, "reauthenticated": kwargs.get("reauthenticated")},
    )


@receiver(mfa_signals.authentication_failed)
def on_mfa_failed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record("mfa.failed", acting_user=None, outcome="failure", details={"user": str(user.code)})


@receiver(mfa_signals.authenticator_added)
def on_mfa_added(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    if authenticator.type == Authenticator.Type.TOTP:
        # Enrolment itself proves the code, so the session counts as verified.
        mfa.mark_verified(request)
    record("mfa.authenticator_added", acting_user=user, details={"type": authenticator.type})


@receiver(mfa_signals.authenticator_removed)
def on_mfa_removed(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    record("mfa.authenticator_removed", acting_user=user, details={"type": authenticator.type})


@receiver(mfa_signals.authenticator_reset)
def on_mfa_reset(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    record("mfa.authenticator_reset", acting_user=user, details={"type": authenticator.type})
