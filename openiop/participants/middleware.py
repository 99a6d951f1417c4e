from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from openiop.participants.zones import viewer_zone


class ViewerZoneMiddleware:
    """Puts the viewer's zone on `request.viewer_zone` for `{% when %}` and messages.

    Lazy: a page that shows no time costs no query, and a participant's chart is read at most
    once per request (Django caches `user.participant` on the user).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.viewer_zone = SimpleLazyObject(lambda: viewer_zone(request.user))  # type: ignore[attr-defined]
        return self.get_response(request)
