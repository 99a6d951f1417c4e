from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from openiop.audit.context import current_origin, origin_from_meta


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_origin.set(origin_from_meta(request.META))
        try:
            return self.get_response(request)
        finally:
            current_origin.reset(token)
