"""Datetimes as people read them: in one zone, with that zone's abbreviation.

Every datetime shown to a person goes through `format_datetime` (templates reach it with
`{% when %}` from the `display` tag library). Styles:

    "datetime"   Mon 9 Mar 2026, 6:00 PM EDT   (the default; records and history)
    "short"      Mon 9 Mar, 6:00 PM EDT        (near times: this week's sessions, alerts)
    "date"       Mon 9 Mar 2026                (the day it was in that zone)
    "shortdate"  Mon 9 Mar
    "longdate"   Monday 9 March 2026
    "plain"      9 Mar 2026                    (a date of birth: the weekday is noise)
    "time"       6:00 PM EDT
"""

from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import get_language, pgettext

STYLES = ("datetime", "short", "date", "shortdate", "longdate", "plain", "time")


def as_zone(zone: str | tzinfo) -> tzinfo:
    return ZoneInfo(zone) if isinstance(zone, str) else zone


def in_zone(moment: datetime, zone: str | tzinfo) -> datetime:
    """`moment` on the wall clock of `zone`; refuses naive datetimes rather than guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Only aware datetimes can be shown; this one has no time zone.")
    return moment.astimezone(as_zone(zone))


def abbreviation(local: datetime) -> str:
    """The zone abbreviation (EDT, GMT); zones with none (America/Sao_Paulo) read "UTC-03"."""
    name = local.tzname() or ""
    return f"UTC{name}" if name[:1] in "+-" else name


def clock(local: datetime) -> str:
    """12-hour clock, "6:00 PM"."""
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


def format_date(day: date, style: str = "date") -> str:
    """A calendar day (no zone involved): "Mon 9 Mar 2026", "Mon 9 Mar", "Monday 9 March 2026".

    Day and month names are in the active language (Django's own translations: "lun 9 mar"
    in Spanish); the order, day before month, reads naturally in both.
    """
    weekday, weekday_abbr = WEEKDAYS[day.weekday()], WEEKDAYS_ABBR[day.weekday()]
    # Django's three-letter month names are lower case ("mar"), as Spanish writes them;
    # English writes "Mar".
    month_abbr = str(MONTHS_3[day.month])
    if (get_language() or "en").startswith("en"):
        month_abbr = month_abbr.capitalize()
    if style == "shortdate":
        return f"{weekday_abbr} {day.day} {month_abbr}"
    if style == "longdate":
        # Translators: a long date, "Monday 9 March 2026"; keep the four placeholders.
        pattern = pgettext("long date", "%(weekday)s %(day)s %(month)s %(year)s")
        return pattern % {
            "weekday": weekday,
            "day": day.day,
            "month": MONTHS[day.month],
            "year": day.year,
        }
    if style == "plain":
        return f"{day.day} {month_abbr} {day.year}"
    if style == "date":
        return f"{weekday_abbr} {day.day} {month_abbr} {day.year}"
    raise ValueError(f"Unknown date style {style!r}; use date, shortdate, longdate or plain.")


def format_datetime(moment: datetime, zone: str | tzinfo, style: str = "datetime") -> str:
    """`moment` shown in `zone` (see the module docstring for the styles)."""
    local = in_zone(moment, zone)
    if style in ("date", "shortdate", "longdate", "plain"):
        return format_date(local.date(), style)
    if style == "time":
        return f"{clock(local)} {abbreviation(local)}"
    if style == "short":
        return f"{format_date(local.date(), 'shortdate')}, {clock(local)} {abbreviation(local)}"
    if style == "datetime":
        return f"{format_date(local.date())}, {clock(local)} {abbreviation(local)}"
    raise ValueError(f"Unknown style {style!r}; use one of {', '.join(STYLES)}.")


def format_range(start: datetime, end: datetime, zone: str | tzinfo, style: str = "short") -> str:
    """A span: "Mon 9 Mar, 6:00 PM – 7:30 PM EDT".

    The day is written once when both ends fall on it, and the abbreviation once when both
    ends share it (a span across a DST change names both).
    """
    first, last = in_zone(start, zone), in_zone(end, zone)
    day_style = "shortdate" if style == "short" else "date"
    head = "" if style == "time" else f"{format_date(first.date(), day_style)}, "
    same_zone_name = abbreviation(first) == abbreviation(last)
    left = clock(first) if same_zone_name else f"{clock(first)} {abbreviation(first)}"
    right = f"{clock(last)} {abbreviation(last)}"
    if first.date() != last.date() and style != "time":
        right = f"{format_date(last.date(), day_style)}, {right}"
    return f"{head}{left} – {right}"
