import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from openiop.accounts import languages, mfa
from openiop.audit.actions import record

AUTH_TIME_KEY = "openiop.auth_time"
LAST_SEEN_KEY = "openiop.last_seen"
# The last-seen time is rewritten at most this often: a session write on every request would
# cost three queries, and a minute is finer than any idle timeout needs.
LAST_SEEN_RESOLUTION = 30


def idle_timeout_for(user) -> int:
    if user.is_staff_member:
        return settings.OPENIOP_IDLE_TIMEOUT_STAFF
    return settings.OPENIOP_IDLE_TIMEOUT_PARTICIPANT


def start_session_clock(request: HttpRequest) -> None:
    now = int(time.time())
    request.session[AUTH_TIME_KEY] = now
    request.session[LAST_SEEN_KEY] = now


def wants_json(request: HttpRequest) -> bool:
    """A page's script (an autosave, a poll) asking for JSON: it cannot follow a redirect to
    the sign-in page, so it is told it was signed out and keeps what it holds."""
    return "application/json" in request.headers.get("Accept", "")


def signed_out_json() -> JsonResponse:
    return JsonResponse(
        {
            "error": "signed_out",
            "message": "You were signed out. Sign in again to continue.",
            "login_url": reverse(settings.LOGIN_URL),
        },
        status=401,
    )


class SessionPolicyMiddleware:
    """Ends a session after the role's idle timeout, and after the absolute cap regardless."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = int(time.time())
            auth_time = request.session.get(AUTH_TIME_KEY, now)
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            idle = now - last_seen > idle_timeout_for(user)
            capped = now - auth_time > settings.OPENIOP_SESSION_ABSOLUTE_CAP
            if idle or capped:
                record(
                    "auth.session_expired",
                    acting_user=user,
                    details={"reason": "idle" if idle else "absolute_cap"},
                )
                logout(request)
                if wants_json(request):
                    return signed_out_json()
                messages.info(request, gettext("You were signed out to protect your information."))
                return redirect_to_login(request.get_full_path(), reverse(settings.LOGIN_URL))
            if AUTH_TIME_KEY not in request.session:
                request.session[AUTH_TIME_KEY] = now
            if now - last_seen >= LAST_SEEN_RESOLUTION or LAST_SEEN_KEY not in request.session:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class StaffMFAMiddleware:
    """Staff reach no page until a second factor is enrolled and proven in this session."""

    ALWAYS_ALLOWED = (
        "mfa_activate_totp",
        "mfa_reauthenticate",
        "mfa_reauthenticate_webauthn",
        "account_logout",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.OPENIOP_STAFF_MFA_REQUIRED
            and user.is_authenticated
            and user.is_staff_member
            and not mfa.session_is_mfa_verified(request)
            and not self._is_exempt(request.path)
        ):
            if mfa.has_second_factor(user):
                return redirect(f"{reverse('mfa_reauthenticate')}?next={request.path}")
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _is_exempt(self, path: str) -> bool:
        if path.startswith(settings.STATIC_URL) or path == reverse("core:health"):
            return True
        return path in {reverse(name) for name in self.ALWAYS_ALLOWED}


class UserLanguageMiddleware:
    """Shows a signed-in person every page in the language stored on their account.

    LocaleMiddleware (earlier in the chain) has already chosen from the cookie or the browser;
    that choice is right before sign-in, but afterwards the account's language wins, so the same
    person sees the same language on every device, and their reminders match their pages.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and languages.is_supported(user.language):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
