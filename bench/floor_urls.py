"""Bench-only pages that show nothing: what every signed-in page costs before its content.

bench/pages.py serves the site with these two added (bench/floor_settings.py) and measures them
beside hello and the real pages. No page can be faster than the floor under it:

- `/bench/empty/`: signed in (session, user, MFA and idle checks, every middleware), the
  site's layout with its menu and, for staff, the safety banner, and an empty main.
- `/bench/chart/<code>/`: the same plus the chart gate and its audited read (one row on the
  hash-chained trail): the floor of every page that shows a participant's record.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from config.urls import urlpatterns as site
from openiop.participants.access import get_participant_for_user

EMPTY = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}Empty{% endblock %}'
    "{% block content %}<h1>{{ heading }}</h1>{% endblock %}"
)


@login_required
def empty(request: HttpRequest) -> HttpResponse:
    return HttpResponse(EMPTY.render({"heading": "Empty"}, request))


@login_required
def chart(request: HttpRequest, code: str) -> HttpResponse:
    participant, _ = get_participant_for_user(request.user, code)  # type: ignore[arg-type]
    return HttpResponse(EMPTY.render({"heading": participant.short_name}, request))


urlpatterns = [
    path("bench/empty/", empty),
    path("bench/chart/<uuid:code>/", chart),
    *site,
]
