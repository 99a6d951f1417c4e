"""How values reach people: `{% load display %}` in any template.

Kept in `accounts` because every app sits above it and the library needs only `openiop.lib`;
loading a tag library from a template creates no Python import, so the layer order holds.

Times are tags rather than filters because a filter cannot see the request: `{% when %}`
reads the viewer's zone from `request.viewer_zone` (set by
`openiop.participants.middleware.ViewerZoneMiddleware`) unless a zone is given with `zone=`.
"""

from datetime import UTC, date, datetime
from typing import Any

from django import template
from django.core.exceptions import ImproperlyConfigured
from django.template.context import Context

from openiop.accounts import languages
from openiop.lib.phone import display_phone
from openiop.lib.timefmt import format_date, format_datetime, format_range, in_zone

register = template.Library()


def _zone(context: Context, zone: Any) -> str:
    if zone:
        return str(zone)
    request = getattr(context, "request", None) or context.get("request")
    viewer_zone = getattr(request, "viewer_zone", None)
    if viewer_zone is None:
        raise ImproperlyConfigured(
            "{% when %} needs the viewer's zone: render with the request, or pass zone=."
        )
    return str(viewer_zone)


@register.simple_tag(takes_context=True)
def when(
    context: Context, moment: datetime | None, style: str = "datetime", zone: Any = None
) -> str:
    """`{% when alert.opened_at %}` → "Mon 9 Mar 2026, 6:00 PM EDT"; empty for None."""
    if moment is None or moment == "":
        return ""
    return format_datetime(moment, _zone(context, zone), style)


@register.simple_tag(takes_context=True)
def when_range(
    context: Context, start: datetime, end: datetime, style: str = "short", zone: Any = None
) -> str:
    """`{% when_range s.starts_at s.ends_at %}` → "Mon 9 Mar, 6:00 PM – 7:30 PM EDT"."""
    return format_range(start, end, _zone(context, zone), style)


@register.filter
def day(value: date | None, style: str = "date") -> str:
    """A calendar day (a date, not a moment): `{{ monday|day }}` → "Mon 9 Mar 2026"."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        raise TypeError("|day takes a date; show a datetime with {% when value 'date' %}.")
    return format_date(value, style)


@register.filter
def iso(value: datetime) -> str:
    """Machine-readable UTC for `<time datetime="…">`: "2026-03-09T22:00:00+00:00"."""
    return in_zone(value, UTC).isoformat()


@register.filter
def phone(value: Any) -> str:
    """US numbers as (555) 555-0100, others as +44 20 7946 0000."""
    return display_phone(value)


@register.filter
def language_name(code: str) -> str:
    """A language code as staff read it: "es" → "Spanish"."""
    return languages.name_in_english(code)
