from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, RequestContext, Template
from django.test import RequestFactory

LATE_EVENING = datetime(2026, 12, 1, 3, 8, tzinfo=UTC)


def render(source: str, zone: str | None = "America/New_York", **values) -> str:
    request = RequestFactory().get("/")
    if zone is not None:
        request.viewer_zone = zone  # type: ignore[attr-defined]  # as ViewerZoneMiddleware does
    template = Template("{% load display %}" + source)
    return template.render(RequestContext(request, values))


def test_when_uses_the_viewers_zone_from_the_request():
    assert render("{% when t %}", t=LATE_EVENING) == "Mon 30 Nov 2026, 10:08 PM EST"
    assert render("{% when t 'time' %}", "America/Chicago", t=LATE_EVENING) == "9:08 PM CST"


def test_an_explicit_zone_wins():
    assert render("{% when t 'short' zone=z %}", t=LATE_EVENING, z="Europe/London") == (
        "Tue 1 Dec, 3:08 AM GMT"
    )


def test_a_range_and_an_empty_value():
    out = render("{% when_range a b %}|{% when none %}", a=LATE_EVENING, b=LATE_EVENING, none=None)
    assert out == "Mon 30 Nov, 10:08 PM – 10:08 PM EST|"


def test_without_a_viewer_zone_it_fails_loudly_instead_of_showing_utc():
    with pytest.raises(ImproperlyConfigured):
        render("{% when t %}", zone=None, t=LATE_EVENING)
    with pytest.raises(ImproperlyConfigured):
        Template("{% load display %}{% when t %}").render(Context({"t": LATE_EVENING}))


def test_days_and_machine_readable_times():
    assert (
        render("{{ d|day }} {{ d|day:'plain' }}", d=date(2026, 3, 9)) == "Mon 9 Mar 2026 9 Mar 2026"
    )
    assert render("{{ t|iso }}", t=LATE_EVENING) == "2026-12-01T03:08:00+00:00"
    with pytest.raises(TypeError):
        render("{{ t|day }}", t=LATE_EVENING)


def test_phones_read_the_way_people_write_them():
    assert render("{{ p|phone }}", p="+15555550100") == "(555) 555-0100"
    assert render("{{ p|phone|default:'—' }}", p="") == "—"
