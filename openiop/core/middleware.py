import contextlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from redis.exceptions import RedisError

from openiop.lib import dbrouter
from openiop.lib.bodylimit import view_limit
from openiop.lib.requestids import HEADER, current_request_id, request_id_from

logger = logging.getLogger(__name__)


class NoStoreMiddleware:
    """Pages seen while signed in may carry PHI: browsers and proxies must not keep them,
    so the back button after sign-out shows nothing (SECURITY.md A6)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class BodySizeLimitMiddleware:
    """Refuse oversized bodies before anything reads them (Django only limits form fields).

    A view that takes files allows a larger body with `openiop.lib.bodylimit.body_limit`;
    its URL is resolved only for a request over the general limit.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse("Bad Content-Length.", status=400, content_type="text/plain")
        if length > settings.OPENIOP_MAX_REQUEST_BODY:
            limit, message = self._view_limit(request) or (0, "")
            if length > limit:
                return HttpResponse(
                    message or "Request too large.", status=413, content_type="text/plain"
                )
        return self.get_response(request)

    @staticmethod
    def _view_limit(request: HttpRequest) -> tuple[int, str] | None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        return view_limit(match.func)


class RequestIdMiddleware:
    """Give each request an id (the proxy's, when it sent a sane one) for logs and the client."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        # Not reset on the way out: Django logs an error response ("Not Found: ...") after the
        # middleware has returned; the request_finished signal clears it (core.apps).
        current_request_id.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


class CacheDownMiddleware:
    """When the shared cache (Redis) does not answer, refuse the step that needs it, clearly.

    Sessions live in the database, so signed-in pages go on; what needs the cache is sign-in's
    rate limits, the second-factor step (a code may be used once) and a few other limits. They
    fail closed: a 503 page that says to try again, never a guess without the limit.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, RedisError):
            return None
        logger.warning("Shared cache unavailable (%s): step refused", type(exception).__name__)
        response = render(request, "503_paused.html", status=503)
        response["Retry-After"] = "60"
        return response


class ReadYourWritesMiddleware:
    """Keep a person who just saved something on the primary database for a few seconds.

    Marks successful writes (a POST, PUT, PATCH or DELETE answered below 400) in the shared
    cache, so the next page on any web node reads what they saved (openiop.lib.dbrouter).
    Without a replica it does nothing at all.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not dbrouter.replica_configured() or not request.user.is_authenticated:
            return self.get_response(request)
        user_pk = request.user.pk
        try:
            recent = dbrouter.wrote_recently(user_pk)
        except RedisError:
            recent = True  # no shared memory of writes: do not risk a stale page
        if recent:
            with dbrouter.primary_only():
                response = self.get_response(request)
        else:
            response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400:
            with contextlib.suppress(RedisError):  # the router then reads the primary anyway
                dbrouter.note_write(user_pk)
        return response
