from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from openiop.accounts import languages
from openiop.accounts.actions import choose_language


def _next_url(request: HttpRequest) -> str:
    """Back to the page the switch was on; anywhere off this site goes home instead."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switch in the page header: a plain form, so it works without JavaScript.

    Signed in, the choice is stored on the account (audited); before sign-in it lives in the
    language cookie only. The cookie is set either way, so the sign-in page after a sign-out
    stays in the language the person chose.
    """
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(_next_url(request))
    if not languages.is_supported(language):
        return response
    if request.user.is_authenticated:
        choose_language(request.user, language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite="Lax",
    )
    return response
