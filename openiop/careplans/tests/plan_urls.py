"""The site's URLs with a stand-in `notes:note`, for tests of links to notes from the plan."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLResolver, include, path

from config.urls import urlpatterns as site


def note(request: HttpRequest, code: str) -> HttpResponse:
    return HttpResponse("note")


notes = ([path("<uuid:code>/", note, name="note")], "notes")
urlpatterns = [p for p in site if not (isinstance(p, URLResolver) and p.namespace == "notes")] + [
    path("notes/", include(notes))
]
