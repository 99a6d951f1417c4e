"""The operations board's authorizations section: what billing knows, shown where a director
looks every morning (issue 13, item 6). core is the top layer, so it reads billing directly
and registers the section with the board's registry (core.apps)."""

from datetime import datetime, timedelta

from django.urls import reverse

from openiop.billing.models import Authorization
from openiop.billing.queries import usage
from openiop.lib.recurrence import get_zone
from openiop.programs.models import Program

from .board import ExtraSection, Line

EXPIRING_DAYS = 7
FEW_UNITS = 2


def authorizations_section(program: Program, now: datetime) -> ExtraSection:
    """Authorizations in force today that end within 7 days or have 2 units or fewer left:
    two queries (the authorizations, then the units used), whatever their number."""
    today = now.astimezone(get_zone(program.timezone)).date()
    current = list(
        Authorization.objects.filter(
            participant__program=program, starts_on__lte=today, ends_on__gte=today
        )
        .select_related("participant__program")
        .order_by("ends_on", "pk")
    )
    used = usage(current, until=today)
    lines = []
    for auth in current:
        remaining = used[auth.pk].remaining
        ends_soon = auth.ends_on <= today + timedelta(days=EXPIRING_DAYS)
        if not ends_soon and remaining > FEW_UNITS:
            continue
        left = f"{max(remaining, 0)} of {auth.units_approved} units left"
        detail = f"ends {auth.ends_on:%b} {auth.ends_on.day}; {left}"
        lines.append(
            Line(
                text=auth.participant.staff_name,
                url=reverse("billing:chart", args=[auth.participant.code]),
                detail=detail,
                warn=remaining <= 0 or auth.ends_on <= today + timedelta(days=1),
            )
        )
    return ExtraSection(
        key="authorizations",
        title=f"Authorizations ending within {EXPIRING_DAYS} days or nearly used up",
        lines=lines,
        empty="No authorization ends this week or is nearly used up.",
    )
