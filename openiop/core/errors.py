"""Error pages rendered without the request context.

A 500 may come from the database or a context processor, and a 400 from a request too broken
to trust, so these render templates/errors/standalone.html with the site name only: no
database, no user, no context processors. 403 and 404 use Django's own handlers and extend
base.html.
"""

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseServerError,
)
from django.template import loader


def _render(template_name: str) -> str:
    return loader.render_to_string(template_name, {"site_name": settings.SITE_NAME})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return HttpResponseBadRequest(_render("400.html"))


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponseServerError(_render("500.html"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return HttpResponseForbidden(_render("403_csrf.html"))
